"""work: a person's work permit status and their employments

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PERMIT = postgresql.ENUM(
    "permitted",
    "permitted_with_approval",
    "not_permitted",
    "unknown",
    name="work_permit_status",
    create_type=False,
)
CATEGORY = postgresql.ENUM(
    "craft",
    "care",
    "hospitality",
    "retail",
    "logistics",
    "industry",
    "cleaning",
    "public_sector",
    "other",
    name="employer_category",
    create_type=False,
)
END_REASON = postgresql.ENUM(
    "contract_ended", "resigned", "dismissed", "other", name="employment_end_reason",
    create_type=False,
)


def upgrade() -> None:
    for enum in (PERMIT, CATEGORY, END_REASON):
        enum.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "work_permit",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("status", PERMIT, nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("member_id", name="pk_work_permit"),
    )
    op.create_index("ix_work_permit_household_id", "work_permit", ["household_id"])
    op.create_table(
        "employment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("employer_category", CATEGORY, nullable=False),
        sa.Column("hours_per_week", sa.Numeric(4, 1), nullable=False),
        sa.Column("work_permit_status", PERMIT, nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", END_REASON, nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("ended_by", sa.String(200), nullable=True),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on", name=op.f("ck_employment_ends_after_start")
        ),
        sa.PrimaryKeyConstraint("id", name="pk_employment"),
    )
    op.create_index("ix_employment_member_id", "employment", ["member_id"])
    op.create_index("ix_employment_household_id", "employment", ["household_id"])
    op.create_index(
        "uq_employment_running",
        "employment",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("ended_on IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("employment")
    op.drop_table("work_permit")
    for enum in (END_REASON, CATEGORY, PERMIT):
        enum.drop(op.get_bind(), checkfirst=True)
