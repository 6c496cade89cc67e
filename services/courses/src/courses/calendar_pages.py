"""Staff pages of courses' calendar feeds: an offer's calendar (its coordinators), and a
participant's page with their offers and their calendar (their caseworker, or the
coordinators of an offer they take part in), to hand the address to the person.

The address is shown once, on the answer that issued it (only its hash is kept); a new
one stops the old one, and a feed can be stopped. Every change goes through the use cases
of `courses.calendar_feeds`.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.calendar import FeedAccess
from teilhabe.scope import applies_scope

from courses import calendar_feeds, participants
from courses.dependencies import COURSES_RUN
from courses.pages import AGE_GROUP_LABELS, KIND_LABELS, Coordinator
from courses.work import WORKERS, WorkStaff

router = APIRouter()
# Who acts for a participant: their caseworkers and their offers' coordinators.
Carer = Annotated[Principal, ui.page_roles(*ui.api_roles(WorkStaff))]

STATUS_LABELS = {
    "enrolled": ui.N_("Enrolled"),
    "waitlisted": ui.N_("On the waitlist"),
}


# --- an offer's calendar ------------------------------------------------------------------


async def _course_feed(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> ui.FeedPage:
    return ui.FeedPage(
        access=FeedAccess.of(
            calendar_feeds.issue_course_feed,
            calendar_feeds.stop_course_feed,
            session=session,
            principal=principal,
            course_id=course_id,
        ),
        show=partial(_course_page, request, session, principal, course_id),
    )


ui.feed_page_routes(
    router,
    path="/kurse/{course_id}/kalender",
    feeds=calendar_feeds.FEEDS,
    page=_course_feed,
    show_name="course_calendar",
    names=("issue_course_calendar", "stop_course_calendar"),
    back="course_calendar",
    dependencies=[applies_scope(COURSES_RUN)],
)


async def _course_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    course_id: uuid.UUID,
    address: str | None = None,
) -> Response:
    course, feed = await calendar_feeds.course_feed(
        session=session, principal=principal, course_id=course_id
    )
    return await ui.render(
        request,
        "courses/course_calendar.html",
        {"course": course, "feed": feed, "address": address},
        section="ui_home",
    )


# --- a participant, and their calendar ----------------------------------------------------


@router.get("/teilnehmende/{member_id}", name="participant", dependencies=[applies_scope(WORKERS)])
async def participant(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Carer
) -> Response:
    return await _participant_page(request, session, principal, member_id)


async def _participant_feed(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Carer
) -> ui.FeedPage:
    return ui.FeedPage(
        access=FeedAccess.of(
            calendar_feeds.issue_person_feed,
            calendar_feeds.stop_person_feed,
            session=session,
            principal=principal,
            member_id=member_id,
        ),
        show=partial(_participant_page, request, session, principal, member_id),
    )


ui.feed_page_routes(
    router,
    path="/teilnehmende/{member_id}/kalender",
    feeds=calendar_feeds.FEEDS,
    page=_participant_feed,
    names=("issue_participant_calendar", "stop_participant_calendar"),
    back="participant",
    dependencies=[applies_scope(WORKERS)],
)


async def _participant_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    member_id: uuid.UUID,
    address: str | None = None,
) -> Response:
    found = await participants.get_participant(
        session=session, principal=principal, member_id=member_id
    )
    _, feed = await calendar_feeds.person_feed(
        session=session, principal=principal, member_id=member_id
    )
    return await ui.render(
        request,
        "courses/participant.html",
        {
            "participant": found,
            "feed": feed,
            "address": address,
            "kind_labels": KIND_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "status_labels": STATUS_LABELS,
        },
        section="ui_home",
    )
