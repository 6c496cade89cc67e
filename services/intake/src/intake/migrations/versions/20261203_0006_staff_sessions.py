"""the staff tool's sessions, held here rather than in a signed cookie

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op
from teilhabe.staff_sessions import create_staff_session_table, drop_staff_session_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_staff_session_table(op.get_bind())


def downgrade() -> None:
    drop_staff_session_table(op.get_bind())
