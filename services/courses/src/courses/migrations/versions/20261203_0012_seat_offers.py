"""seat offers: a freed seat offered to the next on the waitlist, with a deadline

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seat_offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "accepted", "declined", "expired", "void", name="seat_offer_status"),
            nullable=False,
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_seat_offer_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_seat_offer_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_offer")),
        sa.UniqueConstraint("enrollment_id", name=op.f("uq_seat_offer_enrollment_id")),
    )
    op.create_index(op.f("ix_seat_offer_course_id"), "seat_offer", ["course_id"], unique=False)
    op.create_index(op.f("ix_seat_offer_member_id"), "seat_offer", ["member_id"], unique=False)
    op.create_index(
        op.f("ix_seat_offer_household_id"), "seat_offer", ["household_id"], unique=False
    )
    op.create_index(
        "ix_seat_offer_open_course",
        "seat_offer",
        ["course_id"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_table("seat_offer")
    sa.Enum(name="seat_offer_status").drop(op.get_bind())
