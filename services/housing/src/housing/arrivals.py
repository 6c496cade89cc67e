"""A household's arrival in the city: recorded by an officer with the persons who really
came, or, when nobody records it by the expected day, a no-show its caseworker is told of
(a durable timer). One transaction per use case, its event staged in it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import on_day, today
from teilhabe.events.housing import HouseholdArrived, HouseholdNotArrived
from teilhabe.timers import Timer, schedule_all

from housing import domain
from housing.config import get_settings
from housing.dependencies import WAITING_HOUSEHOLDS
from housing.models import HouseholdMember, Placement, WaitingHousehold
from housing.publishing import outbox
from housing.schemas import ArrivalIn, ArrivalOut, MemberOut
from housing.service import audit

# The durable timer that looks, after a household's expected arrival, whether it came.
ARRIVAL_DUE = "arrival_due"


def arrival_timers(
    households: Sequence[WaitingHousehold], traces: Mapping[uuid.UUID, str | None] | None = None
) -> list[Timer]:
    """One no-show check per household with an expected arrival, the grace days after it;
    each continues the trace `traces` names for its household, else the current one."""
    grace = timedelta(days=get_settings().no_show_grace_days)
    return [
        Timer(
            ARRIVAL_DUE,
            str(h.household_id),
            on_day(h.expected_arrival_on + grace),
            traceparent=(traces or {}).get(h.household_id),
        )
        for h in households
        if h.expected_arrival_on is not None
    ]


async def schedule_arrival_checks(
    session: AsyncSession,
    households: Sequence[WaitingHousehold],
    traces: Mapping[uuid.UUID, str | None] | None = None,
) -> None:
    await schedule_all(session, arrival_timers(households, traces))


async def record_arrival(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    arrival_in: ArrivalIn,
) -> ArrivalOut:
    """Record that a household arrived, with the persons who came; once per household,
    under its row lock (as every change of it)."""
    household = await session.scalar(
        WAITING_HOUSEHOLDS.select(principal)
        .where(WaitingHousehold.household_id == household_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if household is None:
        raise NotFound("household")
    members = await _members(session, household_id)
    came = set(arrival_in.member_ids)
    refusal = domain.arrival_problem(
        arrived_on=arrival_in.arrived_on,
        today=today(),
        allocated_on=household.allocated_on,
        already_recorded=household.arrived_on is not None,
        known_members={m.member_id for m in members},
        came=came,
        person_count=arrival_in.person_count,
    )
    if refusal is not None:
        raise_refusal(refusal)
    for member in members:
        member.arrived = member.member_id in came
    household.arrived_on = arrival_in.arrived_on
    household.arrived_person_count = len(came) if members else arrival_in.person_count
    household.arrival_recorded_by = principal.subject
    await outbox.add(
        session,
        HouseholdArrived(household_id=household_id, arrived_on=arrival_in.arrived_on),
    )
    await audit(session, principal, "record_arrival", "household", [household_id])
    await session.commit()
    return _arrival_out(household, members)


async def get_arrival(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> ArrivalOut:
    """A household's recorded arrival with its members; 404 before one is recorded."""
    household = await session.scalar(
        WAITING_HOUSEHOLDS.select(principal).where(WaitingHousehold.household_id == household_id)
    )
    if household is None or household.arrived_on is None:
        raise NotFound("arrival")
    members = await _members(session, household_id)
    await audit(session, principal, "read", "household", [household_id])
    await session.commit()
    return _arrival_out(household, members)


async def _members(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdMember]:
    """The household's members, adults first (as a notice lists them)."""
    query = (
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household_id)
        .order_by(HouseholdMember.age_group.desc(), HouseholdMember.member_id)
    )
    return list(await session.scalars(query))


def _arrival_out(household: WaitingHousehold, members: Sequence[HouseholdMember]) -> ArrivalOut:
    assert household.arrived_on is not None
    assert household.arrived_person_count is not None
    return ArrivalOut(
        household_id=household.household_id,
        arrived_on=household.arrived_on,
        arrived_person_count=household.arrived_person_count,
        expected_person_count=household.member_count,
        members=[MemberOut.model_validate(m) for m in members],
    )


async def check_arrival(*, session: AsyncSession, household_id: uuid.UUID) -> bool:
    """The timer's look after the expected day: a household that neither had its arrival
    recorded nor ever moved in is a no-show, and `household.not_arrived` tells intake.
    Under the household's row lock, so an arrival recorded at the same moment wins or
    comes after. Runs in the timer's transaction (fired once)."""
    household = await session.get(WaitingHousehold, household_id, with_for_update=True)
    if household is None or household.expected_arrival_on is None:
        return False
    ever_placed = await session.scalar(
        select(exists().where(Placement.household_id == household_id))
    )
    if not domain.not_arrived(
        arrived=household.arrived_on is not None, ever_placed=bool(ever_placed)
    ):
        return False
    await outbox.add(
        session,
        HouseholdNotArrived(
            household_id=household_id, expected_arrival_on=household.expected_arrival_on
        ),
    )
    return True


async def get_members(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> list[MemberOut]:
    """The household's members as housing knows them, for the arrival form; read after
    the household itself (audited)."""
    await WAITING_HOUSEHOLDS.get(session, principal, household_id)
    return [MemberOut.model_validate(m) for m in await _members(session, household_id)]
