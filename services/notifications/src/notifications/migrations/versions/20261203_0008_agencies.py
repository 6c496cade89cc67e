"""partner agencies, what they are subscribed to, the consents that gate it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agency"),
    )
    op.create_table(
        "agency_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.String(length=63), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=63), nullable=False),
        sa.Column(
            "fields", postgresql.ARRAY(sa.String(length=100)), server_default="{}", nullable=False
        ),
        sa.Column("statutory", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name="fk_agency_subscription_agency_id_agency",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agency_subscription"),
        sa.UniqueConstraint(
            "agency_id",
            "event_type",
            "purpose",
            name="uq_agency_subscription_agency_id",
        ),
    )
    op.create_index(
        "ix_agency_subscription_event_type", "agency_subscription", ["event_type"]
    )
    op.create_table(
        "agency_consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.String(length=63), nullable=False),
        sa.Column("purpose", sa.String(length=63), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agency_consent"),
    )
    op.create_index(
        "ix_agency_consent_household", "agency_consent", ["agency_id", "purpose", "household_id"]
    )
    op.create_index(
        "ix_agency_consent_member", "agency_consent", ["agency_id", "purpose", "member_id"]
    )
    op.create_table(
        "agency_inbox",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column(
            "handled_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_agency_inbox"),
    )
    op.create_index("ix_agency_inbox_handled_at", "agency_inbox", ["handled_at"])


def downgrade() -> None:
    op.drop_table("agency_inbox")
    op.drop_table("agency_consent")
    op.drop_table("agency_subscription")
    op.drop_table("agency")
