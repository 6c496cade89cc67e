"""Protection needs: the lists kept as data, a household's needs as its caseworker records
them, the protections a unit offers, and whether a unit suits a household. One
transaction per use case; reads and changes of a household's needs are audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound, raise_refusal
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal
from teilhabe.clock import now

from housing import domain
from housing.dependencies import PROTECTION_NEEDS, SITES
from housing.models import (
    HouseholdProtectionNeed,
    ProtectionNeedKind,
    Unit,
    UnitProtectionKind,
    WaitingHousehold,
    audit_log,
)
from housing.schemas import ProtectionKindOut, ProtectionListsOut, ProtectionNeedsOut, UnitFit

# Its own handle on the service's audit table: placing (service) asks this module first.
audit = Auditor(audit_log)


async def get_lists(*, session: AsyncSession) -> ProtectionListsOut:
    needs = await session.scalars(select(ProtectionNeedKind).order_by(ProtectionNeedKind.position))
    protections = await session.scalars(
        select(UnitProtectionKind).order_by(UnitProtectionKind.position)
    )
    return ProtectionListsOut(
        needs=[
            ProtectionKindOut(
                code=n.code, label_de=n.label_de, label_en=n.label_en, requires=list(n.requires)
            )
            for n in needs
        ],
        unit_protections=[
            ProtectionKindOut(code=p.code, label_de=p.label_de, label_en=p.label_en)
            for p in protections
        ],
    )


async def get_household_needs(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> ProtectionNeedsOut:
    household = await PROTECTION_NEEDS.get(session, principal, household_id)
    shown = await _needs_out(session, household)
    await audit(session, principal, "read_protection_needs", "household", [household_id])
    await session.commit()
    return shown


async def record_household_needs(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, codes: Sequence[str]
) -> ProtectionNeedsOut:
    """The household's needs are now these (flags from the list; none clears them)."""
    household = await PROTECTION_NEEDS.get(session, principal, household_id, for_update=True)
    known = set(await session.scalars(select(ProtectionNeedKind.code)))
    unknown = domain.unknown_codes(codes, known)
    if unknown:
        raise InvalidFields({"needs": f"not a protection need of the list: {unknown[0]}"})
    await session.execute(
        delete(HouseholdProtectionNeed).where(HouseholdProtectionNeed.household_id == household_id)
    )
    moment = now()
    session.add_all(
        HouseholdProtectionNeed(
            household_id=household_id, code=code, recorded_by=principal.subject, recorded_at=moment
        )
        for code in dict.fromkeys(codes)
    )
    await session.flush()
    shown = await _needs_out(session, household)
    await audit(session, principal, "record_protection_needs", "household", [household_id])
    await session.commit()
    return shown


async def set_unit_protections(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID, codes: Sequence[str]
) -> Unit:
    """What protection a unit offers; under the unit's lock, as placing reads it."""
    unit = await session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise NotFound("unit")
    await SITES.get(session, principal, unit.site_id)
    known = set(await session.scalars(select(UnitProtectionKind.code)))
    unknown = domain.unknown_codes(codes, known)
    if unknown:
        raise InvalidFields({"protections": f"not a unit protection of the list: {unknown[0]}"})
    unit.protections = list(dict.fromkeys(codes))
    await session.commit()
    return unit


async def needs_of(
    session: AsyncSession, household_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[domain.ProtectionNeed]]:
    """Household id → its needs with what each requires (for the rule and the forms)."""
    rows = await session.execute(
        select(
            HouseholdProtectionNeed.household_id,
            ProtectionNeedKind.code,
            ProtectionNeedKind.requires,
        )
        .join(ProtectionNeedKind, ProtectionNeedKind.code == HouseholdProtectionNeed.code)
        .where(HouseholdProtectionNeed.household_id.in_(list(household_ids)))
        .order_by(ProtectionNeedKind.position)
    )
    found: dict[uuid.UUID, list[domain.ProtectionNeed]] = {}
    for household_id, code, requires in rows:
        found.setdefault(household_id, []).append(domain.ProtectionNeed(code, frozenset(requires)))
    return found


async def check_unit_suits(
    session: AsyncSession, household_id: uuid.UUID, unit: Unit, *, override_reason: str | None
) -> str | None:
    """Refuse a unit lacking a protection the household needs, unless overridden with a
    reason; returns the reason to record when the override was needed."""
    needs = (await needs_of(session, [household_id])).get(household_id, [])
    refusal = domain.protection_problem(needs, unit.protections, override_reason=override_reason)
    if refusal is not None:
        raise_refusal(refusal)
    if domain.missing_protections(needs, unit.protections):
        return override_reason
    return None


async def _needs_out(session: AsyncSession, household: WaitingHousehold) -> ProtectionNeedsOut:
    rows = list(
        await session.execute(
            select(HouseholdProtectionNeed)
            .join(ProtectionNeedKind, ProtectionNeedKind.code == HouseholdProtectionNeed.code)
            .where(HouseholdProtectionNeed.household_id == household.household_id)
            .order_by(ProtectionNeedKind.position)
        )
    )
    needs = [row[0] for row in rows]
    latest = max(needs, key=lambda need: need.recorded_at, default=None)
    return ProtectionNeedsOut(
        household_id=household.household_id,
        allocation_notice_number=household.allocation_notice_number,
        needs=[need.code for need in needs],
        recorded_by=latest.recorded_by if latest else None,
        recorded_at=latest.recorded_at if latest else None,
    )


async def get_unit_fit(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    units: Iterable[tuple[uuid.UUID, Sequence[str]]],
    language: str,
) -> UnitFit:
    """What the forms placing a household show: its needs in words, and for each unit
    (id, protections offered) what it lacks of them, in words. Audited: needs are read."""
    needs = (await needs_of(session, [household_id])).get(household_id, [])
    kinds = await get_lists(session=session)
    words = {
        kind.code: kind.label_de if language == "de" else kind.label_en
        for kind in (*kinds.needs, *kinds.unit_protections)
    }
    lacking = {}
    for unit_id, offered in units:
        missing = domain.missing_protections(needs, offered)
        if missing:
            codes = sorted(set().union(*missing.values()))
            lacking[unit_id] = [words.get(code, code) for code in codes]
    if needs:
        await audit(session, principal, "read_protection_needs", "household", [household_id])
        await session.commit()
    return UnitFit(needs=[words.get(need.code, need.code) for need in needs], lacking=lacking)
