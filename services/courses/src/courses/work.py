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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.events.consent import ConsentGranted, ConsentRevoked
from teilhabe.events.courses import OfferKind
from teilhabe.events.work import (
    EmploymentEnded,
    EmploymentStarted,
    HandedOverToJobcenter,
    WorkPermitStatus,
)
from teilhabe.scope import RecordScope

from courses import domain
from courses.dependencies import _runs
from courses.domain import EnrollmentStatus, PlacementStatus
from courses.models import Course, Enrollment, Person
from courses.schemas import (
    EmploymentEndIn,
    EmploymentOut,
    EmploymentStartIn,
    HandoverIn,
    HandoverRecordOut,
    PermitChangeOut,
    PermitIn,
    PermitOut,
    PersonOut,
    PlacementOut,
    WorkingPersonOut,
    WorkRecordOut,
)
from courses.service import audit, outbox
from courses.work_models import (
    Employment,
    JobcenterHandover,
    WorkConsent,
    WorkPermit,
    WorkPermitChange,
    WorkPlacement,
)

RESOURCE = "work"
UNKNOWN_PERSON = "no person with this member_id is known to courses"
NO_PERMIT = domain.NO_PERMIT

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


@dataclass(frozen=True)
class MonthFigure:
    """People in work, in job readiness (job-readiness offers, internships and work
    opportunities: training) and in courses in one month; `total` counts each person once."""

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
    """The person's permit status now; each recording is kept as its history."""
    person = await person_in_scope(session, principal, permit_in.member_id)
    permit = await session.get(WorkPermit, person.member_id, with_for_update=True)
    if permit is None:
        permit = WorkPermit(member_id=person.member_id, household_id=person.household_id)
        session.add(permit)
    permit.status = permit_in.status
    permit.valid_until = permit_in.valid_until
    permit.recorded_by = principal.subject
    session.add(
        WorkPermitChange(
            id=uuid.uuid4(),
            member_id=person.member_id,
            household_id=person.household_id,
            status=permit_in.status,
            valid_until=permit_in.valid_until,
            recorded_by=principal.subject,
        )
    )
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
    problems = domain.employment_start_problem(
        permit.status if permit else None,
        permit.valid_until if permit else None,
        start_in.started_on,
    )
    if problems or permit is None:
        raise InvalidFields(problems or {"member_id": NO_PERMIT})
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
    status = permit.status if permit else WorkPermitStatus.UNKNOWN
    session.add(
        JobcenterHandover(
            id=handover_id,
            member_id=person.member_id,
            household_id=person.household_id,
            handed_over_on=handover_in.handed_over_on,
            work_permit_status=status,
            recorded_by=principal.subject,
        )
    )
    await outbox.add(
        session,
        HandedOverToJobcenter(
            handover_id=handover_id,
            member_id=person.member_id,
            household_id=person.household_id,
            handed_over_on=handover_in.handed_over_on,
            work_permit_status=status,
        ),
    )
    await audit(session, principal, "hand_over", RESOURCE, [person.member_id])
    await session.commit()
    return handover_id


