"""Closing a unit or a bed for a time (repair, quarantine), and what a closure means for
those living there: one transaction per use case, its event staged in it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.housing import CapacityChange

from housing import domain
from housing.dependencies import SITES
from housing.models import Bed, Closure, Placement, Site, Unit, WaitingHousehold
from housing.publishing import capacity_changed
from housing.schemas import (
    BedOut,
    ClosureIn,
    ClosureResident,
    ClosureWithResidents,
    UnitClosures,
)
from housing.service import audit


async def close(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID, closure_in: ClosureIn
) -> Closure:
    """Close a unit or one of its beds for a time; under the unit's lock, so no placement
    into it races the closure. Those living there stay (they are listed for a transfer)."""
    unit, site = await _locked_unit(session, principal, unit_id)
    refusal = domain.closure_problem(closure_in.starts_on, closure_in.ends_on)
    if refusal is not None:
        raise_refusal(refusal)
    if closure_in.bed_id is not None:
        bed = await session.get(Bed, closure_in.bed_id)
        if bed is None or bed.unit_id != unit.id:
            raise InvalidFields({"bed_id": "no bed with this id in this unit"})
    closure = Closure(id=uuid.uuid4(), unit_id=unit.id, **closure_in.model_dump())
    session.add(closure)
    await session.flush()
    residents = await _residents(session, unit.id, [closure])
    await capacity_changed(
        session,
        site,
        unit,
        CapacityChange.CLOSED,
        beds=len(unit.beds),
        beds_changed=1 if closure.bed_id else len(unit.beds),
        closure=closure,
        households_to_move=len(residents[closure.id]),
    )
    await session.commit()
    return closure


async def get_unit_closures(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> UnitClosures:
    """The unit's current and coming closures, each with the households living in what is
    closed during it; audited (they are named by notice number)."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    site = await SITES.get(session, principal, unit.site_id)
    closures = list(
        await session.scalars(
            select(Closure)
            .where(Closure.unit_id == unit.id, Closure.ends_on >= today())
            .order_by(Closure.starts_on, Closure.created_at)
        )
    )
    residents = await _residents(session, unit.id, closures)
    labels = {bed.id: bed.label for bed in unit.beds}
    shown = UnitClosures(
        unit_id=unit.id,
        unit_name=unit.name,
        site_id=site.id,
        site_name=site.name,
        beds=[BedOut(id=bed.id, label=bed.label) for bed in unit.beds],
        closures=[
            ClosureWithResidents(
                id=closure.id,
                unit_id=closure.unit_id,
                bed_id=closure.bed_id,
                bed_label=labels.get(closure.bed_id) if closure.bed_id else None,
                starts_on=closure.starts_on,
                ends_on=closure.ends_on,
                reason=closure.reason,
                residents=residents[closure.id],
            )
            for closure in closures
        ],
    )
    households = {r.household_id for c in shown.closures for r in c.residents}
    await audit(session, principal, "list", "household", sorted(households, key=str))
    await session.commit()
    return shown


async def _locked_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> tuple[Unit, Site]:
    """The unit, locked as placing locks it, if the caller may see its site; 404 otherwise."""
    unit = await session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise NotFound("unit")
    return unit, await SITES.get(session, principal, unit.site_id)


async def _residents(
    session: AsyncSession, unit_id: uuid.UUID, closures: Sequence[Closure]
) -> dict[uuid.UUID, list[ClosureResident]]:
    """Closure id → the households living in what it closes at some day of it."""
    found: dict[uuid.UUID, list[ClosureResident]] = {closure.id: [] for closure in closures}
    if not closures:
        return found
    rows = await session.execute(
        select(Placement, WaitingHousehold.allocation_notice_number)
        .outerjoin(WaitingHousehold, WaitingHousehold.household_id == Placement.household_id)
        .where(
            Placement.unit_id == unit_id,
            Placement.moved_in_on <= max(c.ends_on for c in closures),
            (Placement.moved_out_on.is_(None))
            | (Placement.moved_out_on > min(c.starts_on for c in closures)),
        )
        .order_by(Placement.moved_in_on, Placement.created_at)
    )
    for placement, notice_number in rows:
        bed_ids = [occupancy.bed_id for occupancy in placement.beds]
        for closure in closures:
            span = domain.ClosureSpan(closure.bed_id, closure.starts_on, closure.ends_on)
            if domain.lives_in_closure(
                span,
                moved_in_on=placement.moved_in_on,
                moved_out_on=placement.moved_out_on,
                bed_ids=bed_ids,
            ):
                found[closure.id].append(
                    ClosureResident(
                        placement_id=placement.id,
                        household_id=placement.household_id,
                        allocation_notice_number=notice_number,
                        bed_count=placement.bed_count,
                        moved_in_on=placement.moved_in_on,
                        moved_out_on=placement.moved_out_on,
                    )
                )
    return found
