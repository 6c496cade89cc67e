"""quiet hours, daily digest and time zone of a recipient; e-mails held for the digest

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New values, not used in this transaction (PostgreSQL refuses that); the digest finds
    # a recipient's held e-mails by ix_delivery_inbox (recipient first).
    op.execute("ALTER TYPE delivery_status ADD VALUE IF NOT EXISTS 'held'")
    op.execute("ALTER TYPE delivery_status ADD VALUE IF NOT EXISTS 'bundled'")
    op.add_column(
        "recipient",
        sa.Column("time_zone", sa.String(64), server_default="Europe/Berlin", nullable=False),
    )
    op.add_column("recipient", sa.Column("quiet_from", sa.Time(), nullable=True))
    op.add_column("recipient", sa.Column("quiet_until", sa.Time(), nullable=True))
    op.add_column("recipient", sa.Column("digest_at", sa.Time(), nullable=True))
    op.add_column("delivery", sa.Column("digest_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_delivery_digest_id_delivery"),
        "delivery",
        "delivery",
        ["digest_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_delivery_digest_id"), "delivery", ["digest_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_digest_id"), table_name="delivery")
    op.drop_constraint(op.f("fk_delivery_digest_id_delivery"), "delivery", type_="foreignkey")
    op.drop_column("delivery", "digest_id")
    op.drop_column("recipient", "digest_at")
    op.drop_column("recipient", "quiet_until")
    op.drop_column("recipient", "quiet_from")
    op.drop_column("recipient", "time_zone")
    # Enum values stay: PostgreSQL cannot drop them; rows using them are gone with the data.
