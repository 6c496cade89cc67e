"""durable timers

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import create_timer_table, drop_timer_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_timer_table(op.get_bind())


def downgrade() -> None:
    drop_timer_table(op.get_bind())
