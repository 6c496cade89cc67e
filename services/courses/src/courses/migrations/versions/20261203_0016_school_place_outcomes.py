"""school-place requests: what a coordinator recorded (placed, waiting, closed)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STATUS = sa.Enum("open", "waiting", "placed", "closed", name="school_place_status")
INSTITUTION = sa.Enum("school", "kita", name="institution")
CLOSE_REASON = sa.Enum(
    "placed_otherwise", "moved_away", "not_needed", "other", name="school_place_close_reason"
)


def upgrade() -> None:
    bind = op.get_bind()
    for kind in (STATUS, INSTITUTION, CLOSE_REASON):
        kind.create(bind)
    op.add_column(
        "school_place_request",
        sa.Column("status", STATUS, server_default="open", nullable=False),
    )
    op.add_column("school_place_request", sa.Column("institution", INSTITUTION, nullable=True))
    op.add_column(
        "school_place_request",
        sa.Column("institution_name", sa.String(length=200), nullable=True),
    )
    op.add_column("school_place_request", sa.Column("close_reason", CLOSE_REASON, nullable=True))
    op.add_column(
        "school_place_request",
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "school_place_request", sa.Column("decided_by", sa.String(length=200), nullable=True)
    )
    op.create_index(
        "ix_school_place_request_pending",
        "school_place_request",
        ["requested_on"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'waiting')"),
    )


def downgrade() -> None:
    op.drop_index("ix_school_place_request_pending", table_name="school_place_request")
    for column in (
        "decided_by",
        "decided_at",
        "close_reason",
        "institution_name",
        "institution",
        "status",
    ):
        op.drop_column("school_place_request", column)
    bind = op.get_bind()
    for kind in (CLOSE_REASON, INSTITUTION, STATUS):
        kind.drop(bind)
