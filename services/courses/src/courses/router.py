"""HTTP API of courses: thin, every rule lives in domain.py and service.py."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.clock import today
from teilhabe.events.courses import OfferKind
from teilhabe.scope import applies_scope

from courses import service
from courses.dependencies import (
    COURSES_RUN,
    ENROLLMENTS,
    OFFERS,
    PEOPLE,
    CatalogueReaders,
    CourseManagers,
    Enrollers,
)
from courses.schemas import (
    CourseDetail,
    CourseIn,
    CourseOut,
    EnrollmentIn,
    EnrollmentOut,
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
    summary="Withdraw an enrolment; a freed seat goes to the next on the waitlist",
    dependencies=[applies_scope(ENROLLMENTS)],
)
async def withdraw(
    enrollment_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> WithdrawalOut:
    return await service.withdraw(session=session, principal=principal, enrollment_id=enrollment_id)
