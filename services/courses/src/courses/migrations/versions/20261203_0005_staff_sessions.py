"""the staff tool's sessions, held here rather than in a signed cookie

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.staff_sessions import create_staff_session_table, drop_staff_session_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_staff_session_table(op.get_bind())


def downgrade() -> None:
    drop_staff_session_table(op.get_bind())
