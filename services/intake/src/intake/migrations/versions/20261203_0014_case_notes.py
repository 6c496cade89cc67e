"""case notes: team-only, editable by their author for a while, then addenda only

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_note",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("addendum_to", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_after", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_case_note_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_case_note_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["addendum_to"],
            ["case_note.id"],
            name=op.f("fk_case_note_addendum_to_case_note"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    op.create_index(op.f("ix_case_note_household_id"), "case_note", ["household_id"])
    op.create_index(op.f("ix_case_note_addendum_to"), "case_note", ["addendum_to"])
    # Audit-proof: once its time is up, a note's content stands, whoever connects (the
    # app role cannot drop the owner's trigger). A member leaving only unlinks it.
    op.execute(
        """
        CREATE FUNCTION case_note_stands() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.locked_after < now() AND (
                NEW.text IS DISTINCT FROM OLD.text
                OR NEW.category IS DISTINCT FROM OLD.category
                OR NEW.noted_on IS DISTINCT FROM OLD.noted_on
                OR NEW.author IS DISTINCT FROM OLD.author
                OR NEW.household_id IS DISTINCT FROM OLD.household_id
                OR NEW.addendum_to IS DISTINCT FROM OLD.addendum_to
                OR NEW.created_at IS DISTINCT FROM OLD.created_at
                OR NEW.locked_after IS DISTINCT FROM OLD.locked_after
            ) THEN
                RAISE EXCEPTION 'case note % can no longer be changed', OLD.id
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER case_note_stands BEFORE UPDATE ON case_note"
        " FOR EACH ROW EXECUTE FUNCTION case_note_stands()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER case_note_stands ON case_note")
    op.execute("DROP FUNCTION case_note_stands()")
    op.drop_table("case_note")
