"""HTTP API of a volunteer's calendar feed: get its address (shown once), end it; and the
feed itself, at an address that is its own credential."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from teilhabe import calendar
from teilhabe.api.dependencies import DbSession
from teilhabe.calendar import feed_router

from volunteers import calendar_feed
from volunteers.dependencies import SignedInVolunteer
from volunteers.schemas import CalendarLinkOut
from volunteers.service import audit

router = APIRouter(tags=["calendar"])


def feed_address(request: Request, token: str, *, root: str = "") -> str:
    return calendar.feed_address(request, calendar_feed.FEED_PATH, token, root=root)


@router.post(
    "/volunteers/me/calendar",
    summary="A new address of one's calendar feed (shifts, help requests taken); the old "
    "one stops working. Shown this once: only its hash is kept",
)
async def issue_calendar(
    request: Request, session: DbSession, principal: SignedInVolunteer
) -> CalendarLinkOut:
    token = await calendar_feed.issue(session=session, principal=principal)
    return CalendarLinkOut(
        url=feed_address(request, token, root=request.scope.get("root_path", ""))
    )


@router.delete(
    "/volunteers/me/calendar",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one's calendar feed: its address stops working",
)
async def revoke_calendar(session: DbSession, principal: SignedInVolunteer) -> None:
    await calendar_feed.revoke(session=session, principal=principal)


feed = feed_router(
    path=calendar_feed.FEED_PATH,
    name="calendar_feed_ics",
    tokens=calendar_feed.FEED_TOKENS,
    audit=audit,
    calendar_name=calendar_feed.CALENDAR_NAME,
    load=calendar_feed.load,
)
