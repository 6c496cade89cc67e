"""facilities shifts help requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 11:30:19.989314
"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('facility',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility')),
    sa.UniqueConstraint('name', name=op.f('uq_facility_name'))
    )
    op.create_table('help_request',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('skill', sa.String(length=100), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('accepted_by', sa.Uuid(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_help_request_ends_after_start')),
    sa.ForeignKeyConstraint(['accepted_by'], ['volunteer.id'], name=op.f('fk_help_request_accepted_by_volunteer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request'))
    )
    op.create_index(op.f('ix_help_request_accepted_by'), 'help_request', ['accepted_by'], unique=False)
    op.create_index(op.f('ix_help_request_requested_by'), 'help_request', ['requested_by'], unique=False)
    op.create_index(op.f('ix_help_request_starts_at'), 'help_request', ['starts_at'], unique=False)
    op.create_table('shift_template',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('facility_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('slots', sa.SmallInteger(), nullable=False),
    sa.Column('needs_clearance', sa.Boolean(), nullable=False),
    sa.CheckConstraint('slots > 0', name=op.f('ck_shift_template_slots_positive')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_shift_template_facility_id_facility'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_template'))
    )
    op.create_index(op.f('ix_shift_template_facility_id'), 'shift_template', ['facility_id'], unique=False)
    op.create_table('help_request_offer',
    sa.Column('help_request_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['help_request_id'], ['help_request.id'], name=op.f('fk_help_request_offer_help_request_id_help_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_help_request_offer_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('help_request_id', 'volunteer_id', name=op.f('pk_help_request_offer'))
    )
    op.create_index(op.f('ix_help_request_offer_volunteer_id'), 'help_request_offer', ['volunteer_id'], unique=False)
    op.create_table('shift',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('facility_id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('slots', sa.SmallInteger(), nullable=False),
    sa.Column('needs_clearance', sa.Boolean(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_shift_ends_after_start')),
    sa.CheckConstraint('slots > 0', name=op.f('ck_shift_slots_positive')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_shift_facility_id_facility'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['shift_template.id'], name=op.f('fk_shift_template_id_shift_template'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift'))
    )
    op.create_index(op.f('ix_shift_facility_id'), 'shift', ['facility_id'], unique=False)
    op.create_index(op.f('ix_shift_starts_at'), 'shift', ['starts_at'], unique=False)
    op.create_table('shift_signup',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('shift_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_signup_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_shift_signup_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_signup')),
    sa.UniqueConstraint('shift_id', 'volunteer_id', name=op.f('uq_shift_signup_shift_id'))
    )
    op.create_index(op.f('ix_shift_signup_volunteer_id'), 'shift_signup', ['volunteer_id'], unique=False)
    op.add_column('volunteer', sa.Column('postcode', sa.String(length=5), nullable=True))


def downgrade() -> None:
    op.drop_column('volunteer', 'postcode')
    op.drop_index(op.f('ix_shift_signup_volunteer_id'), table_name='shift_signup')
    op.drop_table('shift_signup')
    op.drop_index(op.f('ix_shift_starts_at'), table_name='shift')
    op.drop_index(op.f('ix_shift_facility_id'), table_name='shift')
    op.drop_table('shift')
    op.drop_index(op.f('ix_help_request_offer_volunteer_id'), table_name='help_request_offer')
    op.drop_table('help_request_offer')
    op.drop_index(op.f('ix_shift_template_facility_id'), table_name='shift_template')
    op.drop_table('shift_template')
    op.drop_index(op.f('ix_help_request_starts_at'), table_name='help_request')
    op.drop_index(op.f('ix_help_request_requested_by'), table_name='help_request')
    op.drop_index(op.f('ix_help_request_accepted_by'), table_name='help_request')
    op.drop_table('help_request')
    op.drop_table('facility')
