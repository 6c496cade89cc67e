"""teams: a person's household's (caseworkers' scope), a course's (coordinators')

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("team", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_person_team"), "person", ["team"], unique=False)
    op.add_column("course", sa.Column("team", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_course_team"), "course", ["team"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_course_team"), table_name="course")
    op.drop_column("course", "team")
    op.drop_index(op.f("ix_person_team"), table_name="person")
    op.drop_column("person", "team")
