"""Staff page of a caseworker's calendar feed: get its address (shown once), choose
whether it names people, get a new address (the old one stops working), or end it
(the routes of `ui.feed_page_routes`).

Every change goes through the use cases of `intake.calendar_feed`.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.calendar import FeedAccess

from intake import calendar_feed
from intake.pages import Staff

router = APIRouter()


async def _own_feed(request: Request, session: DbSession, principal: Staff) -> ui.FeedPage:
    """The caller's own feed: a caseworker holds one, chooses whether it names people."""
    return ui.FeedPage(
        access=FeedAccess.of(
            calendar_feed.issue, calendar_feed.revoke, session=session, principal=principal
        ),
        show=partial(_page, request, session, principal),
    )


ui.feed_page_routes(
    router,
    path="/kalender",
    feeds=calendar_feed.FEEDS,
    page=_own_feed,
    show_name="calendar_feed",
    names=("issue_calendar_feed", "revoke_calendar_feed"),
    back="calendar_feed",
    stop_path="/kalender/widerrufen",
    choose_names=True,
)


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


MESSAGES = (
    ui.N_("Your calendar now shows names."),
    ui.N_("Your calendar now shows no names."),
    ui.N_("You have no calendar address yet."),
)


async def _page(
    request: Request, session: DbSession, principal: Principal, address: str | None = None
) -> Response:
    found = await calendar_feed.state(session=session, principal=principal)
    return await ui.render(
        request,
        "intake/calendar_feed.html",
        {"feed": found, "address": address},
        section="ui_home",
    )
