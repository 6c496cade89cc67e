"""allocation lists imported from files: the import's report and its waiting draft

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allocation_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("teams", sa.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column(
            "uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("problems", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("skipped", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ready_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_by", sa.String(length=200), nullable=True),
        sa.Column("imported_count", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_import")),
    )
    op.create_index(
        op.f("ix_allocation_import_uploaded_at"), "allocation_import", ["uploaded_at"]
    )
    op.create_table(
        "allocation_import_draft",
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("households", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["allocation_import.id"],
            name=op.f("fk_allocation_import_draft_import_id_allocation_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", name=op.f("pk_allocation_import_draft")),
    )


def downgrade() -> None:
    op.drop_table("allocation_import_draft")
    op.drop_table("allocation_import")
