"""volunteers clearances households matches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:10:47.820373
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('household',
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('has_minors', sa.Boolean(), nullable=False),
    sa.Column('languages', sa.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_household'))
    )
    op.create_table('volunteer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('preferred_language', sa.String(length=16), nullable=False),
    sa.Column('languages', sa.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('skills', sa.ARRAY(sa.String(length=100)), nullable=False),
    sa.Column('available_weekdays', sa.ARRAY(sa.String(length=3)), nullable=False),
    sa.Column('availability_note', sa.Text(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('registered_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer')),
    sa.UniqueConstraint('subject', name=op.f('uq_volunteer_subject'))
    )
    op.create_index('ix_volunteer_languages', 'volunteer', ['languages'], unique=False, postgresql_using='gin')
    op.create_index('uq_volunteer_email', 'volunteer', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('match',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('matched_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.household_id'], name=op.f('fk_match_household_id_household')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_match_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match'))
    )
    op.create_index(op.f('ix_match_household_id'), 'match', ['household_id'], unique=False)
    op.create_index(op.f('ix_match_volunteer_id'), 'match', ['volunteer_id'], unique=False)
    op.create_index('uq_match_running_pair', 'match', ['volunteer_id', 'household_id'], unique=True, postgresql_where=sa.text('ended_on IS NULL'))
    op.create_table('police_clearance',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('relevant_conviction', sa.Boolean(), nullable=False),
    sa.Column('delete_after', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_police_clearance_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', name=op.f('pk_police_clearance'))
    )
    op.create_index(op.f('ix_police_clearance_delete_after'), 'police_clearance', ['delete_after'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_police_clearance_delete_after'), table_name='police_clearance')
    op.drop_table('police_clearance')
    op.drop_index('uq_match_running_pair', table_name='match', postgresql_where=sa.text('ended_on IS NULL'))
    op.drop_index(op.f('ix_match_volunteer_id'), table_name='match')
    op.drop_index(op.f('ix_match_household_id'), table_name='match')
    op.drop_table('match')
    op.drop_index('uq_volunteer_email', table_name='volunteer')
    op.drop_index('ix_volunteer_languages', table_name='volunteer', postgresql_using='gin')
    op.drop_table('volunteer')
    op.drop_table('household')
