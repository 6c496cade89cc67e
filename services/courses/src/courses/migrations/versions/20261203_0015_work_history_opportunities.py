"""work: permit history, Jobcenter handovers with the consents to them, work
opportunities (job readiness, internships, Arbeitsgelegenheiten) and placements

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PERMIT = postgresql.ENUM(name="work_permit_status", create_type=False)
CATEGORY = postgresql.ENUM(name="employer_category", create_type=False)
OPPORTUNITY_KIND = postgresql.ENUM(
    "job_readiness",
    "internship",
    "agh_asylblg",
    "agh_sgb2",
    name="work_opportunity_kind",
    create_type=False,
)
PLACEMENT_STATUS = postgresql.ENUM(
    "proposed", "started", "ended", "withdrawn", name="work_placement_status", create_type=False
)
OUTCOME = postgresql.ENUM(
    "completed",
    "employment",
    "training",
    "broke_off",
    "other",
    name="work_placement_outcome",
    create_type=False,
)


def _recorded_at() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    for enum in (OPPORTUNITY_KIND, PLACEMENT_STATUS, OUTCOME):
        enum.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "work_permit_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("status", PERMIT, nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _recorded_at(),
        sa.PrimaryKeyConstraint("id", name="pk_work_permit_change"),
    )
    op.create_index("ix_work_permit_change_member_id", "work_permit_change", ["member_id"])
    op.create_index("ix_work_permit_change_household_id", "work_permit_change", ["household_id"])
    # The permits recorded before the history was kept: their last state as its start.
    op.execute(
        "INSERT INTO work_permit_change (id, member_id, household_id, status, valid_until,"
        " recorded_by, recorded_at) SELECT gen_random_uuid(), member_id, household_id, status,"
        " valid_until, recorded_by, recorded_at FROM work_permit"
    )
    op.create_table(
        "jobcenter_handover",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("handed_over_on", sa.Date(), nullable=False),
        sa.Column("work_permit_status", PERMIT, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _recorded_at(),
        sa.PrimaryKeyConstraint("id", name="pk_jobcenter_handover"),
    )
    op.create_index("ix_jobcenter_handover_member_id", "jobcenter_handover", ["member_id"])
    op.create_index("ix_jobcenter_handover_household_id", "jobcenter_handover", ["household_id"])
    op.create_table(
        "work_consent",
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("agency", sa.String(63), nullable=False),
        sa.Column("purpose", sa.String(63), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("consent_id", name="pk_work_consent"),
    )
    op.create_index("ix_work_consent_member_id", "work_consent", ["member_id"])
    op.create_index("ix_work_consent_household_id", "work_consent", ["household_id"])
    op.create_table(
        "work_opportunity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", OPPORTUNITY_KIND, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("employer_category", CATEGORY, nullable=False),
        sa.Column("hours_per_week", sa.Numeric(4, 1), nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("postcode", sa.String(5), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("seats > 0", name=op.f("ck_work_opportunity_seats_positive")),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_work_opportunity_ends_after_start")
        ),
        sa.PrimaryKeyConstraint("id", name="pk_work_opportunity"),
    )
    op.create_table(
        "work_placement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("opportunity_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("status", PLACEMENT_STATUS, nullable=False),
        sa.Column("work_permit_status", PERMIT, nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("outcome", OUTCOME, nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=True),
        _recorded_at(),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["work_opportunity.id"],
            name=op.f("fk_work_placement_opportunity_id_work_opportunity"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on", name=op.f("ck_work_placement_ends_after_start")
        ),
        sa.PrimaryKeyConstraint("id", name="pk_work_placement"),
    )
    op.create_index("ix_work_placement_opportunity_id", "work_placement", ["opportunity_id"])
    op.create_index("ix_work_placement_member_id", "work_placement", ["member_id"])
    op.create_index("ix_work_placement_household_id", "work_placement", ["household_id"])
    # One open placement of a person in one opportunity.
    op.create_index(
        "uq_work_placement_open",
        "work_placement",
        ["opportunity_id", "member_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('proposed', 'started')"),
    )


def downgrade() -> None:
    op.drop_table("work_placement")
    op.drop_table("work_opportunity")
    op.drop_table("work_consent")
    op.drop_table("jobcenter_handover")
    op.drop_table("work_permit_change")
    for enum in (OUTCOME, PLACEMENT_STATUS, OPPORTUNITY_KIND):
        enum.drop(op.get_bind(), checkfirst=True)
