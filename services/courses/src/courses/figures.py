"""Courses' figures for the city's leadership: places and waitlists of the offers running
or still to start, per kind of offer, and enrolments per month. Counts only, no persons.

"Now" is today: an offer counts while it has not ended (no end date, or one from today on).
A month's enrolments are the seats taken in it (when the person got the seat, also from
the waitlist), whatever became of the enrolment later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.courses import OfferKind

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class KindPlaces:
    kind: OfferKind
    offers: int
    seats: int
    taken: int
    free: int
    waiting: int


@dataclass(frozen=True)
class Figures:
    places: list[KindPlaces]  # the kinds with at least one running offer, in OfferKind order
    months: list[date]  # first days, oldest first
    enrolments: list[int]  # seats taken in each month


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    firsts = [today.replace(day=1)]
    while len(firsts) < count:
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return firsts[::-1]


_PLACES = text(
    """
    SELECT c.kind AS kind, count(*) AS offers, sum(c.seats) AS seats,
           sum(coalesce(e.taken, 0)) AS taken,
           sum(greatest(c.seats - coalesce(e.taken, 0), 0)) AS free,
           sum(coalesce(e.waiting, 0)) AS waiting
    FROM course c
    LEFT JOIN (
        SELECT course_id,
               count(*) FILTER (WHERE status = 'enrolled') AS taken,
               count(*) FILTER (WHERE status = 'waitlisted') AS waiting
        FROM enrollment GROUP BY course_id
    ) e ON e.course_id = c.id
    WHERE c.ends_on IS NULL OR c.ends_on >= :today
    GROUP BY c.kind
    """
)

_ENROLMENTS = text(
    """
    SELECT date_trunc('month', enrolled_at AT TIME ZONE 'Europe/Berlin')::date AS month,
           count(*) AS enrolled
    FROM enrollment
    WHERE enrolled_at IS NOT NULL
      AND enrolled_at AT TIME ZONE 'Europe/Berlin' >= :since
    GROUP BY 1
    """
)


async def get_figures(*, session: AsyncSession, today: date) -> Figures:
    rows = {OfferKind(row.kind): row for row in (await session.execute(_PLACES, {"today": today}))}
    places = [
        KindPlaces(
            kind=kind,
            offers=int(row.offers),
            seats=int(row.seats),
            taken=int(row.taken),
            free=int(row.free),
            waiting=int(row.waiting),
        )
        for kind in OfferKind
        if (row := rows.get(kind)) is not None
    ]
    months = last_months(today)
    per_month = {
        row.month: int(row.enrolled)
        for row in await session.execute(_ENROLMENTS, {"since": months[0]})
    }
    return Figures(places=places, months=months, enrolments=[per_month.get(m, 0) for m in months])
