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
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Select,
    Subquery,
    Table,
    any_,
    bindparam,
    delete,
    not_,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.households import AllocatedMember, HouseholdAssigned, normalise_notice_number
from teilhabe.messaging.inbox import NotYet

from housing.dependencies import SITES, WAITING_HOUSEHOLDS
from housing.models import HouseholdMember, Placement, Site, Unit, WaitingHousehold
from housing.occupancy import occupying
from housing.schemas import PersonOut, UnitResidents
from housing.service import audit


async def record_assigned_members(
    *, session: AsyncSession, events: Sequence[HouseholdAssigned]
) -> None:
    """The members named at registration, unless a later change was applied already.

    The referral is staged after the assignment and may be handled after it: then nothing
    is written and `NotYet` makes the consumer try again once the referral is in.
    """
    ids = [event.household_id for event in events]
    revisions: dict[uuid.UUID, int] = {
        household_id: revision
        for household_id, revision in await session.execute(_LOCK_REFERRED, {"households": ids})
    }
    missing = [str(household_id) for household_id in ids if household_id not in revisions]
    if missing:
        raise NotYet(f"household {', '.join(missing)} not referred yet")
    # The last event of a household counts, as if they were applied one after the other.
    named = {e.household_id: e.members for e in events if revisions[e.household_id] == 0}
    present = [m.member_id for members in named.values() for m in members]
    if named:
        await session.execute(_LEAVE, {"households": list(named), "present": present})
    if present:
        await session.execute(
            _UPSERT_MEMBER,
            [
                {"member_id": m.member_id, "household_id": household_id, "age_group": m.age_group}
                for household_id, members in named.items()
                for m in members
            ],
        )


# Statements of the consumer's hot path, built once; a list as one array parameter keeps
# one prepared statement whatever its length.
_LOCK_REFERRED = (
    select(WaitingHousehold.household_id, WaitingHousehold.members_revision)
    .where(
        WaitingHousehold.household_id
        == any_(bindparam("households", type_=ARRAY(WaitingHousehold.household_id.type)))
    )
    .order_by(WaitingHousehold.household_id)
    .with_for_update()
)
_members = cast(Table, HouseholdMember.__table__).c
# Those no longer named leave their household.
_LEAVE = delete(cast(Table, HouseholdMember.__table__)).where(
    _members.household_id == any_(bindparam("households", type_=ARRAY(_members.household_id.type))),
    not_(_members.member_id == any_(bindparam("present", type_=ARRAY(_members.member_id.type)))),
)


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
    if not members:
        return
    # executemany form: one cached statement whatever the number of members.
    await session.execute(
        _UPSERT_MEMBER,
        [
            {"member_id": m.member_id, "household_id": household_id, "age_group": m.age_group}
            for m in members
        ],
    )


_member = insert(cast(Table, HouseholdMember.__table__))
# A member known already keeps whether they came; age group and household follow intake.
_UPSERT_MEMBER = _member.on_conflict_do_update(
    index_elements=[HouseholdMember.member_id],
    set_={"age_group": _member.excluded.age_group, "household_id": _member.excluded.household_id},
)


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
