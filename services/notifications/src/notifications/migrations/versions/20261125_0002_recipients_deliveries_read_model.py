"""recipients deliveries read model

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:13:01.935703
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('recipient_id', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.Enum('inbox', 'email', name='channel'), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='delivery_status'), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
    sa.UniqueConstraint('event_id', 'recipient_id', 'channel', name=op.f('uq_delivery_event_id'))
    )
    op.create_index('ix_delivery_created_at', 'delivery', ['created_at'], unique=False)
    op.create_index('ix_delivery_due', 'delivery', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_delivery_inbox', 'delivery', ['recipient_id', 'created_at', 'id'], unique=False)
    op.create_table('household',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('allocation_notice_number', sa.String(length=100), nullable=True),
    sa.Column('caseworker_id', sa.String(length=200), nullable=True),
    sa.Column('caseworker_since', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    op.create_index(op.f('ix_household_caseworker_id'), 'household', ['caseworker_id'], unique=False)
    op.create_table('mentorship',
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('match_id', sa.Uuid(), nullable=False),
    sa.Column('matched_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('household_id', 'volunteer_id', name=op.f('pk_mentorship'))
    )
    op.create_table('preference',
    sa.Column('recipient_id', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.Enum('inbox', 'email', name='channel'), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('recipient_id', 'event_type', 'channel', name=op.f('pk_preference'))
    )
    op.create_table('recipient',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('staff', 'volunteer', name='recipient_kind'), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('language', sa.String(length=16), server_default='de', nullable=False),
    sa.Column('roles', sa.ARRAY(sa.String(length=50)), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipient')),
    sa.UniqueConstraint('subject', name=op.f('uq_recipient_subject'))
    )
    op.create_index('ix_recipient_roles', 'recipient', ['roles'], unique=False, postgresql_using='gin')
    op.create_table('delivery_attempt',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('delivery_id', sa.Uuid(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('outcome', sa.Enum('sent', 'retry', 'failed', name='attempt_outcome'), nullable=False),
    sa.Column('smtp_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_delivery_attempt_delivery_id_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempt'))
    )
    op.create_index(op.f('ix_delivery_attempt_delivery_id'), 'delivery_attempt', ['delivery_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_delivery_attempt_delivery_id'), table_name='delivery_attempt')
    op.drop_table('delivery_attempt')
    op.drop_index('ix_recipient_roles', table_name='recipient', postgresql_using='gin')
    op.drop_table('recipient')
    op.drop_table('preference')
    op.drop_table('mentorship')
    op.drop_index(op.f('ix_household_caseworker_id'), table_name='household')
    op.drop_table('household')
    op.drop_index('ix_delivery_inbox', table_name='delivery')
    op.drop_index('ix_delivery_due', table_name='delivery', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('ix_delivery_created_at', table_name='delivery')
    op.drop_table('delivery')
    for enum_name in ("attempt_outcome", "recipient_kind", "delivery_status", "channel"):
        sa.Enum(name=enum_name).drop(op.get_bind())
