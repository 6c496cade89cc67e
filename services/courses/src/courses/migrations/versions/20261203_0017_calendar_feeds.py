"""calendar feeds of offers and participants: the hashed token of each feed address

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.migrations import create_calendar_feed_table, drop_calendar_feed_table

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_calendar_feed_table(op.get_bind())


def downgrade() -> None:
    drop_calendar_feed_table(op.get_bind())
