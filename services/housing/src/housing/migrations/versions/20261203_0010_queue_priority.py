"""queue priority: an officer raises a household's priority with a reason

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("waiting_household", sa.Column("priority_reason", sa.Text(), nullable=True))
    op.add_column(
        "waiting_household", sa.Column("priority_raised_by", sa.String(200), nullable=True)
    )
    op.add_column(
        "waiting_household",
        sa.Column("priority_raised_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("waiting_household", "priority_raised_at")
    op.drop_column("waiting_household", "priority_raised_by")
    op.drop_column("waiting_household", "priority_reason")
