"""Volunteers' figures for the city's leadership: per month, the volunteers active, the
mentorships running, and the shifts with their slots and the slots filled. Counts only.

Volunteers are registered without an end, so "active in a month" is what the records
show of work: a volunteer who held a slot of a shift in the month (not cancelled) or
had a mentorship running in it. A mentorship runs in a month if it started by the
month's last day and had not ended before its first. Shifts count in the month they
start (city time), the running month's planned ones too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    active_volunteers: int
    mentorships: int
    shifts: int
    slots: int
    filled: int


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    firsts = [today.replace(day=1)]
    while len(firsts) < count:
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return firsts[::-1]


_MONTHLY = text(
    """
    WITH month AS (
        SELECT m::date AS first, (m + interval '1 month' - interval '1 day')::date AS last
        FROM generate_series(CAST(:since AS date), CAST(:until AS date), interval '1 month') m
    ),
    shift_month AS (
        SELECT s.id, s.slots,
               date_trunc('month', s.starts_at AT TIME ZONE 'Europe/Berlin')::date AS first
        FROM shift s WHERE s.cancelled_at IS NULL
    ),
    working AS (
        SELECT sm.first, g.volunteer_id
        FROM shift_month sm JOIN shift_signup g ON g.shift_id = sm.id
        UNION
        SELECT month.first, x.volunteer_id
        FROM month JOIN match x
          ON x.started_on <= month.last AND (x.ended_on IS NULL OR x.ended_on >= month.first)
    )
    SELECT month.first AS month,
        (SELECT count(DISTINCT w.volunteer_id) FROM working w WHERE w.first = month.first)
            AS active_volunteers,
        (SELECT count(*) FROM match x WHERE x.started_on <= month.last
            AND (x.ended_on IS NULL OR x.ended_on >= month.first)) AS mentorships,
        (SELECT count(*) FROM shift_month sm WHERE sm.first = month.first) AS shifts,
        (SELECT coalesce(sum(sm.slots), 0) FROM shift_month sm WHERE sm.first = month.first)
            AS slots,
        (SELECT count(*) FROM shift_month sm JOIN shift_signup g ON g.shift_id = sm.id
            WHERE sm.first = month.first) AS filled
    FROM month ORDER BY month.first
    """
)


async def get_monthly(*, session: AsyncSession, today: date) -> list[MonthFigures]:
    months = last_months(today)
    rows = await session.execute(_MONTHLY, {"since": months[0], "until": months[-1]})
    return [
        MonthFigures(
            month=row.month,
            active_volunteers=int(row.active_volunteers),
            mentorships=int(row.mentorships),
            shifts=int(row.shifts),
            slots=int(row.slots),
            filled=int(row.filled),
        )
        for row in rows
    ]
