"""household allocation notice number

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: households received before this revision arrived without it.
    op.add_column(
        "household", sa.Column("allocation_notice_number", sa.String(length=100), nullable=True)
    )
    op.create_index(
        op.f("ix_household_allocation_notice_number"),
        "household",
        ["allocation_notice_number"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_household_allocation_notice_number"), table_name="household")
    op.drop_column("household", "allocation_notice_number")
