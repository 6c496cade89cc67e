"""why a follow-up is done when not by a caseworker's hand: its case was closed

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("follow_up", sa.Column("done_reason", sa.String(length=30), nullable=True))


def downgrade() -> None:
    op.drop_column("follow_up", "done_reason")
