"""The volunteer's own page: their record, mentorships, shifts and calendar address,
nothing of anyone else."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound
from teilhabe.auth import Principal

from volunteers import calendar_feed, service, shifts
from volunteers.calendar_routes import feed_address
from volunteers.pages.common import OwnVolunteer, page

router = APIRouter()


@router.get("/mein-engagement", name="own_page")
async def own_page(request: Request, session: DbSession, principal: OwnVolunteer) -> Response:
    return await _own_page(request, session, principal)


@router.post("/mein-engagement/kalender", name="issue_own_calendar")
async def issue_own_calendar(
    request: Request, session: DbSession, principal: OwnVolunteer
) -> Response:
    """A new address, shown on this answer only: it is kept hashed and cannot be shown again."""
    await ui.FormAction.read(request, session)
    token = await calendar_feed.issue(session=session, principal=principal)
    root = request.scope.get("root_path", "").removesuffix(ui.MOUNT_PATH)
    return await _own_page(
        request, session, principal, address=feed_address(request, token, root=root)
    )


@router.post("/mein-engagement/kalender/beenden", name="revoke_own_calendar")
async def revoke_own_calendar(
    request: Request, session: DbSession, principal: OwnVolunteer
) -> Response:
    form = await ui.FormAction.read(request, session)
    await calendar_feed.revoke(session=session, principal=principal)
    return form.done(
        ui.page_path(request, "own_page"),
        form.texts.gettext("The calendar address no longer works."),
    )


async def _own_page(
    request: Request, session: DbSession, principal: Principal, *, address: str | None = None
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
