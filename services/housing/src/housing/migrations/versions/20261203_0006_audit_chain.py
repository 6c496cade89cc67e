"""audit entries sealed in a chain, and found by actor

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import add_audit_chain, drop_audit_chain

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_audit_chain(op.get_bind())


def downgrade() -> None:
    drop_audit_chain(op.get_bind())
