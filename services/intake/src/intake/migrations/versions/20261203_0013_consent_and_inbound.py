"""consent to share with partner agencies; the inbox of events agencies send in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("agency", sa.String(length=63), nullable=False),
        sa.Column("purpose", sa.String(length=63), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("evidence_reference", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name="fk_consent_household_id_household",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name="fk_consent_member_id_member", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consent"),
    )
    op.create_index("ix_consent_household_id", "consent", ["household_id"])
    op.create_index(
        "uq_consent_standing",
        "consent",
        ["member_id", "agency", "purpose"],
        unique=True,
        postgresql_where=sa.text("revoked_on IS NULL"),
    )
    op.create_table(
        "inbound_inbox",
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column(
            "handled_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbound_inbox"),
    )
    op.create_index("ix_inbound_inbox_handled_at", "inbound_inbox", ["handled_at"])


def downgrade() -> None:
    op.drop_table("inbound_inbox")
    op.drop_table("consent")
