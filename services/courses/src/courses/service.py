"""Use cases of courses: one transaction each, the events staged in the same transaction.

Enrolment and withdrawal lock the course row first (SELECT ... FOR UPDATE): that lock
serialises every change to a course's seats and waitlist, so seats are never overbooked
and waitlist order is the order in which the lock was won.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import timers
from teilhabe.api.problems import Conflict, InvalidFields, raise_refusal
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal
from teilhabe.events.courses import (
    CourseAttendanceRecorded,
    CourseCompleted,
    CourseEnrolled,
    CourseWaitlisted,
    CourseWithdrawn,
    OfferKind,
    SeatOffered,
)
from teilhabe.events.households import (
    HouseholdAssigned,
    HouseholdMembersChanged,
    normalise_notice_number,
)
from teilhabe.messaging.outbox import Outbox
from teilhabe.queries import count_and_page
from teilhabe.refusal import Refusal

from courses import domain
from courses.config import get_settings
from courses.dependencies import COURSES_RUN, ENROLLMENTS, OFFERS, PEOPLE, SESSIONS
from courses.domain import EnrollmentStatus, SeatOfferStatus
from courses.models import (
    Course,
    CourseSession,
    Enrollment,
    Guest,
    Person,
    SeatOffer,
    SessionAttendance,
    audit_log,
    messaging,
)
from courses.schemas import (
    AttendanceIn,
    AttendanceOut,
    CompletedOut,
    CompletionIn,
    CourseDetail,
    CourseIn,
    CourseOut,
    EnrollmentIn,
    EnrollmentOut,
    GuestOut,
    ParticipantOut,
    PersonOut,
    SeatOfferOut,
    SessionAttendanceOut,
    SessionIn,
    SessionOut,
    WaitlistEntryOut,
    WithdrawalOut,
)

outbox = Outbox(messaging.outbox, source="/teilhabe/courses")
# The durable timer ending a seat offer nobody answered (courses.timers).
SEAT_OFFER_EXPIRY = "seat_offer_expiry"
audit = Auditor(audit_log)
RESOURCE = "household"


async def create_course(
    *, session: AsyncSession, principal: Principal, course_in: CourseIn
) -> CourseOut:
    problems = domain.course_problems(starts_on=course_in.starts_on, ends_on=course_in.ends_on)
    team, team_problem = domain.course_team(course_in.team, principal.teams)
    if team_problem:
        problems["team"] = team_problem
    if problems:
        raise InvalidFields(problems)
    course = Course(
        id=uuid.uuid4(),
        created_by=principal.subject,
        **(course_in.model_dump() | {"team": team}),
    )
    session.add(course)
    await session.commit()
    return _course_out(course, {})


async def get_catalogue(
    *,
    session: AsyncSession,
    principal: Principal,
    kind: OfferKind | None,
    limit: int,
    offset: int,
) -> tuple[list[CourseOut], int]:
    query: Select[Any] = OFFERS.select(principal)
    if kind is not None:
        query = query.where(Course.kind == kind)
    found, total = await count_and_page(
        session,
        query,
        order_by=(Course.starts_on, Course.title, Course.id),
        limit=limit,
        offset=offset,
    )
    counts = await active_counts(session, [course.id for course in found])
    return [_course_out(course, counts.get(course.id, {})) for course in found], total


async def get_offer(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> CourseOut:
    """One course as the catalogue shows it: counts only, no person (so nothing to audit)."""
    course = await OFFERS.get(session, principal, course_id)
    counts = await active_counts(session, [course.id])
    return _course_out(course, counts.get(course.id, {}))


async def get_course(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID, action: str = "read"
) -> CourseDetail:
    """One course with its participants and waitlist; `action` "export" for a download."""
    course = await COURSES_RUN.get(session, principal, course_id)
    rows = await session.execute(
        select(Enrollment, Person)
        .join(Person, Person.member_id == Enrollment.member_id)
        .where(
            Enrollment.course_id == course_id,
            Enrollment.status.in_(domain.ACTIVE_STATUSES | {EnrollmentStatus.COMPLETED}),
        )
        .order_by(Enrollment.sequence)
    )
    listed = [(enrollment, person) for enrollment, person in rows]
    active = [row for row in listed if row[0].status in domain.ACTIVE_STATUSES]
    completed = sorted(
        (row for row in listed if row[0].status is EnrollmentStatus.COMPLETED),
        key=lambda row: (row[0].completed_at, row[0].sequence),
    )
    guests = list(
        await session.scalars(
            select(Guest).where(Guest.course_id == course_id).order_by(Guest.joined_at, Guest.id)
        )
    )
    offers = {
        offer.enrollment_id: offer
        for offer in await session.scalars(
            select(SeatOffer).where(
                SeatOffer.course_id == course_id, SeatOffer.status == SeatOfferStatus.OPEN
            )
        )
    }
    enrolled = sorted(
        (row for row in active if row[0].status is EnrollmentStatus.ENROLLED),
        key=lambda row: (row[0].enrolled_at or row[0].requested_at, row[0].sequence),
    )
    waiting = [row for row in active if row[0].status is EnrollmentStatus.WAITLISTED]
    summary = _course_out(
        course,
        {
            EnrollmentStatus.ENROLLED: len(enrolled) + len(guests),
            EnrollmentStatus.WAITLISTED: len(waiting),
        },
    )
    detail = CourseDetail(
        **summary.model_dump(),
        participants=[
            ParticipantOut(
                enrollment_id=e.id,
                member_id=e.member_id,
                household_id=e.household_id,
                enrolled_at=e.enrolled_at or e.requested_at,
                **_who(person),
            )
            for e, person in enrolled
        ],
        waitlist=[
            WaitlistEntryOut(
                enrollment_id=e.id,
                member_id=e.member_id,
                household_id=e.household_id,
                position=position,
                requested_at=e.requested_at,
                seat_offer=seat_offer_out(offers[e.id]) if e.id in offers else None,
                **_who(person),
            )
            for position, (e, person) in enumerate(waiting, start=1)
        ],
        completed=[
            CompletedOut(
                enrollment_id=e.id,
                member_id=e.member_id,
                household_id=e.household_id,
                completed_at=e.completed_at or e.requested_at,
                result=e.result,
                **_who(person),
            )
            for e, person in completed
        ],
        guests=[GuestOut.model_validate(guest) for guest in guests],
    )
    await audit(session, principal, action, RESOURCE, _distinct(e.household_id for e, _ in listed))
    if guests:
        await audit(session, principal, action, "guest", [guest.id for guest in guests])
    await session.commit()
    return detail


async def enroll(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    enrollment_in: EnrollmentIn,
    today: date,
) -> EnrollmentOut:
    course = await OFFERS.get(session, principal, course_id, for_update=True)
    # A person out of the caller's scope is as unknown as one never allocated.
    person = await session.scalar(
        PEOPLE.select(principal).where(Person.member_id == enrollment_in.member_id)
    )
    if person is None:
        raise InvalidFields({"member_id": "no person with this member_id is known to courses"})
    counts = await active_counts(session, [course.id])
    already_listed = await session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .where(
            Enrollment.course_id == course.id,
            Enrollment.member_id == person.member_id,
            Enrollment.status.in_(domain.ACTIVE_STATUSES),
        )
    )
    decision = domain.decide_enrollment(
        domain.CourseState(
            kind=course.kind,
            seats=course.seats,
            ends_on=course.ends_on,
            enrolled=counts.get(course.id, {}).get(EnrollmentStatus.ENROLLED, 0),
            waitlisted=counts.get(course.id, {}).get(EnrollmentStatus.WAITLISTED, 0),
        ),
        age_group=person.age_group,
        already_listed=bool(already_listed),
        today=today,
    )
    if isinstance(decision, Refusal):
        raise_refusal(decision)
    moment = await database_clock(session)
    seated = isinstance(decision, domain.Seat)
    enrollment = Enrollment(
        id=uuid.uuid4(),
        course_id=course.id,
        member_id=person.member_id,
        household_id=person.household_id,
        status=EnrollmentStatus.ENROLLED if seated else EnrollmentStatus.WAITLISTED,
        requested_by=principal.subject,
        requested_at=moment,
        enrolled_at=moment if seated else None,
    )
    session.add(enrollment)
    try:
        await session.flush()
    except IntegrityError as error:  # the unique index caught what the course lock should have
        raise Conflict(
            "the person is already enrolled or waitlisted for this course",
            code="already-enrolled",
        ) from error
    position = decision.position if isinstance(decision, domain.WaitlistPlace) else None
    if position is None:
        await outbox.add(session, enrolled_event(course, enrollment))
    else:
        await outbox.add(
            session,
            CourseWaitlisted(
                enrollment_id=enrollment.id,
                course_id=course.id,
                course_title=course.title,
                course_kind=course.kind,
                household_id=enrollment.household_id,
                member_id=enrollment.member_id,
                waitlist_position=position,
            ),
        )
    await audit(session, principal, "enroll", RESOURCE, [enrollment.household_id])
    await session.commit()
    return _enrollment_out(enrollment, waitlist_position=position)


async def withdraw(
    *, session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID
) -> WithdrawalOut:
    found = await ENROLLMENTS.get(session, principal, enrollment_id)
    # Lock order everywhere: course, then its enrollments.
    course = await session.get(Course, found.course_id, with_for_update=True)
    assert course is not None  # enrollments are deleted with their course
    enrollment = await session.scalar(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert enrollment is not None
    refusal = domain.withdrawal_problem(enrollment.status)
    if refusal is not None:
        raise_refusal(refusal)
    moment = await database_clock(session)
    was_waitlisted = enrollment.status is EnrollmentStatus.WAITLISTED
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = moment
    enrollment.withdrawn_by = principal.subject
    await session.flush()
    await outbox.add(
        session,
        CourseWithdrawn(
            enrollment_id=enrollment.id,
            course_id=course.id,
            course_title=course.title,
            course_kind=course.kind,
            household_id=enrollment.household_id,
            member_id=enrollment.member_id,
            withdrawn_on=moment.date(),
            was_waitlisted=was_waitlisted,
        ),
    )
    if was_waitlisted:
        await void_seat_offer(session, enrollment, moment)
    offered = await fill_free_seats(session, course, moment)
    await audit(
        session,
        principal,
        "withdraw",
        RESOURCE,
        _distinct([enrollment.household_id, *(o.household_id for o in offered)]),
    )
    await session.commit()
    return WithdrawalOut(
        withdrawn=_enrollment_out(enrollment),
        offered=[seat_offer_out(o) for o in offered],
    )


async def complete(
    *,
    session: AsyncSession,
    principal: Principal,
    enrollment_id: uuid.UUID,
    completion_in: CompletionIn,
) -> EnrollmentOut:
    """A participant finished the offer (with its result, if any): `course.completed`.

    The seat stays taken, since the offer is over for everyone or the person finished
    early with a result; no waitlist place moves up.
    """
    found = await ENROLLMENTS.get(session, principal, enrollment_id)
    course, enrollment = await lock_enrollment(session, found)
    refusal = domain.completion_problem(enrollment.status)
    if refusal is not None:
        raise_refusal(refusal)
    await record_completion(session, principal, course, enrollment, completion_in)
    await session.commit()
    return _enrollment_out(enrollment)


async def lock_enrollment(session: AsyncSession, found: Enrollment) -> tuple[Course, Enrollment]:
    """The enrolment's course and the enrolment itself, locked (course first) and fresh."""
    course = await session.get(Course, found.course_id, with_for_update=True)
    assert course is not None
    enrollment = await session.scalar(
        select(Enrollment)
        .where(Enrollment.id == found.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert enrollment is not None
    return course, enrollment


async def record_completion(
    session: AsyncSession,
    principal: Principal,
    course: Course,
    enrollment: Enrollment,
    completion_in: CompletionIn,
) -> None:
    """Record a completion the rules admit (the caller's transaction; `lock_enrollment`).

    Also what a course provider's report does (courses.inbound).
    """
    moment = await database_clock(session)
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = moment
    enrollment.completed_by = principal.subject
    enrollment.result = completion_in.result
    await outbox.add(
        session,
        CourseCompleted(
            enrollment_id=enrollment.id,
            course_id=course.id,
            course_title=course.title,
            course_kind=course.kind,
            household_id=enrollment.household_id,
            member_id=enrollment.member_id,
            completed_on=moment.date(),
            result=completion_in.result,
        ),
    )
    await audit(session, principal, "complete", RESOURCE, [enrollment.household_id])


async def add_session(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID, session_in: SessionIn
) -> SessionOut:
    course = await COURSES_RUN.get(session, principal, course_id)
    problems = domain.session_problems(starts_at=session_in.starts_at, ends_at=session_in.ends_at)
    if problems:
        raise InvalidFields(problems)
    held = CourseSession(
        id=uuid.uuid4(),
        course_id=course.id,
        starts_at=session_in.starts_at,
        ends_at=session_in.ends_at,
        topic=session_in.topic,
        created_by=principal.subject,
    )
    session.add(held)
    await session.commit()
    return _session_out(held, 0)


async def get_sessions(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> list[SessionOut]:
    """A course's sessions in time order; counts only, no person (nothing to audit)."""
    course = await COURSES_RUN.get(session, principal, course_id)
    recorded = (
        select(func.count())
        .select_from(SessionAttendance)
        .where(SessionAttendance.session_id == CourseSession.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(CourseSession, recorded)
        .where(CourseSession.course_id == course.id)
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    return [_session_out(held, count) for held, count in rows]


async def get_attendance(
    *, session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> SessionAttendanceOut:
    held = await SESSIONS.get(session, principal, session_id)
    answer = await _attendance(session, held)
    await audit(
        session, principal, "read", RESOURCE, _distinct(p.household_id for p in answer.participants)
    )
    await session.commit()
    return answer


async def record_attendance(
    *,
    session: AsyncSession,
    principal: Principal,
    session_id: uuid.UUID,
    attendance_in: AttendanceIn,
) -> SessionAttendanceOut:
    """Record (or correct) who was at a session; `course.attendance_recorded` per change."""
    held = await SESSIONS.get(session, principal, session_id, for_update=True)
    answer = await record_session_attendance(session, principal, held, attendance_in)
    await session.commit()
    return answer


async def record_session_attendance(
    session: AsyncSession,
    principal: Principal,
    held: CourseSession,
    attendance_in: AttendanceIn,
) -> SessionAttendanceOut:
    """Record attendance at a session locked by the caller, in the caller's transaction.

    Also what a course provider's report does (courses.inbound).
    """
    course = await session.get(Course, held.course_id)
    assert course is not None
    participants = {
        e.id: e
        for e in await session.scalars(
            select(Enrollment).where(
                Enrollment.course_id == held.course_id,
                Enrollment.status.in_(domain.ATTENDING_STATUSES),
            )
        )
    }
    entries = attendance_in.entries
    problems = domain.attendance_problems([e.enrollment_id for e in entries], participants)
    if problems:
        raise InvalidFields(problems)
    before = {
        row.enrollment_id: row.attendance
        for row in await session.scalars(
            select(SessionAttendance).where(SessionAttendance.session_id == held.id)
        )
    }
    changed = [e for e in entries if before.get(e.enrollment_id) is not e.attendance]
    if changed:
        statement = insert(SessionAttendance)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["session_id", "enrollment_id"],
                set_={
                    "attendance": statement.excluded.attendance,
                    "recorded_by": statement.excluded.recorded_by,
                    "recorded_at": func.now(),
                },
            ),
            [
                {
                    "session_id": held.id,
                    "enrollment_id": e.enrollment_id,
                    "attendance": e.attendance,
                    "recorded_by": principal.subject,
                }
                for e in changed
            ],
        )
    for entry in changed:
        enrollment = participants[entry.enrollment_id]
        await outbox.add(
            session,
            CourseAttendanceRecorded(
                enrollment_id=enrollment.id,
                course_id=held.course_id,
                course_title=course.title,
                session_id=held.id,
                held_on=held.starts_at.date(),
                household_id=enrollment.household_id,
                member_id=enrollment.member_id,
                attendance=entry.attendance,
            ),
        )
    answer = await _attendance(session, held)
    await audit(
        session,
        principal,
        "record_attendance",
        RESOURCE,
        _distinct(participants[e.enrollment_id].household_id for e in entries),
    )
    return answer


async def _attendance(session: AsyncSession, held: CourseSession) -> SessionAttendanceOut:
    rows = await session.execute(
        select(Enrollment, SessionAttendance.attendance, Person)
        .join(Person, Person.member_id == Enrollment.member_id)
        .outerjoin(
            SessionAttendance,
            (SessionAttendance.enrollment_id == Enrollment.id)
            & (SessionAttendance.session_id == held.id),
        )
        .where(
            Enrollment.course_id == held.course_id,
            Enrollment.status.in_(domain.ATTENDING_STATUSES),
        )
        .order_by(Enrollment.enrolled_at, Enrollment.sequence)
    )
    participants = [
        AttendanceOut(
            enrollment_id=e.id,
            member_id=e.member_id,
            household_id=e.household_id,
            attendance=attendance,
            allocation_notice_number=person.allocation_notice_number,
            member_position=person.position,
        )
        for e, attendance, person in rows
    ]
    recorded = sum(p.attendance is not None for p in participants)
    return SessionAttendanceOut(session=_session_out(held, recorded), participants=participants)


def _session_out(held: CourseSession, recorded: int) -> SessionOut:
    return SessionOut(
        id=held.id,
        course_id=held.course_id,
        starts_at=held.starts_at,
        ends_at=held.ends_at,
        topic=held.topic,
        recorded=recorded,
    )


async def find_people(
    *, session: AsyncSession, principal: Principal, allocation_notice_number: str
) -> list[PersonOut]:
    """The members of the household with this allocation notice number, in its own order.

    Empty when courses knows no such household (yet: the allocation may still be on its way).
    """
    found = list(
        await session.scalars(
            PEOPLE.select(principal)
            # Compared normalised; upper() also finds numbers intake published before it
            # normalised them.
            .where(
                func.upper(Person.allocation_notice_number)
                == normalise_notice_number(allocation_notice_number)
            )
            .order_by(Person.household_id, Person.position, Person.member_id)
        )
    )
    if found:
        await audit(
            session, principal, "read", RESOURCE, _distinct(person.household_id for person in found)
        )
        await session.commit()
    return [PersonOut.model_validate(person) for person in found]


async def get_people_acted_on(
    *, session: AsyncSession, principal: Principal, member_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, PersonOut]:
    """The people a use case has just enrolled, withdrawn or promoted, by member id.

    For its confirmation, which says who it was without a name (person 2 of a household's
    notice number). Not audited again: the use case's own entry (`enroll`, `withdraw`)
    already records this access to these households, one entry per action.
    """
    found = await session.scalars(PEOPLE.select(principal).where(Person.member_id.in_(member_ids)))
    return {person.member_id: PersonOut.model_validate(person) for person in found}


async def get_enrollment_course(
    *, session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID
) -> uuid.UUID:
    """The course an enrolment is for; no person in the answer, so nothing to audit."""
    enrollment = await ENROLLMENTS.get(session, principal, enrollment_id)
    return enrollment.course_id


async def register_people(*, session: AsyncSession, events: Sequence[HouseholdAssigned]) -> None:
    """Record the members of newly allocated households (once, whatever the redelivery)."""
    rows = [
        {
            "member_id": member.member_id,
            "household_id": event.household_id,
            "age_group": member.age_group,
            "languages": list(member.languages),
            "allocation_notice_number": event.allocation_notice_number,
            "position": position,
            "team": event.team,
        }
        for event in events
        for position, member in enumerate(event.members, start=1)
    ]
    if rows:
        statement = insert(Person)
        # A person is recorded once; an event delivered again (or replayed) only fills in
        # what people recorded before notice numbers and positions were kept lack.
        statement = statement.on_conflict_do_update(
            index_elements=["member_id"],
            set_={
                "allocation_notice_number": func.coalesce(
                    Person.allocation_notice_number, statement.excluded.allocation_notice_number
                ),
                "position": func.coalesce(Person.position, statement.excluded.position),
                "team": func.coalesce(Person.team, statement.excluded.team),
            },
        )
        # executemany form: one cached statement, batched by the driver, whatever the count.
        await session.execute(statement, rows)


async def record_member_changes(
    *, session: AsyncSession, events: Sequence[HouseholdMembersChanged]
) -> None:
    """A household's members changed in intake: a new member (a new adult) may enrol, a
    corrected one gets their age group and languages. A change older than the one applied
    is ignored. Someone who left the household stays known with their enrolments."""
    for event in events:
        rows = [
            {
                "member_id": member.member_id,
                "household_id": event.household_id,
                "age_group": member.age_group,
                "languages": list(member.languages),
                "allocation_notice_number": event.allocation_notice_number,
                "position": position,
                "team": event.team,
                "members_revision": event.revision,
            }
            for position, member in enumerate(event.members, start=1)
        ]
        statement = insert(Person)
        excluded = statement.excluded
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"],
                set_={
                    "age_group": excluded.age_group,
                    "languages": excluded.languages,
                    "position": excluded.position,
                    "members_revision": excluded.members_revision,
                },
                where=Person.members_revision < excluded.members_revision,
            ),
            rows,
        )


async def fill_free_seats(
    session: AsyncSession, course: Course, moment: datetime
) -> list[SeatOffer]:
    """Offer each free seat nobody has been offered yet to the next on the waitlist.

    Under the course lock. The offer holds the seat until it is answered or its deadline
    (a durable timer, courses.timers) passes; someone offered a seat once is never offered
    one again for the same waitlist place (declining or missing the deadline ends it).
    """
    counts = await active_counts(session, [course.id])
    taken = counts.get(course.id, {}).get(EnrollmentStatus.ENROLLED, 0)
    open_offers = await session.scalar(
        select(func.count())
        .select_from(SeatOffer)
        .where(SeatOffer.course_id == course.id, SeatOffer.status == SeatOfferStatus.OPEN)
    )
    wanted = domain.seats_to_offer_now(
        seats=course.seats, taken=taken, open_offers=int(open_offers or 0)
    )
    if wanted == 0:
        return []
    waiting = list(
        await session.scalars(
            select(Enrollment)
            .where(
                Enrollment.course_id == course.id,
                Enrollment.status == EnrollmentStatus.WAITLISTED,
                ~select(SeatOffer.id).where(SeatOffer.enrollment_id == Enrollment.id).exists(),
            )
            .order_by(Enrollment.sequence)
            .limit(wanted)
            .with_for_update()
        )
    )
    expires_at = moment + timedelta(hours=get_settings().seat_offer_hours)
    offers = []
    for enrollment in waiting:
        offer = SeatOffer(
            id=uuid.uuid4(),
            course_id=course.id,
            enrollment_id=enrollment.id,
            member_id=enrollment.member_id,
            household_id=enrollment.household_id,
            status=SeatOfferStatus.OPEN,
            offered_at=moment,
            expires_at=expires_at,
        )
        session.add(offer)
        offers.append(offer)
        await timers.schedule(session, SEAT_OFFER_EXPIRY, str(offer.id), expires_at)
        await outbox.add(
            session,
            SeatOffered(
                offer_id=offer.id,
                enrollment_id=enrollment.id,
                course_id=course.id,
                course_title=course.title,
                course_kind=course.kind,
                household_id=enrollment.household_id,
                member_id=enrollment.member_id,
                expires_at=expires_at,
            ),
        )
    await session.flush()
    return offers


async def void_seat_offer(session: AsyncSession, enrollment: Enrollment, moment: datetime) -> None:
    """The open offer of a waiting person who is withdrawn ends unanswered (no event: the
    withdrawal's own says it); its timer goes with it."""
    offer = await session.scalar(
        select(SeatOffer)
        .where(SeatOffer.enrollment_id == enrollment.id, SeatOffer.status == SeatOfferStatus.OPEN)
        .with_for_update()
    )
    if offer is not None:
        offer.status = SeatOfferStatus.VOID
        offer.answered_at = moment
        await timers.cancel(session, SEAT_OFFER_EXPIRY, str(offer.id))


def _who(person: Person) -> dict[str, Any]:
    """Who an enrolment is for, as staff may read it: no name, which courses never has."""
    return {
        "allocation_notice_number": person.allocation_notice_number,
        "member_position": person.position,
        "age_group": person.age_group,
    }


def seat_offer_out(offer: SeatOffer) -> SeatOfferOut:
    return SeatOfferOut.model_validate(offer)


def enrolled_event(course: Course, enrollment: Enrollment) -> CourseEnrolled:
    return CourseEnrolled(
        enrollment_id=enrollment.id,
        course_id=course.id,
        course_title=course.title,
        course_kind=course.kind,
        starts_on=course.starts_on,
        household_id=enrollment.household_id,
        member_id=enrollment.member_id,
    )


async def active_counts(
    session: AsyncSession, course_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[EnrollmentStatus, int]]:
    """Course id → seats taken (enrolled people and guests) and waitlisted people."""
    if not course_ids:
        return {}
    rows = await session.execute(
        select(Enrollment.course_id, Enrollment.status, func.count())
        .where(
            Enrollment.course_id.in_(course_ids),
            Enrollment.status.in_(domain.ACTIVE_STATUSES),
        )
        .group_by(Enrollment.course_id, Enrollment.status)
    )
    counts: dict[uuid.UUID, dict[EnrollmentStatus, int]] = {}
    for course_id, status, count in rows:
        counts.setdefault(course_id, {})[status] = count
    # A guest takes a seat like an enrolled person.
    guests = await session.execute(
        select(Guest.course_id, func.count())
        .where(Guest.course_id.in_(course_ids))
        .group_by(Guest.course_id)
    )
    for course_id, count in guests:
        seats = counts.setdefault(course_id, {})
        seats[EnrollmentStatus.ENROLLED] = seats.get(EnrollmentStatus.ENROLLED, 0) + count
    return counts


async def database_clock(session: AsyncSession) -> datetime:
    # The database's wall clock, read under the course lock: later lock holders always
    # read a later time, whichever API replica they run in.
    moment = await session.scalar(select(func.clock_timestamp().cast(DateTime(timezone=True))))
    assert isinstance(moment, datetime)
    return moment


def _course_out(course: Course, counts: dict[EnrollmentStatus, int]) -> CourseOut:
    enrolled = counts.get(EnrollmentStatus.ENROLLED, 0)
    return CourseOut(
        id=course.id,
        kind=course.kind,
        provider=course.provider,
        title=course.title,
        level=course.level,
        starts_on=course.starts_on,
        ends_on=course.ends_on,
        weekly_times=course.weekly_times,
        place=course.place,
        seats=course.seats,
        languages=list(course.languages or ()),
        childcare=course.childcare,
        team=course.team,
        enrolled=enrolled,
        free=domain.free_seats(seats=course.seats, enrolled=enrolled),
        waitlisted=counts.get(EnrollmentStatus.WAITLISTED, 0),
    )


def _enrollment_out(
    enrollment: Enrollment, *, waitlist_position: int | None = None
) -> EnrollmentOut:
    return EnrollmentOut(
        id=enrollment.id,
        course_id=enrollment.course_id,
        member_id=enrollment.member_id,
        household_id=enrollment.household_id,
        status=enrollment.status,
        waitlist_position=waitlist_position,
        requested_at=enrollment.requested_at,
        enrolled_at=enrollment.enrolled_at,
        withdrawn_at=enrollment.withdrawn_at,
        completed_at=enrollment.completed_at,
        result=enrollment.result,
    )


def _distinct(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))
