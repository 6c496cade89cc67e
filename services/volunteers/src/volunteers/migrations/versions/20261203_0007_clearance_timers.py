"""deletion and re-inspection timers for clearances recorded before the timers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from volunteers.config import get_settings

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # As service._schedule_deletion and _schedule_reinspection would have (Berlin time;
    # PostgreSQL's date + interval clamps to a shorter month's end, as domain.add_months).
    settings = get_settings()
    bind = op.get_bind()
    bind.execute(
        sa.text(
            """INSERT INTO timer (kind, key, due_at, run_at)
            SELECT 'clearance_deletion', volunteer_id::text, due, due
            FROM (SELECT volunteer_id, delete_after::timestamp AT TIME ZONE 'Europe/Berlin' AS due
                FROM police_clearance WHERE delete_after IS NOT NULL) AS deleting
            ON CONFLICT (kind, key) DO NOTHING"""
        )
    )
    bind.execute(
        sa.text(
            """INSERT INTO timer (kind, key, due_at, run_at, payload)
            SELECT 'clearance_reinspection', volunteer_id::text, due, due,
                jsonb_build_object('due_on', expires_on::text)
            FROM (SELECT volunteer_id, expires_on,
                    ((expires_on - CAST(:days AS integer)) + time '07:00') AT TIME ZONE 'Europe/Berlin' AS due
                FROM (SELECT volunteer_id,
                        (issued_on + make_interval(years => CAST(:years AS integer)))::date AS expires_on
                    FROM police_clearance WHERE NOT relevant_conviction) AS valid) AS reminding
            ON CONFLICT (kind, key) DO NOTHING"""
        ),
        {"days": settings.clearance_reminder_days, "years": settings.clearance_validity_years},
    )


def downgrade() -> None:
    op.execute("DELETE FROM timer WHERE kind IN ('clearance_deletion', 'clearance_reinspection')")
