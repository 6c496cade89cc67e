"""reservation expiry: a reservation ends as expired when its household does not arrive

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TYPE reservation_end_reason ADD VALUE IF NOT EXISTS 'expired'")


def downgrade() -> None:
    # PostgreSQL cannot drop one value of an enum type; an unused value does no harm, and
    # the upgrade adds it only if it is missing.
    pass
