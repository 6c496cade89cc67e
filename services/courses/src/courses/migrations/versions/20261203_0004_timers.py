"""durable timers

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import create_timer_table, drop_timer_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_timer_table(op.get_bind())


def downgrade() -> None:
    drop_timer_table(op.get_bind())
