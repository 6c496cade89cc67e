"""Use case of closing a household's case: it moved away (not while a member is still
bound to the city, § 12a AufenthG), was naturalised, or the case ended otherwise.

Closed with a reason and a day, once; published as household.case_closed, on which
housing ends placements and reservations, courses withdraws enrolments and volunteers
ends mentorships. Intake's own reminders for the household stop, its open follow-ups are
done and its appointments still ahead cancelled (reason: case closed), nothing new is
taken for it (domain.case_closed_refusal), and the closure starts the case file's
retention clock (intake.retention)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields
from teilhabe.auth import Principal
from teilhabe.clock import now
from teilhabe.events.households import CaseClosureReason, HouseholdCaseClosed
from teilhabe.timers import cancel

from intake import appointments, domain, followups, obligations
from intake.dependencies import HOUSEHOLDS
from intake.models import FollowUp, Household, ResidenceObligation
from intake.schemas import ClosureIn
from intake.service import RESIDENCE_EXPIRY, audit, outbox

RESOURCE = "household"


async def close(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    closure_in: ClosureIn,
    today: date,
) -> Household:
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    positions = {m.id: m.position for m in household.members}
    held = list(
        await session.scalars(
            select(ResidenceObligation).where(ResidenceObligation.household_id == household.id)
        )
    )
    problems = domain.closure_problems(
        reason=closure_in.reason,
        closed_on=closure_in.closed_on,
        allocated_on=household.allocated_on,
        today=today,
        already_closed=household.closed_on is not None,
        obligations=[
            domain.Obligation(positions.get(o.member_id, 0), o.bound_until, o.lifted_on)
            for o in held
        ],
    )
    if problems:
        raise InvalidFields(problems)
    household.closed_on = closure_in.closed_on
    household.closure_reason = closure_in.reason
    household.closed_at = now()
    household.closed_by = principal.subject
    member_keys = [str(member_id) for member_id in positions]
    await cancel(session, RESIDENCE_EXPIRY, *member_keys)
    await cancel(session, obligations.OBLIGATION_ENDING, *member_keys)
    # What was still to be seen to is off every list: done, because the case closed, and
    # reminds nobody any more.
    open_follow_ups = list(
        await session.scalars(
            select(FollowUp)
            .where(FollowUp.household_id == household.id, FollowUp.done_on.is_(None))
            .with_for_update()
        )
    )
    for follow_up in open_follow_ups:
        follow_up.done_on = today
        follow_up.done_by = principal.subject
        follow_up.done_reason = domain.DONE_CASE_CLOSED
    await cancel(session, followups.FOLLOW_UP_DUE, *(str(f.id) for f in open_follow_ups))
    # Appointments still ahead are off: cancelled as a caseworker would, saying why; those
    # that took place stay as they are.
    await appointments.cancel_all(
        session,
        principal,
        await appointments.ahead(session, household.id),
        reason=domain.CANCELLED_CASE_CLOSED,
    )
    await outbox.add(
        session,
        HouseholdCaseClosed(
            household_id=household.id,
            reason=CaseClosureReason(closure_in.reason.value),
            closed_on=closure_in.closed_on,
        ),
    )
    await audit(session, principal, "close", RESOURCE, [household.id])
    await session.commit()
    return household
