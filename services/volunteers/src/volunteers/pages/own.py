"""The volunteer's own page: their record, mentorships, shifts and calendar address,
nothing of anyone else."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound
from teilhabe.auth import Principal
from teilhabe.calendar import FeedAccess

from volunteers import calendar_feed, service, shifts
from volunteers.pages.common import OwnVolunteer, page

router = APIRouter()


@router.get("/mein-engagement", name="own_page")
async def own_page(request: Request, session: DbSession, principal: OwnVolunteer) -> Response:
    return await _own_page(request, session, principal)


async def _own_feed(request: Request, session: DbSession, principal: OwnVolunteer) -> ui.FeedPage:
    return ui.FeedPage(
        access=FeedAccess.of(
            calendar_feed.issue, calendar_feed.revoke, session=session, principal=principal
        ),
        show=partial(_own_page, request, session, principal),
    )


ui.feed_page_routes(
    router,
    path="/mein-engagement/kalender",
    feeds=calendar_feed.FEEDS,
    page=_own_feed,
    names=("issue_own_calendar", "revoke_own_calendar"),
    back="own_page",
)


async def _own_page(
    request: Request, session: DbSession, principal: Principal, address: str | None = None
) -> Response:
    try:
        found = await service.get_own(session=session, principal=principal)
    except NotFound:
        # Signed in as a volunteer, but no registration names this login (yet).
        return await page(request, "volunteers/own.html", {"volunteer": None}, section="own_page")
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=None
    )
    households = await service.get_household_briefs(
        session=session, principal=principal, household_ids=[m.household_id for m in matches]
    )
    own_shifts = await shifts.get_own_shifts(session=session, principal=principal)
    feed = await calendar_feed.state(session=session, principal=principal)
    return await page(
        request,
        "volunteers/own.html",
        {
            "volunteer": found,
            "matches": matches,
            "households": households,
            "shifts": own_shifts,
            "feed": feed,
            "address": address,
        },
        section="own_page",
    )
