"""The monthly figures the state's allocation quota needs, from intake's records: how
many households (and persons) were allocated, and how many moved away (their case closed
with the reason moved away, counted by the day it closed), per month of a year. Arrivals
and housing are housing's figures; a move out of the city's accommodation is no move away
(the household may still live in the city).

Counts only, within the caller's scope (a team lead: the whole city); no person is named,
so reading them is not an access to a personal record and is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.auth import Principal

from intake.dependencies import HOUSEHOLDS
from intake.domain import ClosureReason
from intake.models import Household, Member


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    allocated_households: int = 0
    allocated_persons: int = 0
    moved_away_households: int = 0
    moved_away_persons: int = 0


async def monthly(*, session: AsyncSession, principal: Principal, year: int) -> list[MonthFigures]:
    """Twelve months of `year`, each with its figures (months without any: zeros)."""
    in_scope = HOUSEHOLDS.where(principal)
    persons = (
        select(Member.household_id, func.count().label("persons"))
        .group_by(Member.household_id)
        .subquery()
    )
    allocated = await session.execute(
        select(
            extract("month", Household.allocated_on).label("month"),
            func.count(Household.id),
            func.coalesce(func.sum(persons.c.persons), 0),
        )
        .outerjoin(persons, persons.c.household_id == Household.id)
        .where(in_scope, extract("year", Household.allocated_on) == year)
        .group_by("month")
    )
    moved = await session.execute(
        select(
            extract("month", Household.closed_on).label("month"),
            func.count(Household.id),
            func.coalesce(func.sum(persons.c.persons), 0),
        )
        .outerjoin(persons, persons.c.household_id == Household.id)
        .where(
            and_(
                in_scope,
                Household.closure_reason == ClosureReason.MOVED_AWAY,
                extract("year", Household.closed_on) == year,
            )
        )
        .group_by("month")
    )
    by_month: dict[int, dict[str, int]] = {m: {} for m in range(1, 13)}
    for month, households, members in allocated:
        by_month[int(month)] |= {"allocated_households": households, "allocated_persons": members}
    for month, households, members in moved:
        by_month[int(month)] |= {"moved_away_households": households, "moved_away_persons": members}
    return [
        MonthFigures(month=date(year, month, 1), **{k: int(v) for k, v in counts.items()})
        for month, counts in by_month.items()
    ]
