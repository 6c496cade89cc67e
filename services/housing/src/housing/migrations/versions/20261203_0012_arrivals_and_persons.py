"""arrivals and persons: the members of each household (reference and age group) and
the recorded arrival of a household

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

AGE_GROUP = postgresql.ENUM("under_three", "kita", "school", "adult", name="age_group")


def upgrade() -> None:
    AGE_GROUP.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "household_member",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column(
            "age_group",
            postgresql.ENUM(name="age_group", create_type=False),
            nullable=False,
        ),
        sa.Column("arrived", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["waiting_household.household_id"],
            name=op.f("fk_household_member_household_id_waiting_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_household_member")),
    )
    op.create_index(
        op.f("ix_household_member_household_id"), "household_member", ["household_id"]
    )
    op.add_column("waiting_household", sa.Column("arrived_on", sa.Date(), nullable=True))
    op.add_column(
        "waiting_household", sa.Column("arrived_person_count", sa.Integer(), nullable=True)
    )
    op.add_column(
        "waiting_household", sa.Column("arrival_recorded_by", sa.String(200), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("waiting_household", "arrival_recorded_by")
    op.drop_column("waiting_household", "arrived_person_count")
    op.drop_column("waiting_household", "arrived_on")
    op.drop_index(op.f("ix_household_member_household_id"), table_name="household_member")
    op.drop_table("household_member")
    AGE_GROUP.drop(op.get_bind(), checkfirst=True)
