"""person: allocation notice number and position in the household

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: people recorded before this revision came without them.
    op.add_column('person', sa.Column('allocation_notice_number', sa.String(length=100), nullable=True))
    op.add_column('person', sa.Column('position', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_person_allocation_notice_number'), 'person', ['allocation_notice_number'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_person_allocation_notice_number'), table_name='person')
    op.drop_column('person', 'position')
    op.drop_column('person', 'allocation_notice_number')
