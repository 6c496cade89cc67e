"""Housing's figures for the city's leadership and the state's quota: occupancy over time
per site, allocations, arrivals, move-ins and departures per month, and how long
households wait. Counts only, derived from the placement history (who lived where from
when to when), so no snapshot table is needed: a day's occupancy is the placements
holding beds that day.

Departures ("moved out") are the move-outs housing records other than transfers: a
household leaving the city's accommodation (own flat, another municipality, other). They
are not the quota's "moved away": a household moving into a flat of its own still lives
in the city, and one that leaves the city before it is housed moves out of nothing. The
quota counts cases closed as moved away, which intake's figures (intake.figures) hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MONTHS_SHOWN = 12
# Upper bounds (days, inclusive) of the waiting-time groups; the last group is open.
WAITING_BOUNDS = (7, 14, 30, 60, 90)


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    allocated_households: int
    allocated_persons: int
    arrived_households: int
    arrived_persons: int
    housed_households: int
    housed_persons: int
    moved_out_households: int
    moved_out_persons: int


@dataclass(frozen=True)
class WaitingGroup:
    up_to_days: int | None  # None: more than the last bound
    housed: int  # households housed after waiting this long
    waiting: int  # households still waiting this long today


@dataclass(frozen=True)
class Figures:
    months: list[date]  # first days, oldest first
    # Site name → beds occupied at each month's end (today for the current month).
    occupancy: dict[str, list[int]]
    monthly: list[MonthFigures]
    waiting: list[WaitingGroup]


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    firsts = [today.replace(day=1)]
    while len(firsts) < count:
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return firsts[::-1]


def month_end(first: date, today: date) -> date:
    """A month's last day, or today for the month running."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return min(following - timedelta(days=1), today)


def waiting_group(days: int) -> int:
    """The index of the waiting-time group `days` falls in."""
    return next((i for i, bound in enumerate(WAITING_BOUNDS) if days <= bound), len(WAITING_BOUNDS))


def group_waiting(housed_days: Sequence[int], waiting_days: Sequence[int]) -> list[WaitingGroup]:
    housed = [0] * (len(WAITING_BOUNDS) + 1)
    waiting = [0] * (len(WAITING_BOUNDS) + 1)
    for days in housed_days:
        housed[waiting_group(days)] += 1
    for days in waiting_days:
        waiting[waiting_group(days)] += 1
    bounds: list[int | None] = [*WAITING_BOUNDS, None]
    return [WaitingGroup(b, h, w) for b, h, w in zip(bounds, housed, waiting, strict=True)]


_OCCUPANCY = text(
    """SELECT d.day, s.name, coalesce(sum(p.bed_count), 0)
    FROM unnest(CAST(:days AS date[])) AS d(day)
    CROSS JOIN site s
    LEFT JOIN placement p ON p.site_id = s.id AND p.moved_in_on <= d.day
        AND (p.moved_out_on IS NULL OR p.moved_out_on > d.day)
    GROUP BY d.day, s.name"""
)
# First move-in per household: a transfer is a move-in too, but not a housing.
_FIRST_MOVE_IN = """SELECT household_id, min(moved_in_on) AS housed_on FROM placement
    GROUP BY household_id"""
_MONTHLY = text(
    f"""WITH first AS ({_FIRST_MOVE_IN}),
    counted AS (
        SELECT date_trunc('month', allocated_on)::date AS month, 'allocated' AS what,
            1 AS households, member_count AS persons FROM waiting_household
        UNION ALL
        SELECT date_trunc('month', arrived_on)::date, 'arrived', 1, arrived_person_count
            FROM waiting_household WHERE arrived_on IS NOT NULL
        UNION ALL
        SELECT date_trunc('month', f.housed_on)::date, 'housed', 1, w.member_count
            FROM first f JOIN waiting_household w USING (household_id)
        UNION ALL
        SELECT date_trunc('month', p.moved_out_on)::date, 'moved_out', 1, w.member_count
            FROM placement p JOIN waiting_household w USING (household_id)
            WHERE p.moved_out_on IS NOT NULL AND p.move_out_reason <> 'transfer'
            AND p.moved_out_on <= :today
    )
    SELECT month, what, count(*), coalesce(sum(persons), 0) FROM counted
    WHERE month >= :since GROUP BY month, what"""  # noqa: S608 - no input in the text
)
_WAITED = text(
    f"""WITH first AS ({_FIRST_MOVE_IN})
    SELECT f.housed_on - w.allocated_on, f.housed_on IS NULL
        AND w.status = 'awaiting', :today - w.allocated_on
    FROM waiting_household w LEFT JOIN first f USING (household_id)"""  # noqa: S608
)


async def get_figures(*, session: AsyncSession, today: date) -> Figures:
    """The figures as the database holds them today. Counts only: not audited, as they
    name and describe nobody (the page's caller is checked for its role)."""
    months = last_months(today)
    ends = [month_end(first, today) for first in months]
    occupied: dict[str, dict[date, int]] = {}
    for day, site, beds in await session.execute(_OCCUPANCY, {"days": ends}):
        occupied.setdefault(site, {})[day] = int(beds)
    occupancy = {
        site: [by_day.get(end, 0) for end in ends] for site, by_day in sorted(occupied.items())
    }

    counts: dict[tuple[date, str], tuple[int, int]] = {}
    for month, what, households, persons in await session.execute(
        _MONTHLY, {"since": months[0], "today": today}
    ):
        counts[(month, what)] = (int(households), int(persons))

    def of(month: date, what: str) -> tuple[int, int]:
        return counts.get((month, what), (0, 0))

    monthly = [
        MonthFigures(
            month,
            *of(month, "allocated"),
            *of(month, "arrived"),
            *of(month, "housed"),
            *of(month, "moved_out"),
        )
        for month in months
    ]

    housed_days: list[int] = []
    waiting_days: list[int] = []
    for waited, still_waiting, so_far in await session.execute(_WAITED, {"today": today}):
        if waited is not None:
            housed_days.append(int(waited))
        elif still_waiting:
            waiting_days.append(int(so_far))
    return Figures(months, occupancy, monthly, group_waiting(housed_days, waiting_days))
