"""Calendar feeds of courses: an offer's sessions, and a participant's sessions across the
offers they hold a seat in, each at a secret address (teilhabe.calendar).

An offer's feed is issued by the offer's coordinators, to hand to its provider or its
participants; a participant's feed by their caseworker or the coordinators of an offer
they take part in, to hand to the person. Both are kept hashed, reissued (the old
address stops working) or stopped. A feed names no one: courses knows no names, and the
entries carry the offer's title, topic and place only. Each fetch is audited, the feed's
holder (the offer or the person) reading the sessions shown.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.auth import Principal
from teilhabe.calendar import (
    CalendarEvent,
    CalendarFeeds,
    FeedContent,
    FeedHolder,
    FeedState,
    FeedTokens,
)

from courses.dependencies import COURSES_RUN
from courses.domain import EnrollmentStatus
from courses.models import Course, CourseSession, Enrollment, Person, calendar_feed
from courses.service import audit
from courses.work import WORKERS

CALENDAR_NAME = "Teilhabe – Kurstermine"
# Whose feed a row is: an offer's or a participant's (the table keeps one per holder).
COURSE_HOLDER = "course:"
PERSON_HOLDER = "person:"
# How far back a participant's feed reaches: calendars keep what they saw before.
PAST_DAYS = 30


def course_holder(course_id: uuid.UUID) -> str:
    return f"{COURSE_HOLDER}{course_id}"


def person_holder(member_id: uuid.UUID) -> str:
    return f"{PERSON_HOLDER}{member_id}"


# --- an offer's feed, by its coordinators ------------------------------------------------


async def course_feed(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> tuple[Course, FeedState | None]:
    course = await COURSES_RUN.get(session, principal, course_id)
    return course, await FEEDS.state(session, course_holder(course.id))


async def issue_course_feed(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> str:
    """A new address of the offer's feed (an earlier one stops working), shown once."""
    course = await COURSES_RUN.get(session, principal, course_id)
    # No names ever: courses has none to show.
    return await FEEDS.issue(session, principal, course_holder(course.id), show_names=False)


async def stop_course_feed(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> bool:
    course = await COURSES_RUN.get(session, principal, course_id)
    return await FEEDS.revoke(session, principal, course_holder(course.id))


# --- a participant's feed, by their caseworker or coordinator ----------------------------


async def person_feed(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> tuple[Person, FeedState | None]:
    person = await WORKERS.get(session, principal, member_id)
    return person, await FEEDS.state(session, person_holder(person.member_id))


async def issue_person_feed(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> str:
    """A new address of the person's feed (an earlier one stops working), shown once."""
    person = await WORKERS.get(session, principal, member_id)
    return await FEEDS.issue(session, principal, person_holder(person.member_id), show_names=False)


async def stop_person_feed(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> bool:
    person = await WORKERS.get(session, principal, member_id)
    return await FEEDS.revoke(session, principal, person_holder(person.member_id))


# --- the feed itself ----------------------------------------------------------------------


async def load(session: AsyncSession, holder: FeedHolder) -> FeedContent | None:
    """The holder's sessions, or None when the offer or the person is gone (erased)."""
    # The feed's reader in the audit trail: the offer or person it belongs to, no role.
    reader = Principal(subject=holder.subject, roles=frozenset())
    key = holder.subject
    try:
        if key.startswith(COURSE_HOLDER):
            course_id = uuid.UUID(key.removeprefix(COURSE_HOLDER))
            course = await session.get(Course, course_id)
            if course is None:
                return None
            rows = await session.execute(
                select(CourseSession, Course)
                .join(Course, Course.id == CourseSession.course_id)
                .where(CourseSession.course_id == course_id)
                .order_by(CourseSession.starts_at, CourseSession.id)
            )
        elif key.startswith(PERSON_HOLDER):
            member_id = uuid.UUID(key.removeprefix(PERSON_HOLDER))
            if await session.get(Person, member_id) is None:
                return None
            # The sessions of the offers the person holds a seat in: not those they wait
            # for, left or finished.
            rows = await session.execute(
                select(CourseSession, Course)
                .join(Course, Course.id == CourseSession.course_id)
                .join(Enrollment, Enrollment.course_id == Course.id)
                .where(
                    Enrollment.member_id == member_id,
                    Enrollment.status == EnrollmentStatus.ENROLLED,
                    CourseSession.starts_at >= clock.now() - timedelta(days=PAST_DAYS),
                )
                .order_by(CourseSession.starts_at, CourseSession.id)
            )
        else:
            return None
    except ValueError:
        return None
    return FeedContent(reader=reader, events=[_event(held, course) for held, course in rows])


def _event(held: CourseSession, course: Course) -> CalendarEvent:
    summary = course.title if not held.topic else f"{course.title}: {held.topic}"
    return CalendarEvent(
        uid=f"course-session-{held.id}@teilhabe",
        summary=summary,
        resource_type="course_session",
        resource_id=held.id,
        starts_at=held.starts_at,
        duration=held.ends_at - held.starts_at,
        location=course.place,
        description=course.provider,
    )


FEEDS = CalendarFeeds(FeedTokens(calendar_feed), CALENDAR_NAME, load, audit)
