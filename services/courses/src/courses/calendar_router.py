"""HTTP API of courses' calendar feeds: an offer's and a participant's address (shown
once, kept hashed), stopping them; and the feeds themselves, at addresses that are their
own credential."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status
from pydantic import Field
from teilhabe import calendar
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import ResponseModel
from teilhabe.calendar import feed_router
from teilhabe.scope import applies_scope

from courses import calendar_feeds
from courses.dependencies import COURSES_RUN, CourseManagers
from courses.service import audit
from courses.work import WORKERS, WorkStaff

router = APIRouter(tags=["calendar"])


class CalendarLinkOut(ResponseModel):
    url: str = Field(description="The feed's address; keep it secret, it is the key.")


def feed_address(request: Request, token: str, *, root: str = "") -> str:
    """The feed's full address; `root` where the service's app is mounted."""
    return calendar.feed_address(request, calendar_feeds.FEED_PATH, token, root=root)


@router.post(
    "/courses/{course_id}/calendar",
    summary="A new address of the offer's calendar feed (its sessions); the old one stops "
    "working. Shown this once: only its hash is kept",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def issue_course_calendar(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> CalendarLinkOut:
    token = await calendar_feeds.issue_course_feed(
        session=session, principal=principal, course_id=course_id
    )
    return CalendarLinkOut(
        url=feed_address(request, token, root=request.scope.get("root_path", ""))
    )


@router.delete(
    "/courses/{course_id}/calendar",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop the offer's calendar feed: its address stops working",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def stop_course_calendar(
    course_id: uuid.UUID, session: DbSession, principal: CourseManagers
) -> None:
    await calendar_feeds.stop_course_feed(session=session, principal=principal, course_id=course_id)


@router.post(
    "/persons/{member_id}/calendar",
    summary="A new address of a participant's calendar feed (the sessions of the offers they "
    "hold a seat in), to hand to the person; the old one stops working. Shown this once",
    dependencies=[applies_scope(WORKERS)],
)
async def issue_person_calendar(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: WorkStaff
) -> CalendarLinkOut:
    token = await calendar_feeds.issue_person_feed(
        session=session, principal=principal, member_id=member_id
    )
    return CalendarLinkOut(
        url=feed_address(request, token, root=request.scope.get("root_path", ""))
    )


@router.delete(
    "/persons/{member_id}/calendar",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop a participant's calendar feed: its address stops working",
    dependencies=[applies_scope(WORKERS)],
)
async def stop_person_calendar(
    member_id: uuid.UUID, session: DbSession, principal: WorkStaff
) -> None:
    await calendar_feeds.stop_person_feed(session=session, principal=principal, member_id=member_id)


feed = feed_router(
    path=calendar_feeds.FEED_PATH,
    name="calendar_feed_ics",
    tokens=calendar_feeds.FEED_TOKENS,
    audit=audit,
    calendar_name=calendar_feeds.CALENDAR_NAME,
    load=calendar_feeds.load,
)
