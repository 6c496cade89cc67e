"""allocation notice numbers stored normalised

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def normalised(column: str) -> str:
    """As teilhabe.events.households.normalise_notice_number, in SQL."""
    return f"upper(btrim(regexp_replace({column}, '\\s+', ' ', 'g')))"


def upgrade() -> None:
    # Numbers that would collide once normalised are left as they are (two households
    # registered for one notice): staff must decide which is right, no migration can.
    mine = normalised("household.allocation_notice_number")
    theirs = normalised("other.allocation_notice_number")
    op.execute(
        f"""
        UPDATE household SET allocation_notice_number = {mine}
        WHERE household.allocation_notice_number <> {mine}
          AND NOT EXISTS (
            SELECT 1 FROM household AS other
            WHERE other.id <> household.id AND {theirs} = {mine}
          )
        """
    )


def downgrade() -> None:
    pass  # the normalised form is a valid number as typed
