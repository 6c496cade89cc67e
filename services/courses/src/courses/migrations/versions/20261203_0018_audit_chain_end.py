"""the audit chain's end, locked and read in one round trip

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import add_audit_chain_end, drop_audit_chain_end

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_audit_chain_end(op.get_bind())


def downgrade() -> None:
    drop_audit_chain_end(op.get_bind())
