"""closures: a unit or a bed closed for repair or quarantine from a day to a day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("bed_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum("repair", "quarantine", name="closure_reason"),
            nullable=False,
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["bed_id"], ["bed.id"], name=op.f("fk_closure_bed_id_bed"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_closure_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure")),
    )
    op.create_index(op.f("ix_closure_unit_id"), "closure", ["unit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_closure_unit_id"), table_name="closure")
    op.drop_table("closure")
    sa.Enum(name="closure_reason").drop(op.get_bind())
