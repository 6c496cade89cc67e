"""Which beds are held and closed on a day: the reads placing, closing and the board share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from housing import domain
from housing.models import Bed, BedOccupancy, Closure, Placement


def occupying(on: date) -> ColumnElement[bool]:
    """Placements holding their beds on a day: not moved out, or moving out later."""
    return or_(Placement.moved_out_on.is_(None), Placement.moved_out_on > on)


def held_bed_ids(on: date) -> ColumnElement[uuid.UUID]:
    """Beds somebody holds on a day (a subquery)."""
    return (
        select(BedOccupancy.bed_id)
        .join(Placement, Placement.id == BedOccupancy.placement_id)
        .where(BedOccupancy.released.is_(False), occupying(on))
        .scalar_subquery()
    )


async def closure_spans(
    session: AsyncSession, on: date, unit_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, list[domain.ClosureSpan]]:
    """Unit id → its closures in force on a day."""
    query = select(Closure.unit_id, Closure.bed_id, Closure.starts_on, Closure.ends_on).where(
        Closure.starts_on <= on, Closure.ends_on >= on
    )
    if unit_ids is not None:
        query = query.where(Closure.unit_id.in_(list(unit_ids)))
    spans: dict[uuid.UUID, list[domain.ClosureSpan]] = {}
    for unit_id, bed_id, starts_on, ends_on in await session.execute(query):
        spans.setdefault(unit_id, []).append(domain.ClosureSpan(bed_id, starts_on, ends_on))
    return spans


@dataclass(frozen=True)
class ClosedToday:
    beds: int  # beds closed, held ones too
    unheld: int  # closed beds nobody holds: what the closure takes from the free ones
    until: date


async def closed_beds(session: AsyncSession, on: date) -> dict[uuid.UUID, ClosedToday]:
    """Unit id → its beds closed on a day, for the occupancy figures."""
    spans = await closure_spans(session, on)
    if not spans:
        return {}
    held = held_bed_ids(on)
    result = {}
    for unit_id, closures in spans.items():
        whole, bed_ids = domain.closed_on(closures, on)
        query = select(func.count(Bed.id), func.count(Bed.id).filter(Bed.id.not_in(held))).where(
            Bed.unit_id == unit_id
        )
        if not whole:
            query = query.where(Bed.id.in_(bed_ids))
        closed, unheld = (await session.execute(query)).one()
        result[unit_id] = ClosedToday(closed, unheld, max(c.ends_on for c in closures))
    return result
