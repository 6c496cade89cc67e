"""Use cases of intake: one transaction each, the event staged in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.api.problems import Conflict, InvalidFields
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal, Role
from teilhabe.clock import on_day
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    CaseworkerAssigned,
    HouseholdAssigned,
    HouseholdReferredToHousing,
    ResidenceStatusExpiring,
)
from teilhabe.events.staff import StaffEntry
from teilhabe.messaging.outbox import Outbox
from teilhabe.queries import contains, count_and_page
from teilhabe.timers import Timer, cancel, schedule_all

from intake import domain, registration
from intake.config import get_settings
from intake.dependencies import HOUSEHOLDS
from intake.models import Household, Member, StaffMember, audit_log, messaging
from intake.schemas import AllocationIn

outbox = Outbox(messaging.outbox, source="/teilhabe/intake")
audit = Auditor(audit_log)
RESOURCE = "household"
# The timer of a member's residence status expiry reminder (teilhabe.timers), keyed by member.
RESIDENCE_EXPIRY = "residence_status_expiry"
# Reminders reach the office at the start of a working day, not at midnight.
REMINDER_TIME = time(7, 0)


async def register(
    *, session: AsyncSession, principal: Principal, allocation: AllocationIn, today: date
) -> Household:
    [household] = await register_many(
        session=session, principal=principal, allocations=[allocation], today=today, prefix=None
    )
    return household


async def register_many(
    *,
    session: AsyncSession,
    principal: Principal,
    allocations: Sequence[AllocationIn],
    today: date,
    prefix: str | None = "allocations",
) -> list[Household]:
    """Register allocation notices all or none: a list with one bad row changes nothing."""
    problems: dict[str, str] = {}
    teams: list[str | None] = []
    for index, allocation in enumerate(allocations):
        where = f"{prefix}[{index}]." if prefix else ""
        found = allocation_problems(allocation, today)
        problems |= {where + field: reason for field, reason in found.items()}
        choice = domain.registering_team(
            allocation.team, principal.teams, leads=principal.has_any_role(Role.TEAM_LEAD)
        )
        if choice.problem:
            problems[where + "team"] = choice.problem
        teams.append(choice.team)
    numbers = [a.allocation_notice_number for a in allocations]
    repeated = {n for n in numbers if numbers.count(n) > 1}
    if repeated:
        raise Conflict(
            f"allocation notices listed twice: {', '.join(sorted(repeated))}",
            code="duplicate-allocation",
        )
    if problems:
        raise InvalidFields(problems)
    households = [
        new_household(allocation, team) for allocation, team in zip(allocations, teams, strict=True)
    ]
    known = await store_registered(session, principal, households)
    if known:
        raise Conflict(
            f"allocation notice {', '.join(sorted(known))} is already registered",
            code="duplicate-allocation",
        )
    await session.commit()
    return households


async def store_registered(
    session: AsyncSession, principal: Principal, households: Sequence[Household]
) -> list[str]:
    """Store newly allocated households with what a registration brings about (its events,
    the residence reminders, the audit entries), uncommitted; or, when any notice number
    is registered already, store none, roll back and return those numbers."""
    known = await registration.insert_households(session, households)
    if known:
        return known
    # School duty and integration course: follow-ups and school-place requests at once
    # (intake.arrival builds on this module, hence imported here).
    from intake import arrival

    started = arrival.plan(principal, households, clock.today())
    await arrival.store_follow_ups(session, started.follow_ups)
    # The events and timers of all of it in one statement each (and one wake-up each):
    # the households' events, then the school-place requests, as before.
    await outbox.add_many(
        session,
        [*(event for h in households for event in registered_events(h)), *started.requests],
    )
    # New members have no reminders yet, so none to cancel for those without an expiry.
    reminders, _ = residence_reminders([m for h in households for m in h.members])
    await schedule_all(session, [*reminders, *started.timers])
    await audit(session, principal, "create", RESOURCE, [h.id for h in households])
    return []


def allocation_problems(allocation: AllocationIn, today: date) -> dict[str, str]:
    return domain.allocation_problems(
        allocated_on=allocation.allocated_on,
        expected_arrival_on=allocation.expected_arrival_on,
        members=[
            domain.MemberFacts(m.date_of_birth, m.residence_status, m.residence_status_expires_on)
            for m in allocation.members
        ],
        today=today,
    )


def new_household(allocation: AllocationIn, team: str | None) -> Household:
    household_id = uuid.uuid4()
    return Household(
        id=household_id,
        team=team,
        allocation_notice_number=allocation.allocation_notice_number,
        allocated_on=allocation.allocated_on,
        allocating_authority=allocation.allocating_authority,
        expected_arrival_on=allocation.expected_arrival_on,
        needs_accessible_housing=allocation.needs_accessible_housing,
        housing_status=domain.HousingStatus.AWAITING,
        members=[
            Member(
                id=uuid.uuid4(), household_id=household_id, position=index, **member.model_dump()
            )
            for index, member in enumerate(allocation.members)
        ],
    )


async def schedule_residence_reminders(session: AsyncSession, members: Iterable[Member]) -> None:
    """Schedule (or move) the members' expiry reminders; cancel those without an expiry.

    Called wherever a member is registered or their expiry date changes.
    """
    reminders, without = residence_reminders(members)
    await schedule_all(session, reminders)
    await cancel(session, RESIDENCE_EXPIRY, *without)


def residence_reminders(members: Iterable[Member]) -> tuple[list[Timer], list[str]]:
    """The expiry reminders of `members`, and the ids of those without an expiry."""
    lead_days = get_settings().residence_reminder_days
    reminders: list[Timer] = []
    without: list[str] = []
    for member in members:
        expires_on = member.residence_status_expires_on
        if expires_on is None:
            without.append(str(member.id))
            continue
        reminder_on = domain.residence_reminder_on(expires_on, lead_days=lead_days)
        reminders.append(
            Timer(
                RESIDENCE_EXPIRY,
                str(member.id),
                on_day(reminder_on, REMINDER_TIME),
                {"expires_on": expires_on.isoformat()},
            )
        )
    return reminders, without


async def remind_residence_expiry(
    *, session: AsyncSession, member_id: uuid.UUID, expires_on: date
) -> None:
    """The reminder's timer fired: tell the caseworker, unless the expiry changed since."""
    member = await session.get(Member, member_id)
    if member is None or member.residence_status_expires_on != expires_on:
        return  # removed, or changed: a change schedules a reminder of its own
    await outbox.add(
        session,
        ResidenceStatusExpiring(
            household_id=member.household_id, member_id=member.id, expires_on=expires_on
        ),
    )


