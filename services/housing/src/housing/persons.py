"""The persons of each household as housing knows them (intake's reference and the age
group; never a name), and where they live: the residents of a unit, and the search
"where does this person live" across every site.

Names stay in intake: events carry no names, and housing places households by size,
age and needs. An officer finds a person by intake's reference or by the allocation notice
number the person carries (Zuweisungsbescheid).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, Subquery, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.households import AllocatedMember, normalise_notice_number

from housing.dependencies import SITES, WAITING_HOUSEHOLDS
from housing.models import HouseholdMember, Placement, Site, Unit, WaitingHousehold
from housing.occupancy import occupying
from housing.schemas import PersonOut, UnitResidents
from housing.service import audit


async def record_assigned_members(
    *, session: AsyncSession, household_id: uuid.UUID, members: Sequence[AllocatedMember]
) -> None:
    """The members named at registration, unless a later change was applied already."""
    household = await session.get(WaitingHousehold, household_id, with_for_update=True)
    if household is None:
        # The referral is still on its way (retries may reorder): try again later.
        raise LookupError(f"household {household_id} not referred yet")
    if household.members_revision == 0:
        await replace_members(session=session, household_id=household_id, members=members)


async def replace_members(
    *, session: AsyncSession, household_id: uuid.UUID, members: Sequence[AllocatedMember]
) -> None:
    """The household's members as intake names them now: those no longer in it leave, new
    ones join, the others keep their age group updated and whether they came."""
    present = [m.member_id for m in members]
    await session.execute(
        delete(HouseholdMember).where(
            HouseholdMember.household_id == household_id, HouseholdMember.member_id.not_in(present)
        )
    )
    known = set(
        await session.scalars(
            select(HouseholdMember.member_id).where(HouseholdMember.member_id.in_(present))
        )
    )
    for member in members:
        if member.member_id in known:
            await session.execute(
                update(HouseholdMember)
                .where(HouseholdMember.member_id == member.member_id)
                .values(age_group=member.age_group, household_id=household_id)
            )
        else:
            session.add(
                HouseholdMember(
                    member_id=member.member_id,
                    household_id=household_id,
                    age_group=member.age_group,
                )
            )
    await session.flush()


async def find_persons(
    *,
    session: AsyncSession,
    principal: Principal,
    member_id: uuid.UUID | None,
    notice_number: str | None,
) -> list[PersonOut]:
    """Where a person lives today, across every site: by intake's reference of the person,
    or every person of the household with an allocation notice number. Audited."""
    if member_id is None and not (notice_number and notice_number.strip()):
        raise InvalidFields({"member_id": "give a person's reference or a notice number"})
    query, _ = _persons_query()
    query = query.where(WAITING_HOUSEHOLDS.where(principal)).order_by(
        WaitingHousehold.allocation_notice_number, HouseholdMember.member_id
    )
    if member_id is not None:
        query = query.where(HouseholdMember.member_id == member_id)
    if notice_number and notice_number.strip():
        query = query.where(
            WaitingHousehold.allocation_notice_number == normalise_notice_number(notice_number)
        )
    found = [_person(row) for row in await session.execute(query)]
    await audit(session, principal, "search", "person", [p.member_id for p in found])
    await session.commit()
    return found


async def get_unit_residents(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> UnitResidents:
    """The persons living in a unit today (reference, age group, household); audited."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    await SITES.get(session, principal, unit.site_id)
    residents = (await residents_by_unit(session=session, unit_ids=[unit.id])).get(unit.id, [])
    await audit(session, principal, "read", "person", [p.member_id for p in residents])
    await session.commit()
    return UnitResidents(unit_id=unit.id, residents=residents)


async def residents_by_unit(
    *, session: AsyncSession, unit_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[PersonOut]]:
    """Unit id → the persons living there today; the caller audits what it shows."""
    if not unit_ids:
        return {}
    query, current = _persons_query()
    query = query.where(current.c.unit_id.in_(unit_ids)).order_by(
        current.c.moved_in_on,
        WaitingHousehold.allocation_notice_number,
        HouseholdMember.age_group.desc(),
    )
    shown: dict[uuid.UUID, list[PersonOut]] = {}
    for row in await session.execute(query):
        person = _person(row)
        assert person.unit_id is not None
        shown.setdefault(person.unit_id, []).append(person)
    return shown


def _persons_query() -> tuple[Select[Any], Subquery]:
    """Each person with the household and where it lives today (outer: none), and the
    subquery of today's placements to filter by."""
    current = (
        select(Placement.household_id, Placement.unit_id, Placement.site_id, Placement.moved_in_on)
        .where(occupying(today()))
        .subquery()
    )
    query = (
        select(
            HouseholdMember.member_id,
            HouseholdMember.age_group,
            HouseholdMember.arrived,
            WaitingHousehold.household_id,
            WaitingHousehold.allocation_notice_number,
            current.c.site_id,
            Site.name,
            current.c.unit_id,
            Unit.name,
            current.c.moved_in_on,
        )
        .join(WaitingHousehold, WaitingHousehold.household_id == HouseholdMember.household_id)
        .join(current, current.c.household_id == HouseholdMember.household_id, isouter=True)
        .join(Site, Site.id == current.c.site_id, isouter=True)
        .join(Unit, Unit.id == current.c.unit_id, isouter=True)
    )
    return query, current


def _person(row: Sequence[object]) -> PersonOut:
    member_id, age_group, arrived, household_id, number, site_id, site, unit_id, unit, since = row
    return PersonOut.model_validate(
        {
            "member_id": member_id,
            "age_group": age_group,
            "arrived": arrived,
            "household_id": household_id,
            "allocation_notice_number": number,
            "site_id": site_id,
            "site": site,
            "unit_id": unit_id,
            "unit": unit,
            "living_there_since": since,
        }
    )


async def get_site_residents(
    *, session: AsyncSession, principal: Principal, site_id: uuid.UUID
) -> dict[uuid.UUID, list[PersonOut]]:
    """Unit id → the persons living there today, for a site's page; audited."""
    site = await SITES.get(session, principal, site_id)
    shown = await residents_by_unit(session=session, unit_ids=[unit.id for unit in site.units])
    await audit(
        session, principal, "read", "person", [p.member_id for ps in shown.values() for p in ps]
    )
    await session.commit()
    return shown
