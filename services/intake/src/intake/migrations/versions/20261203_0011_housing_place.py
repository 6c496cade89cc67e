"""where a housed household lives: site and unit names from housing's move-in

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("household", sa.Column("housing_site", sa.String(length=200), nullable=True))
    op.add_column("household", sa.Column("housing_unit", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("household", "housing_unit")
    op.drop_column("household", "housing_site")
