"""reservations: beds held for an allocated household until it moves in

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reservation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("bed_count", sa.Integer(), nullable=False),
        sa.Column("split_reason", sa.Text(), nullable=True),
        sa.Column("reserved_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum("placed", "cancelled", name="reservation_end_reason"),
            nullable=True,
        ),
        sa.CheckConstraint("bed_count >= 1", name=op.f("ck_reservation_bed_count_positive")),
        sa.CheckConstraint(
            "(ended_at IS NULL) = (end_reason IS NULL)",
            name=op.f("ck_reservation_ended_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_reservation_site_id_site")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_reservation_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
    )
    op.create_index(op.f("ix_reservation_unit_id"), "reservation", ["unit_id"], unique=False)
    op.create_index(
        "uq_reservation_active_household",
        "reservation",
        ["household_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_reservation_active_household",
        table_name="reservation",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index(op.f("ix_reservation_unit_id"), table_name="reservation")
    op.drop_table("reservation")
    sa.Enum(name="reservation_end_reason").drop(op.get_bind())
