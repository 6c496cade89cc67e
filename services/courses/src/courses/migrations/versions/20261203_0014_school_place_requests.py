"""school-place requests for children in school duty (from intake)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_place_request",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("languages", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_school_place_request")),
    )
    op.create_index(
        op.f("ix_school_place_request_household_id"), "school_place_request", ["household_id"]
    )


def downgrade() -> None:
    op.drop_table("school_place_request")