async def get_person(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> Person:
    """The person, if in the caller's care; else not found (as if never allocated)."""
    person = await session.scalar(WORKERS.select(principal).where(Person.member_id == member_id))
    if person is None:
        raise NotFound("person")
    return person


async def get_work_record(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID, today: date
) -> WorkRecordOut:
    """A person's work as their caseworker or coordinator sees it; out of scope: not found."""
    person = await get_person(session=session, principal=principal, member_id=member_id)
    permit = await session.get(WorkPermit, member_id)
    history = await session.scalars(
        select(WorkPermitChange)
        .where(WorkPermitChange.member_id == member_id)
        .order_by(WorkPermitChange.recorded_at.desc(), WorkPermitChange.id)
    )
    employments = await session.scalars(
        select(Employment)
        .where(Employment.member_id == member_id)
        .order_by(Employment.started_on.desc())
    )
    handovers = list(
        await session.scalars(
            select(JobcenterHandover)
            .where(JobcenterHandover.member_id == member_id)
            .order_by(JobcenterHandover.handed_over_on.desc(), JobcenterHandover.recorded_at.desc())
        )
    )
    consents = [
        (c.agency, c.granted_on, c.revoked_on)
        for c in await session.scalars(
            select(WorkConsent).where(WorkConsent.member_id == member_id)
        )
    ]
    placements = await session.scalars(
        select(WorkPlacement)
        .where(WorkPlacement.member_id == member_id)
        .order_by(WorkPlacement.proposed_on.desc(), WorkPlacement.recorded_at.desc())
    )
    consent, since = domain.jobcenter_consent(consents, today)
    await audit(session, principal, "read", RESOURCE, [member_id])
    await session.commit()
    return WorkRecordOut(
        member_id=person.member_id,
        household_id=person.household_id,
        allocation_notice_number=person.allocation_notice_number,
        member_position=person.position,
        age_group=person.age_group,
        permit=PermitOut.model_validate(permit) if permit else None,
        permit_history=[PermitChangeOut.model_validate(c) for c in history],
        employments=[EmploymentOut.model_validate(e) for e in employments],
        handovers=[
            HandoverRecordOut(
                id=h.id,
                handed_over_on=h.handed_over_on,
                work_permit_status=h.work_permit_status,
                recorded_by=h.recorded_by,
                consent=domain.jobcenter_consent(consents, h.handed_over_on)[0],
            )
            for h in handovers
        ],
        consent=consent,
        consent_since=since,
        placements=[PlacementOut.model_validate(p) for p in placements],
    )


async def find_household(
    *, session: AsyncSession, principal: Principal, allocation_notice_number: str
) -> list[PersonOut]:
    """The members of a household in the caller's care, to open one's work page."""
    found = list(
        await session.scalars(
            WORKERS.select(principal)
            .where(
                func.upper(Person.allocation_notice_number)
                == allocation_notice_number.strip().upper()
            )
            .order_by(Person.position, Person.member_id)
        )
    )
    await audit(session, principal, "read", RESOURCE, [p.member_id for p in found])
    await session.commit()
    return [PersonOut.model_validate(p) for p in found]


async def list_working(
    *, session: AsyncSession, principal: Principal, today: date
) -> list[WorkingPersonOut]:
    """The people in the caller's scope in work, in a job-readiness offer or in a work
    opportunity today, by household and position."""
    running = (
        select(Employment)
        .where(
            Employment.started_on <= today,
            or_(Employment.ended_on.is_(None), Employment.ended_on >= today),
        )
        .subquery()
    )
    readiness = (
        select(Enrollment.member_id.label("member_id"))
        .join(Course, Course.id == Enrollment.course_id)
        .where(
            Enrollment.status == EnrollmentStatus.ENROLLED,
            Course.kind == OfferKind.JOB_READINESS,
            Course.starts_on <= today,
            or_(Course.ends_on.is_(None), Course.ends_on >= today),
        )
        .union_all(
            select(WorkPlacement.member_id).where(WorkPlacement.status == PlacementStatus.STARTED)
        )
        .subquery()
    )
    counted = (
        select(readiness.c.member_id, func.count().label("taken"))
        .group_by(readiness.c.member_id)
        .subquery()
    )
    rows = (
        await session.execute(
            WORKERS.select(principal)
            .add_columns(
                WorkPermit.status,
                running.c.employer_category,
                running.c.hours_per_week,
                func.coalesce(counted.c.taken, 0),
            )
            .outerjoin(WorkPermit, WorkPermit.member_id == Person.member_id)
            .outerjoin(running, running.c.member_id == Person.member_id)
            .outerjoin(counted, counted.c.member_id == Person.member_id)
            .where(or_(running.c.id.is_not(None), counted.c.taken > 0))
            .order_by(Person.allocation_notice_number, Person.position, Person.member_id)
        )
    ).all()
    found = [
        WorkingPersonOut(
            member_id=person.member_id,
            household_id=person.household_id,
            allocation_notice_number=person.allocation_notice_number,
            member_position=person.position,
            permit_status=status,
            employer_category=category,
            hours_per_week=hours,
            job_readiness=int(taken),
        )
        for person, status, category, hours, taken in rows
    ]
    await audit(session, principal, "read", RESOURCE, [p.member_id for p in found])
    await session.commit()
    return found


async def record_consents(
    *, session: AsyncSession, events: Sequence[ConsentGranted | ConsentRevoked]
) -> None:
    """Consents to partner agencies as intake tells them, for the handover's consent state
    (the agency gateway decides what reaches the Jobcenter; this only shows it)."""
    for event in events:
        if isinstance(event, ConsentGranted):
            await session.execute(
                insert(WorkConsent)
                .values(
                    consent_id=event.consent_id,
                    member_id=event.member_id,
                    household_id=event.household_id,
                    agency=event.agency,
                    purpose=event.purpose,
                    granted_on=event.granted_on,
                )
                .on_conflict_do_nothing(index_elements=[WorkConsent.consent_id])
            )
        else:
            consent = await session.get(WorkConsent, event.consent_id)
            if consent is not None:
                consent.revoked_on = event.revoked_on
            else:  # revoked before its grant arrived: keep it as revoked
                session.add(
                    WorkConsent(
                        consent_id=event.consent_id,
                        member_id=event.member_id,
                        household_id=event.household_id,
                        agency=event.agency,
                        purpose=event.purpose,
                        granted_on=event.revoked_on,
                        revoked_on=event.revoked_on,
                    )
                )
    await session.flush()


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
        placed = select(WorkPlacement.member_id).where(
            WorkPlacement.status.in_([PlacementStatus.STARTED, PlacementStatus.ENDED]),
            WorkPlacement.started_on <= end,
            or_(WorkPlacement.ended_on.is_(None), WorkPlacement.ended_on >= month),
        )
        work_ids = set(await session.scalars(working))
        rows = (await session.execute(taking_part)).all()
        training = {m for m, kind in rows if kind is OfferKind.JOB_READINESS}
        training |= set(await session.scalars(placed))
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
