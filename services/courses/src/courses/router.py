"""HTTP API of courses: thin, every rule lives in domain.py and service.py."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.clock import today
from teilhabe.events.courses import OfferKind
from teilhabe.scope import applies_scope

from courses import guests, seat_offers, service
from courses.dependencies import (
    COURSES_RUN,
    ENROLLMENTS,
    GUESTS,
    OFFERS,
    PEOPLE,
    SEAT_OFFERS,
    SESSIONS,
    CatalogueReaders,
    CourseManagers,
    Enrollers,
)
from courses.schemas import (
    AttendanceIn,
    CompletionIn,
    CourseDetail,
    CourseIn,
    CourseOut,
    EnrollmentIn,
    EnrollmentOut,
    GuestIn,
    GuestOut,
    SeatOfferOut,
    SessionAttendanceOut,
    SessionIn,
    SessionOut,
    WithdrawalOut,
)

router = APIRouter(tags=["courses"])


@router.post("/courses", status_code=status.HTTP_201_CREATED, summary="Add a course or offer")
async def create_course(
    course_in: CourseIn, session: DbSession, principal: CourseManagers
) -> CourseOut:
    return await service.create_course(session=session, principal=principal, course_in=course_in)


@router.get("/courses", summary="The catalogue: courses with seats, free seats and waitlist length")
async def list_courses(
    session: DbSession,
    principal: CatalogueReaders,
    kind: OfferKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CourseOut]:
    items, total = await service.get_catalogue(
        session=session, principal=principal, kind=kind, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/courses/{course_id}",
    summary="One course with its participants and waitlist",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def read_course(
    course_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> CourseDetail:
    return await service.get_course(session=session, principal=principal, course_id=course_id)


@router.post(
    "/courses/{course_id}/enrollments",
    status_code=status.HTTP_201_CREATED,
    summary="Enrol a person: a free seat, else a place on the waitlist",
    dependencies=[applies_scope(OFFERS, PEOPLE)],
)
async def enroll(
    course_id: uuid.UUID, enrollment_in: EnrollmentIn, session: DbSession, principal: Enrollers
) -> EnrollmentOut:
    return await service.enroll(
        session=session,
        principal=principal,
        course_id=course_id,
        enrollment_in=enrollment_in,
        today=today(),
    )


@router.post(
    "/enrollments/{enrollment_id}/withdraw",
    summary="Withdraw an enrolment; a freed seat is offered to the next on the waitlist",
    dependencies=[applies_scope(ENROLLMENTS)],
)
async def withdraw(
    enrollment_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> WithdrawalOut:
    return await service.withdraw(session=session, principal=principal, enrollment_id=enrollment_id)


@router.post(
    "/enrollments/{enrollment_id}/complete",
    summary="A participant completed the offer, with its result (e.g. the DTZ level)",
    dependencies=[applies_scope(ENROLLMENTS)],
)
async def complete(
    enrollment_id: uuid.UUID,
    completion_in: CompletionIn,
    session: DbSession,
    principal: CourseManagers,
) -> EnrollmentOut:
    return await service.complete(
        session=session,
        principal=principal,
        enrollment_id=enrollment_id,
        completion_in=completion_in,
    )


@router.post(
    "/courses/{course_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    summary="Add a dated session to a course",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def add_session(
    course_id: uuid.UUID, session_in: SessionIn, session: DbSession, principal: CourseManagers
) -> SessionOut:
    return await service.add_session(
        session=session, principal=principal, course_id=course_id, session_in=session_in
    )


@router.get(
    "/courses/{course_id}/sessions",
    summary="A course's sessions in time order, with how many attendances are recorded",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def list_sessions(
    course_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> list[SessionOut]:
    return await service.get_sessions(session=session, principal=principal, course_id=course_id)


@router.get(
    "/sessions/{session_id}/attendance",
    summary="Every participant of a session and their attendance (None: not recorded)",
    dependencies=[applies_scope(SESSIONS)],
)
async def read_attendance(
    session_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> SessionAttendanceOut:
    return await service.get_attendance(session=session, principal=principal, session_id=session_id)


@router.put(
    "/sessions/{session_id}/attendance",
    summary="Record or correct attendance (present, excused, absent) at a session",
    dependencies=[applies_scope(SESSIONS)],
)
async def record_attendance(
    session_id: uuid.UUID,
    attendance_in: AttendanceIn,
    session: DbSession,
    principal: CourseManagers,
) -> SessionAttendanceOut:
    return await service.record_attendance(
        session=session, principal=principal, session_id=session_id, attendance_in=attendance_in
    )


@router.post(
    "/courses/{course_id}/guests",
    status_code=status.HTTP_201_CREATED,
    summary="A local or a volunteer joins an offer open to guests: name and one contact",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def add_guest(
    course_id: uuid.UUID, guest_in: GuestIn, session: DbSession, principal: CourseManagers
) -> GuestOut:
    return await guests.add_guest(
        session=session, principal=principal, course_id=course_id, guest_in=guest_in, today=today()
    )


@router.delete(
    "/guests/{guest_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A guest leaves the offer: their record is deleted and the seat is free",
    dependencies=[applies_scope(GUESTS)],
)
async def remove_guest(
    guest_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> Response:
    await guests.remove_guest(session=session, principal=principal, guest_id=guest_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/seat-offers",
    summary="Open seat offers the caller may answer (their courses, or their households' people)",
)
async def list_seat_offers(
    session: DbSession, principal: Enrollers, limit: Limit = 50, offset: Offset = 0
) -> list[SeatOfferOut]:
    return await seat_offers.get_open_offers(
        session=session, principal=principal, limit=limit, offset=offset
    )


@router.post(
    "/seat-offers/{offer_id}/accept",
    summary="Accept a seat offer before its deadline: the person holds the seat",
    dependencies=[applies_scope(SEAT_OFFERS)],
)
async def accept_seat_offer(
    offer_id: uuid.UUID, session: DbSession, principal: Enrollers
) -> SeatOfferOut:
    return await seat_offers.accept(session=session, principal=principal, offer_id=offer_id)


@router.post(
    "/seat-offers/{offer_id}/decline",
    summary="Decline a seat offer: the waitlist place ends, the seat goes to the next in line",
    dependencies=[applies_scope(SEAT_OFFERS)],
)
async def decline_seat_offer(
    offer_id: uuid.UUID, session: DbSession, principal: Enrollers
) -> SeatOfferOut:
    return await seat_offers.decline(session=session, principal=principal, offer_id=offer_id)
