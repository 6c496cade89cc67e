"""HTTP API of courses' calendar feeds: an offer's and a participant's address (shown
once, kept hashed), stopping them; and the feeds themselves, at addresses that are their
own credential."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from teilhabe.api.dependencies import DbSession
from teilhabe.calendar import FeedAccess, feed_link_routes
from teilhabe.scope import applies_scope

from courses import calendar_feeds
from courses.dependencies import COURSES_RUN, CourseManagers
from courses.work import WORKERS, WorkStaff

router = APIRouter(tags=["calendar"])


def _course_feed(course_id: uuid.UUID, session: DbSession, principal: CourseManagers) -> FeedAccess:
    return FeedAccess.of(
        calendar_feeds.issue_course_feed,
        calendar_feeds.stop_course_feed,
        session=session,
        principal=principal,
        course_id=course_id,
    )


def _person_feed(member_id: uuid.UUID, session: DbSession, principal: WorkStaff) -> FeedAccess:
    return FeedAccess.of(
        calendar_feeds.issue_person_feed,
        calendar_feeds.stop_person_feed,
        session=session,
        principal=principal,
        member_id=member_id,
    )


feed_link_routes(
    router,
    path="/courses/{course_id}/calendar",
    feeds=calendar_feeds.FEEDS,
    access=_course_feed,
    names=("issue_course_calendar", "stop_course_calendar"),
    summaries=(
        "A new address of the offer's calendar feed (its sessions); the old one stops "
        "working. Shown this once: only its hash is kept",
        "Stop the offer's calendar feed: its address stops working",
    ),
    dependencies=[applies_scope(COURSES_RUN)],
)
feed_link_routes(
    router,
    path="/persons/{member_id}/calendar",
    feeds=calendar_feeds.FEEDS,
    access=_person_feed,
    names=("issue_person_calendar", "stop_person_calendar"),
    summaries=(
        "A new address of a participant's calendar feed (the sessions of the offers they "
        "hold a seat in), to hand to the person; the old one stops working. Shown this once",
        "Stop a participant's calendar feed: its address stops working",
    ),
    dependencies=[applies_scope(WORKERS)],
)

feed = calendar_feeds.FEEDS.router()
