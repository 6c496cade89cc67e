"""residence status reminders for members registered before the timers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from intake.config import get_settings

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # As service.schedule_residence_reminders would have: 07:00 Berlin time, the lead
    # time before the expiry; only for titles that are still valid.
    op.get_bind().execute(
        sa.text(
            """INSERT INTO timer (kind, key, due_at, run_at, payload)
            SELECT 'residence_status_expiry', id::text, due, due,
                jsonb_build_object('expires_on', residence_status_expires_on::text)
            FROM (SELECT id, residence_status_expires_on,
                    ((residence_status_expires_on - CAST(:days AS integer)) + time '07:00')
                        AT TIME ZONE 'Europe/Berlin' AS due
                FROM member
                WHERE residence_status_expires_on >= current_date) AS expiring
            ON CONFLICT (kind, key) DO NOTHING"""
        ),
        {"days": get_settings().residence_reminder_days},
    )


def downgrade() -> None:
    op.execute("DELETE FROM timer WHERE kind = 'residence_status_expiry'")
