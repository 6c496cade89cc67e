"""why an appointment is cancelled when not by a caseworker's hand: its case was closed

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("appointment", sa.Column("cancel_reason", sa.String(length=30), nullable=True))


def downgrade() -> None:
    op.drop_column("appointment", "cancel_reason")
