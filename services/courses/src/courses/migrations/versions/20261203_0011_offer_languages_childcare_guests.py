"""offers: languages, childcare, community offers, guests (locals and volunteers)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE offer_kind ADD VALUE IF NOT EXISTS 'community'")
    op.add_column(
        "course",
        sa.Column(
            "languages",
            postgresql.ARRAY(sa.String(length=16)),
            server_default="{}",
            nullable=False,
        ),
    )
    op.add_column(
        "course",
        sa.Column("childcare", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_table(
        "guest",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column(
            "joined_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_guest_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest")),
    )
    op.create_index(op.f("ix_guest_course_id"), "guest", ["course_id"], unique=False)


def downgrade() -> None:
    op.drop_table("guest")
    op.drop_column("course", "childcare")
    op.drop_column("course", "languages")
    # PostgreSQL cannot drop an enum value; community offers stay as they are.
