"""volunteers' calendar feeds: the hashed token of each feed address

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import create_calendar_feed_table, drop_calendar_feed_table

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_calendar_feed_table(op.get_bind())


def downgrade() -> None:
    drop_calendar_feed_table(op.get_bind())
