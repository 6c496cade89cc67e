"""the volunteer a delivery is about, so that their erasure finds it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("delivery", sa.Column("volunteer_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_delivery_volunteer_id"), "delivery", ["volunteer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_volunteer_id"), table_name="delivery")
    op.drop_column("delivery", "volunteer_id")
