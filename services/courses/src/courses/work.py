"""Use cases of work: a person's work permit status, employment started or ended, the
handover to the Jobcenter, and the city's monthly figure of people in work, training or
courses. One transaction each; every change commits with its event (the outbox).

Who may act for a person (WORKERS): their caseworker (the household's team; a team
lead: every team) and the coordinators running an offer the person takes part in. A
person out of scope is as unknown as one never allocated. Partner agencies act through
the inbound consumer (courses.inbound) under the same rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import Field
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields
from teilhabe.api.schemas import RequestModel
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.events.courses import OfferKind
from teilhabe.events.work import (
    EmployerCategory,
    EmploymentEnded,
    EmploymentEndReason,
    EmploymentStarted,
    HandedOverToJobcenter,
    HoursPerWeek,
    WorkPermitStatus,
)
from teilhabe.scope import RecordScope

from courses.dependencies import _runs
from courses.domain import EnrollmentStatus
from courses.models import Course, Enrollment, Person
from courses.service import audit, outbox
from courses.work_models import Employment, WorkPermit

RESOURCE = "work"
UNKNOWN_PERSON = "no person with this member_id is known to courses"
NO_PERMIT = "no work permit status recorded that allows employment on this day"

WorkStaff = Annotated[Principal, require_roles(Role.CASEWORKER, Role.COURSE_COORDINATOR)]
FigureReaders = Annotated[
    Principal, require_roles(Role.CASEWORKER, Role.COURSE_COORDINATOR, Role.ADMIN)
]


def _acts_for(principal: Principal) -> ColumnElement[bool] | bool:
    rules: list[ColumnElement[bool]] = []
    if principal.has_any_role(Role.CASEWORKER):
        if principal.has_any_role(Role.TEAM_LEAD):
            return True
        rules.append(Person.team.in_(sorted(principal.teams)))
    if principal.has_any_role(Role.COURSE_COORDINATOR):
        own_courses = select(Course.id).where(_runs(principal))
        rules.append(
            Person.member_id.in_(
                select(Enrollment.member_id).where(Enrollment.course_id.in_(own_courses))
            )
        )
    return or_(*rules) if rules else False


# The people whose work one records: their caseworkers', and their coordinators'.
WORKERS = RecordScope(Person, resource="person", rule=_acts_for)


# --- shapes -----------------------------------------------------------------------------


class PermitIn(RequestModel):
    member_id: uuid.UUID
    status: WorkPermitStatus
    valid_until: date | None = Field(default=None, description="Until when it applies, if limited.")


class EmploymentStartIn(RequestModel):
    member_id: uuid.UUID
    started_on: date
    employer_category: EmployerCategory = Field(description="The kind of employer, never its name")
    hours_per_week: HoursPerWeek


class EmploymentEndIn(RequestModel):
    member_id: uuid.UUID
    ended_on: date
    reason: EmploymentEndReason


class HandoverIn(RequestModel):
    member_id: uuid.UUID
    handed_over_on: date


@dataclass(frozen=True)
class MonthFigure:
    """People in work, in job-readiness offers (training) and in courses in one month;
    `total` counts each person once."""

    month: date
    in_work: int
    in_training: int
    in_courses: int
    total: int


# --- use cases ----------------------------------------------------------------------------


async def person_in_scope(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> Person:
    person = await session.scalar(
        WORKERS.select(principal).where(Person.member_id == member_id).with_for_update()
    )
    if person is None:
        raise InvalidFields({"member_id": UNKNOWN_PERSON})
    return person


async def record_permit(
    *, session: AsyncSession, principal: Principal, permit_in: PermitIn
) -> WorkPermit:
    person = await person_in_scope(session, principal, permit_in.member_id)
    permit = await session.get(WorkPermit, person.member_id, with_for_update=True)
    if permit is None:
        permit = WorkPermit(member_id=person.member_id, household_id=person.household_id)
        session.add(permit)
    permit.status = permit_in.status
    permit.valid_until = permit_in.valid_until
    permit.recorded_by = principal.subject
    await audit(session, principal, "update", RESOURCE, [person.member_id])
    await session.commit()
    return permit


async def start_employment(
    *, session: AsyncSession, principal: Principal, start_in: EmploymentStartIn
) -> Employment:
    person = await person_in_scope(session, principal, start_in.member_id)
    employment = await record_start(session, principal, person, start_in)
    await session.commit()
    return employment


async def record_start(
    session: AsyncSession, principal: Principal, person: Person, start_in: EmploymentStartIn
) -> Employment:
    """The start of an employment, in the caller's transaction (the staff form's and the
    Jobcenter's report's): only under a recorded permit that allows it that day."""
    permit = await session.get(WorkPermit, person.member_id)
    if (
        permit is None
        or not permit.status.allows_employment
        or (permit.valid_until is not None and permit.valid_until < start_in.started_on)
    ):
        raise InvalidFields({"member_id": NO_PERMIT})
    employment = Employment(
        id=uuid.uuid4(),
        member_id=person.member_id,
        household_id=person.household_id,
        employer_category=start_in.employer_category,
        hours_per_week=start_in.hours_per_week,
        work_permit_status=permit.status,
        started_on=start_in.started_on,
        recorded_by=principal.subject,
    )
    session.add(employment)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "this person's employment is running already: record its end first",
            code="employment-running",
        ) from None
    await outbox.add(
        session,
        EmploymentStarted(
            employment_id=employment.id,
            member_id=employment.member_id,
            household_id=employment.household_id,
            started_on=employment.started_on,
            employer_category=employment.employer_category,
            hours_per_week=employment.hours_per_week,
            work_permit_status=employment.work_permit_status,
        ),
    )
    await audit(session, principal, "create", RESOURCE, [person.member_id])
    return employment


async def end_employment(
    *, session: AsyncSession, principal: Principal, end_in: EmploymentEndIn
) -> Employment:
    person = await person_in_scope(session, principal, end_in.member_id)
    employment = await session.scalar(
        select(Employment)
        .where(Employment.member_id == person.member_id, Employment.ended_on.is_(None))
        .with_for_update()
    )
    if employment is None:
        raise Conflict("this person has no running employment", code="no-employment")
    if end_in.ended_on < employment.started_on:
        raise InvalidFields({"ended_on": "must not be before the employment started"})
    employment.ended_on = end_in.ended_on
    employment.end_reason = end_in.reason
    employment.ended_by = principal.subject
    await outbox.add(
        session,
        EmploymentEnded(
            employment_id=employment.id,
            member_id=employment.member_id,
            household_id=employment.household_id,
            ended_on=end_in.ended_on,
            reason=end_in.reason,
        ),
    )
    await audit(session, principal, "update", RESOURCE, [person.member_id])
    await session.commit()
    return employment


async def hand_over(
    *, session: AsyncSession, principal: Principal, handover_in: HandoverIn
) -> uuid.UUID:
    """Hand the person over to the Jobcenter: an event, which the agency gateway lets
    through to the Jobcenter only with the person's consent."""
    person = await person_in_scope(session, principal, handover_in.member_id)
    permit = await session.get(WorkPermit, person.member_id)
    handover_id = uuid.uuid4()
    await outbox.add(
        session,
        HandedOverToJobcenter(
            handover_id=handover_id,
            member_id=person.member_id,
            household_id=person.household_id,
            handed_over_on=handover_in.handed_over_on,
            work_permit_status=permit.status if permit else WorkPermitStatus.UNKNOWN,
        ),
    )
    await audit(session, principal, "hand_over", RESOURCE, [person.member_id])
    await session.commit()
    return handover_id


