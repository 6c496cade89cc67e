"""Staff page of a caseworker's calendar feed: get its address (shown once), choose
whether it names people, get a new address (the old one stops working), or end it.

Every change goes through the use cases of `intake.calendar_feed`.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import calendar, ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal

from intake import calendar_feed
from intake.pages import Staff

router = APIRouter()

# Where the feed is served: on the service's app beside the API, not below the staff
# tool, since calendar clients have no staff session.
FEED_PATH = "/kalender/{token}.ics"


@router.get("/kalender", name="calendar_feed")
async def calendar_page(request: Request, session: DbSession, principal: Staff) -> Response:
    return await _page(request, session, principal)


@router.post("/kalender", name="issue_calendar_feed")
async def issue_calendar_feed(request: Request, session: DbSession, principal: Staff) -> Response:
    """A new address, shown on this answer only: it is kept hashed and cannot be shown again."""
    form = await ui.FormAction.read(request, session, fields=["names"])
    token = await calendar_feed.issue(
        session=session, principal=principal, show_names=form.text("names") == "on"
    )
    root = request.scope.get("root_path", "").removesuffix(ui.MOUNT_PATH)
    address = calendar.feed_address(request, FEED_PATH, token, root=root)
    return await _page(request, session, principal, address=address)


@router.post("/kalender/namen", name="calendar_feed_names")
async def calendar_feed_names(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(request, session, fields=["show_names"])
    show_names = form.text("show_names") == "on"
    changed = await calendar_feed.choose_names(
        session=session, principal=principal, show_names=show_names
    )
    message = (
        ("Your calendar now shows names." if show_names else "Your calendar now shows no names.")
        if changed
        else "You have no calendar address yet."
    )
    return form.done(ui.page_path(request, "calendar_feed"), form.texts.gettext(message))


@router.post("/kalender/widerrufen", name="revoke_calendar_feed")
async def revoke_calendar_feed(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(request, session)
    await calendar_feed.revoke(session=session, principal=principal)
    return form.done(
        ui.page_path(request, "calendar_feed"),
        form.texts.gettext("The calendar address no longer works."),
    )


MESSAGES = (
    ui.N_("Your calendar now shows names."),
    ui.N_("Your calendar now shows no names."),
    ui.N_("You have no calendar address yet."),
)


async def _page(
    request: Request, session: DbSession, principal: Principal, *, address: str | None = None
) -> Response:
    found = await calendar_feed.state(session=session, principal=principal)
    return await ui.render(
        request,
        "intake/calendar_feed.html",
        {"feed": found, "address": address},
        section="ui_home",
    )
