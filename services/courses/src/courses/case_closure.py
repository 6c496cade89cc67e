"""A household's case closed in intake (household.case_closed): its members' seats and
waitlist places are withdrawn (course.withdrawn for each), and the freed seats go to the
waitlist in order. Idempotent: a withdrawn or completed enrolment stays as it is."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.courses import CourseWithdrawn
from teilhabe.events.households import HouseholdCaseClosed

from courses.domain import EnrollmentStatus
from courses.models import Course, Enrollment
from courses.service import database_clock, fill_free_seats, outbox

# Who withdrew, on the record: the case's closure, not a member of staff.
CLOSED_CASE = "case-closed"
ACTIVE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)


async def close_cases(*, session: AsyncSession, events: Sequence[HouseholdCaseClosed]) -> None:
    for event in events:
        course_ids = sorted(
            set(
                await session.scalars(
                    select(Enrollment.course_id).where(
                        Enrollment.household_id == event.household_id,
                        Enrollment.status.in_(ACTIVE),
                    )
                )
            )
        )
        for course_id in course_ids:  # in id order: two closures never lock crosswise
            await _withdraw_household(session, course_id, event)


async def _withdraw_household(
    session: AsyncSession, course_id: object, event: HouseholdCaseClosed
) -> None:
    # Lock order everywhere: course, then its enrollments.
    course = await session.get(Course, course_id, with_for_update=True)
    if course is None:
        return
    enrollments = await session.scalars(
        select(Enrollment)
        .where(
            Enrollment.course_id == course.id,
            Enrollment.household_id == event.household_id,
            Enrollment.status.in_(ACTIVE),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    moment = await database_clock(session)
    for enrollment in list(enrollments):
        was_waitlisted = enrollment.status is EnrollmentStatus.WAITLISTED
        enrollment.status = EnrollmentStatus.WITHDRAWN
        enrollment.withdrawn_at = moment
        enrollment.withdrawn_by = CLOSED_CASE
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
    await session.flush()
    await fill_free_seats(session, course, moment)
