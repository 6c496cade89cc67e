"""households and members

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:52:26.628528
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('household',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('allocation_notice_number', sa.String(length=100), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=False),
    sa.Column('allocating_authority', sa.String(length=200), nullable=False),
    sa.Column('expected_arrival_on', sa.Date(), nullable=True),
    sa.Column('needs_accessible_housing', sa.Boolean(), nullable=False),
    sa.Column('caseworker_id', sa.String(length=200), nullable=True),
    sa.Column('housing_status', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('allocation_notice_number', name=op.f('uq_household_allocation_notice_number'))
    )
    op.create_index(op.f('ix_household_allocated_on'), 'household', ['allocated_on'], unique=False)
    op.create_index(op.f('ix_household_caseworker_id'), 'household', ['caseworker_id'], unique=False)
    op.create_table('member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('given_name', sa.String(length=200), nullable=False),
    sa.Column('family_name', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', 'diverse', 'unspecified', name='sex'), nullable=False),
    sa.Column('nationality', sa.String(length=3), nullable=False),
    sa.Column('languages', sa.ARRAY(sa.String(length=8)), nullable=False),
    sa.Column('residence_status', sa.Enum('aufenthaltsgestattung', 'duldung', 'aufenthaltserlaubnis', 'niederlassungserlaubnis', 'fiktionsbescheinigung', 'ungeklaert', name='residence_status'), nullable=False),
    sa.Column('residence_status_expires_on', sa.Date(), nullable=True),
    sa.Column('special_needs', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_member_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member'))
    )
    op.create_index(op.f('ix_member_family_name'), 'member', ['family_name'], unique=False)
    op.create_index(op.f('ix_member_household_id'), 'member', ['household_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_member_household_id'), table_name='member')
    op.drop_index(op.f('ix_member_family_name'), table_name='member')
    op.drop_table('member')
    sa.Enum(name='residence_status').drop(op.get_bind())
    sa.Enum(name='sex').drop(op.get_bind())
    op.drop_index(op.f('ix_household_caseworker_id'), table_name='household')
    op.drop_index(op.f('ix_household_allocated_on'), table_name='household')
    op.drop_table('household')
