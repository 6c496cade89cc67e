"""Use cases of members' residence obligations (Wohnsitzauflage, § 12a AufenthG): bound
to the city until a day, lifted earlier for a reason; a durable timer reminds the
caseworker before it ends (member.residence_obligation_ending). Seen by whoever sees the
household."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import on_day
from teilhabe.events.households import ResidenceObligationEnding
from teilhabe.timers import cancel, schedule

from intake import domain
from intake.config import get_settings
from intake.dependencies import HOUSEHOLDS
from intake.models import Household, ResidenceObligation
from intake.schemas import ObligationIn, ObligationLiftIn
from intake.service import REMINDER_TIME, audit, outbox

RESOURCE = "residence_obligation"
# The timer of an obligation's end reminder (teilhabe.timers), keyed by member.
OBLIGATION_ENDING = "residence_obligation_ending"


async def record(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    obligation_in: ObligationIn,
    today: date,
) -> ResidenceObligation:
    """Record (or correct) a member's obligation; its reminder moves with its end."""
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    if member_id not in {m.id for m in household.members}:
        raise NotFound("member")
    closed = domain.case_closed_refusal(household.closed_on)
    if closed is not None:
        raise_refusal(closed)
    problems = domain.obligation_problems(
        bound_until=obligation_in.bound_until,
        recognised_on=obligation_in.recognised_on,
        today=today,
    )
    if problems:
        raise InvalidFields(problems)
    obligation = await session.get(ResidenceObligation, member_id, with_for_update=True)
    if obligation is None:
        obligation = ResidenceObligation(member_id=member_id, household_id=household.id)
        session.add(obligation)
    obligation.recognised_on = obligation_in.recognised_on
    obligation.bound_until = obligation_in.bound_until
    obligation.lifted_on = None
    obligation.lift_reason = None
    obligation.recorded_by = principal.subject
    await schedule_reminder(session, obligation)
    await audit(session, principal, "update", RESOURCE, [member_id])
    await session.commit()
    return obligation


async def lift(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    lift_in: ObligationLiftIn,
    today: date,
) -> ResidenceObligation:
    """The obligation ended early (employment, training, studies, …): no reminder any more."""
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    obligation = await session.get(ResidenceObligation, member_id, with_for_update=True)
    if obligation is None or obligation.household_id != household.id:
        raise NotFound("residence obligation")
    problems = domain.lift_problems(
        lifted_on=lift_in.lifted_on,
        bound_until=obligation.bound_until,
        already_lifted=obligation.lifted_on is not None,
        today=today,
    )
    if problems:
        raise InvalidFields(problems)
    obligation.lifted_on = lift_in.lifted_on
    obligation.lift_reason = lift_in.reason
    obligation.recorded_by = principal.subject
    await cancel(session, OBLIGATION_ENDING, str(member_id))
    await audit(session, principal, "update", RESOURCE, [member_id])
    await session.commit()
    return obligation


async def of_household(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> tuple[Household, list[ResidenceObligation]]:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    found = list(
        await session.scalars(
            select(ResidenceObligation).where(ResidenceObligation.household_id == household.id)
        )
    )
    await audit(session, principal, "read", RESOURCE, [o.member_id for o in found])
    await session.commit()
    return household, found


async def of_member(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, member_id: uuid.UUID
) -> ResidenceObligation | None:
    """A member's residence obligation, if one is recorded (the member's page shows it)."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    if member_id not in {m.id for m in household.members}:
        raise NotFound("member")
    found = await session.get(ResidenceObligation, member_id)
    if found is not None:
        await audit(session, principal, "read", RESOURCE, [member_id])
    await session.commit()
    return found


async def schedule_reminder(session: AsyncSession, obligation: ResidenceObligation) -> None:
    lead_days = get_settings().obligation_reminder_days
    reminder_on = domain.obligation_reminder_on(obligation.bound_until, lead_days=lead_days)
    await schedule(
        session,
        OBLIGATION_ENDING,
        str(obligation.member_id),
        on_day(reminder_on, REMINDER_TIME),
        {"ends_on": obligation.bound_until.isoformat()},
    )


async def remind(*, session: AsyncSession, member_id: uuid.UUID, ends_on: date) -> None:
    """The reminder's timer fired: tell the caseworker, unless lifted, moved or closed."""
    obligation = await session.get(ResidenceObligation, member_id)
    if obligation is None or obligation.lifted_on is not None or obligation.bound_until != ends_on:
        return
    household = await session.get(Household, obligation.household_id)
    if household is None or household.closed_on is not None:
        return
    await outbox.add(
        session,
        ResidenceObligationEnding(
            household_id=obligation.household_id, member_id=member_id, ends_on=ends_on
        ),
    )