def months_back(last: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including `last`'s, oldest first."""
    first = last.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


async def monthly_figures(
    *, session: AsyncSession, principal: Principal, months: list[date]
) -> list[MonthFigure]:
    """The city's figure: counts only, no person (so every reader sees the whole city)."""
    figures: list[MonthFigure] = []
    for month in months:
        end = _month_end(month)
        working = select(Employment.member_id).where(
            Employment.started_on <= end,
            or_(Employment.ended_on.is_(None), Employment.ended_on >= month),
        )
        taking_part = (
            select(Enrollment.member_id, Course.kind)
            .join(Course, Course.id == Enrollment.course_id)
            .where(
                Enrollment.status.in_([EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED]),
                Course.starts_on <= end,
                or_(Course.ends_on.is_(None), Course.ends_on >= month),
                Course.kind.not_in([OfferKind.LEISURE, OfferKind.COMMUNITY]),
            )
        )
        work_ids = set(await session.scalars(working))
        rows = (await session.execute(taking_part)).all()
        training = {m for m, kind in rows if kind is OfferKind.JOB_READINESS}
        courses = {m for m, kind in rows if kind is not OfferKind.JOB_READINESS}
        figures.append(
            MonthFigure(
                month=month,
                in_work=len(work_ids),
                in_training=len(training),
                in_courses=len(courses),
                total=len(work_ids | training | courses),
            )
        )
    return figures
