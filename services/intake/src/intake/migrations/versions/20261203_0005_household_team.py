"""the team responsible for a household

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("household", sa.Column("team", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_household_team"), "household", ["team"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_household_team"), table_name="household")
    op.drop_column("household", "team")
