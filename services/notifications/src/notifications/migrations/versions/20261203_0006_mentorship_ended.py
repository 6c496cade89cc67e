"""a mentorship's end: its former mentor is addressed no more about the household

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mentorship", sa.Column("ended_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("mentorship", "ended_on")
