"""courses people enrollments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:09:13.106152
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('integration_course', 'literacy_course', 'language_cafe', 'school_place', 'kita_place', 'job_readiness', 'leisure', name='offer_kind'), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=50), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('weekly_times', sa.String(length=200), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_course_ends_after_start')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_course_seats_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course'))
    )
    op.create_index(op.f('ix_course_kind'), 'course', ['kind'], unique=False)
    op.create_index(op.f('ix_course_starts_on'), 'course', ['starts_on'], unique=False)
    op.create_table('person',
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('age_group', sa.Enum('under_three', 'kita', 'school', 'adult', name='age_group'), nullable=False),
    sa.Column('languages', sa.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_person'))
    )
    op.create_index(op.f('ix_person_household_id'), 'person', ['household_id'], unique=False)
    op.create_table('enrollment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Enum('enrolled', 'waitlisted', 'withdrawn', name='enrollment_status'), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_enrollment_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['person.member_id'], name=op.f('fk_enrollment_member_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment'))
    )
    op.create_index('ix_enrollment_course_status_sequence', 'enrollment', ['course_id', 'status', 'sequence'], unique=False)
    op.create_index(op.f('ix_enrollment_household_id'), 'enrollment', ['household_id'], unique=False)
    op.create_index(op.f('ix_enrollment_member_id'), 'enrollment', ['member_id'], unique=False)
    op.create_index('uq_enrollment_active_member', 'enrollment', ['course_id', 'member_id'], unique=True, postgresql_where=sa.text("status IN ('enrolled', 'waitlisted')"))


def downgrade() -> None:
    op.drop_index('uq_enrollment_active_member', table_name='enrollment', postgresql_where=sa.text("status IN ('enrolled', 'waitlisted')"))
    op.drop_index(op.f('ix_enrollment_member_id'), table_name='enrollment')
    op.drop_index(op.f('ix_enrollment_household_id'), table_name='enrollment')
    op.drop_index('ix_enrollment_course_status_sequence', table_name='enrollment')
    op.drop_table('enrollment')
    op.drop_index(op.f('ix_person_household_id'), table_name='person')
    op.drop_table('person')
    op.drop_index(op.f('ix_course_starts_on'), table_name='course')
    op.drop_index(op.f('ix_course_kind'), table_name='course')
    op.drop_table('course')
    for enum_name in ("enrollment_status", "age_group", "offer_kind"):
        sa.Enum(name=enum_name).drop(op.get_bind())
