"""closing a case (reason, day, who), and members' residence obligations (§ 12a AufenthG)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("household", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column("household", sa.Column("closure_reason", sa.String(length=20), nullable=True))
    op.add_column("household", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("household", sa.Column("closed_by", sa.String(length=200), nullable=True))
    op.create_table(
        "residence_obligation",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("recognised_on", sa.Date(), nullable=True),
        sa.Column("bound_until", sa.Date(), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lift_reason", sa.String(length=20), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_residence_obligation_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_residence_obligation_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_residence_obligation")),
    )
    op.create_index(
        op.f("ix_residence_obligation_household_id"), "residence_obligation", ["household_id"]
    )


def downgrade() -> None:
    op.drop_table("residence_obligation")
    for column in ("closed_by", "closed_at", "closure_reason", "closed_on"):
        op.drop_column("household", column)
