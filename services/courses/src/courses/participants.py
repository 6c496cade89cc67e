"""A participant as their caseworker or an offer's coordinator sees them in courses: the
person's reference and the offers they hold a seat in or wait for (no name: courses has
none)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.auth import Principal

from courses import domain
from courses.models import Course, Enrollment
from courses.schemas import CourseOut, PersonOut
from courses.service import RESOURCE, _course_out, active_counts, audit
from courses.work import WORKERS


@dataclass(frozen=True)
class Participation:
    course: CourseOut
    status: domain.EnrollmentStatus


@dataclass(frozen=True)
class Participant:
    person: PersonOut
    offers: list[Participation]


async def get_participant(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> Participant:
    person = await WORKERS.get(session, principal, member_id)
    rows = list(
        await session.execute(
            select(Enrollment.status, Course)
            .join(Course, Course.id == Enrollment.course_id)
            .where(
                Enrollment.member_id == person.member_id,
                Enrollment.status.in_(domain.ACTIVE_STATUSES),
            )
            .order_by(Course.starts_on, Course.title, Course.id)
        )
    )
    counts = await active_counts(session, [course.id for _, course in rows])
    found = Participant(
        person=PersonOut.model_validate(person),
        offers=[
            Participation(_course_out(course, counts.get(course.id, {})), status)
            for status, course in rows
        ],
    )
    await audit(session, principal, "read", RESOURCE, [person.household_id])
    await session.commit()
    return found