def registered_events(household: Household) -> tuple[EventPayload, ...]:
    """What a registration tells the others: housing alone, and every consumer.

    The referral is staged first: housing's handling of the assignment needs it, and an
    assignment that arrives before it waits in a delay queue.
    """
    groups = [domain.age_group(m.date_of_birth, household.allocated_on) for m in household.members]
    minor_count = sum(group != AgeGroup.ADULT for group in groups)
    assigned = HouseholdAssigned(
        household_id=household.id,
        allocation_notice_number=household.allocation_notice_number,
        allocated_on=household.allocated_on,
        expected_arrival_on=household.expected_arrival_on,
        member_count=len(household.members),
        minor_count=minor_count,
        members=tuple(
            AllocatedMember(member_id=m.id, age_group=group, languages=tuple(m.languages))
            for m, group in zip(household.members, groups, strict=True)
        ),
        team=household.team,
    )
    referred = HouseholdReferredToHousing(
        household_id=household.id,
        allocation_notice_number=household.allocation_notice_number,
        allocated_on=household.allocated_on,
        expected_arrival_on=household.expected_arrival_on,
        member_count=len(household.members),
        minor_count=minor_count,
        needs_accessible_housing=household.needs_accessible_housing,
        team=household.team,
    )
    return referred, assigned


async def is_registered(*, session: AsyncSession, number: str) -> bool:
    """Whether an allocation notice with this (normalised) number is registered already."""
    found = await session.scalar(
        select(Household.id).where(Household.allocation_notice_number == number).limit(1)
    )
    return found is not None


async def get(*, session: AsyncSession, principal: Principal, household_id: uuid.UUID) -> Household:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    await audit(session, principal, "read", RESOURCE, [household.id])
    await session.commit()
    return household


