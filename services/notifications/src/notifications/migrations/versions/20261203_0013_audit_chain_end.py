"""the audit chain's end, locked and read in one round trip

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import add_audit_chain_end, drop_audit_chain_end

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_audit_chain_end(op.get_bind())


def downgrade() -> None:
    drop_audit_chain_end(op.get_bind())
