"""audit entries sealed in a chain, and found by actor

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import add_audit_chain, drop_audit_chain

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_audit_chain(op.get_bind())


def downgrade() -> None:
    drop_audit_chain(op.get_bind())