@dataclass(frozen=True)
class HouseholdFilter:
    """What staff narrow the list of households by; None leaves a criterion out."""

    search: str | None = None  # name of a member or allocation notice number
    caseworker_id: str | None = None
    housing_status: str | None = None
    allocated_from: date | None = None
    allocated_to: date | None = None
    arriving_from: date | None = None  # expected arrival
    arriving_to: date | None = None


async def get_all(
    *,
    session: AsyncSession,
    principal: Principal,
    filters: HouseholdFilter,
    limit: int,
    offset: int,
    action: str = "list",
) -> tuple[list[Household], int]:
    """The households in the principal's scope that `filters` finds, a page of them; audited
    as `action` ("export" for a download)."""
    query: Select[Any] = HOUSEHOLDS.select(principal)
    search = filters.search
    if search:
        pattern = contains(search)
        matching_members = select(Member.household_id).where(
            or_(Member.family_name.ilike(pattern), Member.given_name.ilike(pattern))
        )
        query = query.where(
            or_(
                Household.allocation_notice_number.ilike(pattern),
                Household.id.in_(matching_members),
            )
        )
    if filters.caseworker_id:
        query = query.where(Household.caseworker_id == filters.caseworker_id)
    if filters.housing_status:
        query = query.where(Household.housing_status == filters.housing_status)
    if filters.allocated_from:
        query = query.where(Household.allocated_on >= filters.allocated_from)
    if filters.allocated_to:
        query = query.where(Household.allocated_on <= filters.allocated_to)
    if filters.arriving_from:
        query = query.where(Household.expected_arrival_on >= filters.arriving_from)
    if filters.arriving_to:
        query = query.where(Household.expected_arrival_on <= filters.arriving_to)
    households, total = await count_and_page(
        session,
        query,
        order_by=(Household.allocated_on.desc(), Household.id),
        limit=limit,
        offset=offset,
    )
    await audit(session, principal, action, RESOURCE, [h.id for h in households])
    await session.commit()
    return households, total


async def assign_caseworker(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, caseworker_id: str
) -> Household:
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    change = domain.change_caseworker(household.caseworker_id, caseworker_id)
    if change is not None:
        household.caseworker_id = change.caseworker_id
        await outbox.add(
            session,
            CaseworkerAssigned(
                household_id=household.id,
                caseworker_id=change.caseworker_id,
                previous_caseworker_id=change.previous_caseworker_id,
            ),
        )
        await audit(session, principal, "update", RESOURCE, [household.id])
    await session.commit()
    return household


async def record_housing(
    *,
    session: AsyncSession,
    household_id: uuid.UUID,
    status: domain.HousingStatus,
    recorded_at: datetime,
    where: tuple[str | None, str | None] = (None, None),
) -> None:
    """Keep intake's view of whether and where the household is accommodated (from
    housing's events; `where` is the site and unit of a move-in)."""
    household = await session.get(Household, household_id, with_for_update=True)
    if household is None:
        return
    if domain.housing_status_wins(recorded_at, household.housing_status_at):
        household.housing_status = status
        household.housing_status_at = recorded_at
        household.housing_site, household.housing_unit = where


# --- staff known from their sign-ins ---------------------------------------------------


async def record_staff_members(
    *, session: AsyncSession, events: Sequence[tuple[StaffEntry, datetime]]
) -> None:
    """Keep who signed in, with roles and teams: (directory data, when it was true)."""
    for event, at in events:
        statement = insert(StaffMember).values(
            subject=event.account_subject,
            name=event.display_name,
            roles=list(event.roles),
            teams=list(event.teams),
            signed_in_at=at,
        )
        excluded = statement.excluded
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[StaffMember.subject],
                set_={
                    "name": excluded.name,
                    "roles": excluded.roles,
                    "teams": excluded.teams,
                    "signed_in_at": excluded.signed_in_at,
                },
                where=StaffMember.signed_in_at <= excluded.signed_in_at,
            )
        )


async def get_caseworkers(*, session: AsyncSession) -> list[StaffMember]:
    """Everyone known to hold the caseworker role, by name (staff data, not audited)."""
    return list(
        await session.scalars(
            select(StaffMember)
            .where(StaffMember.roles.contains([Role.CASEWORKER.value]))
            .order_by(func.coalesce(StaffMember.name, StaffMember.subject), StaffMember.subject)
        )
    )
