"""HTTP API of a volunteer's calendar feed: get its address (shown once), end it; and the
feed itself, at an address that is its own credential."""

from __future__ import annotations

from fastapi import APIRouter
from teilhabe.api.dependencies import DbSession
from teilhabe.calendar import FeedAccess, feed_link_routes

from volunteers import calendar_feed
from volunteers.dependencies import SignedInVolunteer

router = APIRouter(tags=["calendar"])


def _own_feed(session: DbSession, principal: SignedInVolunteer) -> FeedAccess:
    return FeedAccess.of(
        calendar_feed.issue, calendar_feed.revoke, session=session, principal=principal
    )


feed_link_routes(
    router,
    path="/volunteers/me/calendar",
    feeds=calendar_feed.FEEDS,
    access=_own_feed,
    names=("issue_calendar", "revoke_calendar"),
    summaries=(
        "A new address of one's calendar feed (shifts, help requests taken); the old "
        "one stops working. Shown this once: only its hash is kept",
        "End one's calendar feed: its address stops working",
    ),
)

feed = calendar_feed.FEEDS.router()
