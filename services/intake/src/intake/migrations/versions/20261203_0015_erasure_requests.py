"""erasure requests of the data-protection officer and each service's confirmation

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_request")),
    )
    op.create_index(
        op.f("ix_erasure_request_subject_id"), "erasure_request", ["subject_id"], unique=False
    )
    op.create_table(
        "erasure_confirmation",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("service", sa.String(length=50), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column(
            "confirmed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["erasure_request.id"],
            name=op.f("fk_erasure_confirmation_request_id_erasure_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "service", name=op.f("pk_erasure_confirmation")),
    )


def downgrade() -> None:
    op.drop_table("erasure_confirmation")
    op.drop_index(op.f("ix_erasure_request_subject_id"), table_name="erasure_request")
    op.drop_table("erasure_request")
