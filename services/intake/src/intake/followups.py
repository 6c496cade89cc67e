"""Use cases of follow-ups (Wiedervorlagen): set for a household with a day and a reason,
on a caseworker's list until done; a durable timer reminds on the day at the start of the
working day (follow_up.due). Seen by whoever sees the household."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import on_day
from teilhabe.events.households import FollowUpDue
from teilhabe.timers import cancel, schedule

from intake import domain
from intake.dependencies import HOUSEHOLDS
from intake.models import FollowUp, Household
from intake.schemas import FollowUpIn
from intake.service import REMINDER_TIME, audit, outbox

RESOURCE = "follow_up"
# The timer of a follow-up's reminder (teilhabe.timers), keyed by follow-up.
FOLLOW_UP_DUE = "follow_up_due"


@dataclass(frozen=True)
class DueItem:
    follow_up: FollowUp
    allocation_notice_number: str
    due: domain.Due


async def set_follow_up(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    follow_up_in: FollowUpIn,
    today: date,
) -> FollowUp:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    closed = domain.case_closed_refusal(household.closed_on)
    if closed is not None:
        raise_refusal(closed)
    problems = domain.follow_up_problems(due_on=follow_up_in.due_on, today=today, created=True)
    if follow_up_in.member_id is not None and follow_up_in.member_id not in {
        m.id for m in household.members
    }:
        problems["member_id"] = "not a member of this household"
    if problems:
        raise InvalidFields(problems)
    follow_up = FollowUp(
        id=uuid.uuid4(),
        household_id=household.id,
        member_id=follow_up_in.member_id,
        due_on=follow_up_in.due_on,
        reason=follow_up_in.reason,
        assignee=follow_up_in.assignee or principal.subject,
        created_by=principal.subject,
    )
    session.add(follow_up)
    await schedule(
        session,
        FOLLOW_UP_DUE,
        str(follow_up.id),
        on_day(follow_up.due_on, REMINDER_TIME),
        {"due_on": follow_up.due_on.isoformat()},
    )
    await audit(session, principal, "create", RESOURCE, [follow_up.id])
    await session.commit()
    return follow_up


async def complete(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    today: date,
) -> FollowUp:
    """Done: off the list, no reminder any more."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    follow_up = await session.scalar(
        select(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.household_id == household.id)
        .with_for_update()
    )
    if follow_up is None:
        raise NotFound("follow-up")
    if follow_up.done_on is not None:
        raise Conflict("the follow-up is done already", code="follow-up-done")
    follow_up.done_on = today
    follow_up.done_by = principal.subject
    await cancel(session, FOLLOW_UP_DUE, str(follow_up.id))
    await audit(session, principal, "update", RESOURCE, [follow_up.id])
    await session.commit()
    return follow_up


async def of_household(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    action: str = "read",
) -> tuple[Household, list[FollowUp]]:
    """The household's follow-ups, open ones first by day, then those done."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    found = list(
        await session.scalars(
            select(FollowUp)
            .where(FollowUp.household_id == household.id)
            .order_by(FollowUp.done_on.is_not(None), FollowUp.due_on, FollowUp.created_at)
        )
    )
    await audit(session, principal, action, RESOURCE, [f.id for f in found])
    await session.commit()
    return household, found


async def due_list(
    *, session: AsyncSession, principal: Principal, today: date, action: str = "list"
) -> list[DueItem]:
    """The caller's open follow-ups up to the end of this week, of households they see;
    audited as `action` ("export" for a download)."""
    rows = await session.execute(
        select(FollowUp, Household.allocation_notice_number)
        .join(Household, Household.id == FollowUp.household_id)
        .where(
            HOUSEHOLDS.where(principal),
            FollowUp.assignee == principal.subject,
            FollowUp.done_on.is_(None),
            FollowUp.due_on <= domain.week_end(today),
        )
        .order_by(FollowUp.due_on, FollowUp.created_at)
    )
    items = [DueItem(f, number, domain.due(f.due_on, today)) for f, number in rows]
    await audit(session, principal, action, RESOURCE, [i.follow_up.id for i in items])
    await session.commit()
    return items


async def remind(*, session: AsyncSession, follow_up_id: uuid.UUID, due_on: date) -> None:
    """The reminder's timer fired: tell the assignee, unless done or moved since."""
    follow_up = await session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.done_on is not None or follow_up.due_on != due_on:
        return
    await outbox.add(
        session,
        FollowUpDue(
            household_id=follow_up.household_id,
            follow_up_id=follow_up.id,
            caseworker_id=follow_up.assignee,
            due_on=follow_up.due_on,
        ),
    )


