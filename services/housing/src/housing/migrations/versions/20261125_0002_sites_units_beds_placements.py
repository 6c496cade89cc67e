"""sites units beds placements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:53:22.600653
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('site',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('emergency_shelter', 'communal_housing', 'apartment', name='site_kind'), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('name', name=op.f('uq_site_name'))
    )
    op.create_table('waiting_household',
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('allocation_notice_number', sa.String(length=100), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=False),
    sa.Column('expected_arrival_on', sa.Date(), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('minor_count', sa.Integer(), nullable=False),
    sa.Column('needs_accessible_housing', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('awaiting', 'placed', name='waiting_status'), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_waiting_household'))
    )
    op.create_index('ix_waiting_household_awaiting', 'waiting_household', ['allocated_on'], unique=False, postgresql_where=sa.text("status = 'awaiting'"))
    op.create_table('unit',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('accessible', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_unit_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit'))
    )
    op.create_index(op.f('ix_unit_site_id'), 'unit', ['site_id'], unique=False)
    op.create_table('bed',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_bed_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bed'))
    )
    op.create_index(op.f('ix_bed_unit_id'), 'bed', ['unit_id'], unique=False)
    op.create_table('placement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('bed_count', sa.Integer(), nullable=False),
    sa.Column('split_reason', sa.Text(), nullable=True),
    sa.Column('moved_in_on', sa.Date(), nullable=False),
    sa.Column('moved_out_on', sa.Date(), nullable=True),
    sa.Column('move_out_reason', sa.Enum('private_housing', 'transfer', 'left_municipality', 'other', name='move_out_reason'), nullable=True),
    sa.Column('placed_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_placement_site_id_site')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_placement_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement'))
    )
    op.create_index(op.f('ix_placement_household_id'), 'placement', ['household_id'], unique=False)
    op.create_index(op.f('ix_placement_unit_id'), 'placement', ['unit_id'], unique=False)
    op.create_table('bed_occupancy',
    sa.Column('placement_id', sa.Uuid(), nullable=False),
    sa.Column('bed_id', sa.Uuid(), nullable=False),
    sa.Column('released', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['bed_id'], ['bed.id'], name=op.f('fk_bed_occupancy_bed_id_bed')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_bed_occupancy_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('placement_id', 'bed_id', name=op.f('pk_bed_occupancy'))
    )
    op.create_index('uq_bed_occupancy_current_bed', 'bed_occupancy', ['bed_id'], unique=True, postgresql_where=sa.text('NOT released'))


def downgrade() -> None:
    op.drop_index('uq_bed_occupancy_current_bed', table_name='bed_occupancy', postgresql_where=sa.text('NOT released'))
    op.drop_table('bed_occupancy')
    op.drop_index(op.f('ix_placement_unit_id'), table_name='placement')
    op.drop_index(op.f('ix_placement_household_id'), table_name='placement')
    op.drop_table('placement')
    op.drop_index(op.f('ix_bed_unit_id'), table_name='bed')
    op.drop_table('bed')
    op.drop_index(op.f('ix_unit_site_id'), table_name='unit')
    op.drop_table('unit')
    op.drop_index('ix_waiting_household_awaiting', table_name='waiting_household', postgresql_where=sa.text("status = 'awaiting'"))
    op.drop_table('waiting_household')
    op.drop_table('site')
    for enum_name in ("move_out_reason", "waiting_status", "site_kind"):
        sa.Enum(name=enum_name).drop(op.get_bind())
