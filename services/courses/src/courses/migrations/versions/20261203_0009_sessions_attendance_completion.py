"""sessions of an offer, attendance per session, completion with result

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD VALUE cannot run inside the migration's transaction block on older servers;
    # an autocommit block keeps it safe everywhere.
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE enrollment_status ADD VALUE IF NOT EXISTS 'completed'")
    op.add_column("enrollment", sa.Column("completed_at", sa.DateTime(timezone=True)))
    op.add_column("enrollment", sa.Column("completed_by", sa.String(length=200)))
    op.add_column("enrollment", sa.Column("result", sa.String(length=100)))
    op.create_table(
        "course_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_course_session_session_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_session_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_session")),
    )
    op.create_index(
        op.f("ix_course_session_course_id"), "course_session", ["course_id"], unique=False
    )
    op.create_table(
        "session_attendance",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column(
            "attendance",
            sa.Enum("present", "excused", "absent", name="attendance"),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_session_attendance_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_session_attendance_session_id_course_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "enrollment_id", name=op.f("pk_session_attendance")),
    )
    op.create_index(
        op.f("ix_session_attendance_enrollment_id"),
        "session_attendance",
        ["enrollment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("session_attendance")
    op.drop_table("course_session")
    sa.Enum(name="attendance").drop(op.get_bind())
    op.drop_column("enrollment", "result")
    op.drop_column("enrollment", "completed_by")
    op.drop_column("enrollment", "completed_at")
    # PostgreSQL cannot drop an enum value; completed enrolments count as withdrawn.
    op.execute("UPDATE enrollment SET status = 'withdrawn' WHERE status = 'completed'")