# The follow-ups housing's no-show opens, one per household and expected day: their id
# derives from both, so a repeated event opens none twice.
_NO_SHOW = uuid.UUID("5b0c7d4e-2f1a-4c8e-9d3b-6a7e8f901234")
NO_SHOW_BY = "housing"


def no_show_id(household_id: uuid.UUID, expected_on: date) -> uuid.UUID:
    return uuid.uuid5(_NO_SHOW, f"{household_id}:{expected_on.isoformat()}")


async def open_no_show(
    *, session: AsyncSession, household_id: uuid.UUID, expected_on: date, today: date
) -> bool:
    """Housing saw the household not arrive by its expected day: a follow-up due today on
    its caseworker's list (reminded like any other). Idempotent; an erased household,
    or one whose case is closed, gets none."""
    household = await session.get(Household, household_id)
    follow_up_id = no_show_id(household_id, expected_on)
    if household is None or await session.get(FollowUp, follow_up_id) is not None:
        return False
    if domain.case_closed_refusal(household.closed_on) is not None:
        return False
    follow_up = FollowUp(
        id=follow_up_id,
        household_id=household.id,
        due_on=today,
        reason=f"Nicht angereist: erwartet am {expected_on:%d.%m.%Y}. Verbleib klären.",
        assignee=household.caseworker_id or "",
        created_by=NO_SHOW_BY,
    )
    session.add(follow_up)
    if household.caseworker_id:
        await schedule(
            session,
            FOLLOW_UP_DUE,
            str(follow_up.id),
            on_day(today, REMINDER_TIME),
            {"due_on": today.isoformat()},
        )
    await session.flush()
    return True


async def close_no_show(*, session: AsyncSession, household_id: uuid.UUID, arrived_on: date) -> int:
    """The household arrived after all: its open no-show follow-ups are done, on the day
    it came, and remind nobody any more."""
    open_ones = list(
        await session.scalars(
            select(FollowUp)
            .where(
                FollowUp.household_id == household_id,
                FollowUp.created_by == NO_SHOW_BY,
                FollowUp.done_on.is_(None),
            )
            .with_for_update()
        )
    )
    for follow_up in open_ones:
        follow_up.done_on = max(arrived_on, follow_up.created_at.date())
        follow_up.done_by = NO_SHOW_BY
        await cancel(session, FOLLOW_UP_DUE, str(follow_up.id))
    return len(open_ones)


# Who closed a follow-up that an event of another service settled.
SCHOOL_PLACE_BY = "courses"


async def close_school_duty(
    *, session: AsyncSession, household_id: uuid.UUID, member_id: uuid.UUID, placed_on: date
) -> int:
    """Courses found the child a school or Kita place (school_place.assigned): the child's
    open school-duty follow-ups are done on that day and remind nobody any more. Finding
    none (done already, or an event delivered again) changes nothing."""
    open_ones = list(
        await session.scalars(
            select(FollowUp)
            .where(
                FollowUp.household_id == household_id,
                FollowUp.member_id == member_id,
                FollowUp.reason == domain.SCHOOL_DUTY_REASON,
                FollowUp.done_on.is_(None),
            )
            .with_for_update()
        )
    )
    for follow_up in open_ones:
        follow_up.done_on = max(placed_on, follow_up.created_at.date())
        follow_up.done_by = SCHOOL_PLACE_BY
        await cancel(session, FOLLOW_UP_DUE, str(follow_up.id))
    return len(open_ones)
