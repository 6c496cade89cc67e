"""Calendar feeds as iCalendar: what a client parses, and the token's rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from icalendar import Calendar
from teilhabe.audit import define_audit_table
from teilhabe.audit.auditor import Auditor
from teilhabe.calendar import (
    CalendarEvent,
    CalendarFeeds,
    FeedAccess,
    FeedTokens,
    define_calendar_feed_table,
    feed_link_routes,
    render_calendar,
    token_hash,
)
from teilhabe.db import new_metadata


def test_timed_and_whole_day_events_parse_back_with_their_times() -> None:
    start = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)
    body = render_calendar(
        "Termine",
        [
            CalendarEvent(
                uid="a@x",
                summary="Termin",
                resource_type="appointment",
                resource_id=1,
                starts_at=start,
                location="Rathaus",
            ),
            CalendarEvent(
                uid="b@x",
                summary="Wiedervorlage",
                resource_type="follow_up",
                resource_id=2,
                day=date(2027, 3, 2),
            ),
        ],
        stamp=start,
    )
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Termine"
    timed, day = calendar.walk("VEVENT")
    assert timed.decoded("DTSTART") == start
    assert timed.decoded("DTEND") == start + timedelta(hours=1)
    assert str(timed["LOCATION"]) == "Rathaus"
    assert day.decoded("DTSTART") == date(2027, 3, 2)
    assert str(day["UID"]) == "b@x"


def test_an_event_has_a_start_or_a_day_and_tokens_are_kept_hashed() -> None:
    with pytest.raises(ValueError, match="either"):
        CalendarEvent(uid="u", summary="s", resource_type="t", resource_id=1)
    with pytest.raises(ValueError, match="timezone"):
        CalendarEvent(
            uid="u",
            summary="s",
            resource_type="t",
            resource_id=1,
            starts_at=datetime(2027, 1, 1, 9),
        )
    assert len(token_hash("abc")) == 64
    assert token_hash("abc") != "abc"


async def test_the_link_routes_call_the_holders_use_cases_and_answer_the_address() -> None:
    called: list[str] = []

    async def issue(*, owner: str) -> str:
        called.append(f"issue {owner}")
        return "secret"

    async def stop(*, owner: str) -> bool:
        called.append(f"stop {owner}")
        return True

    def access(owner: str) -> FeedAccess:
        return FeedAccess.of(issue, stop, owner=owner)

    async def load(*_: object) -> None:
        return None

    metadata = new_metadata()
    feeds = CalendarFeeds(
        FeedTokens(define_calendar_feed_table(metadata)),
        "Termine",
        load,
        Auditor(define_audit_table(metadata)),
    )
    router = APIRouter()
    feed_link_routes(
        router,
        path="/things/{owner}/calendar",
        feeds=feeds,
        access=access,
        names=("issue_thing_calendar", "stop_thing_calendar"),
        summaries=("A new address", "Stop it"),
    )
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        issued = await client.post("/things/a/calendar")
        assert issued.json() == {"url": "http://app/kalender/secret.ics"}
        assert (await client.delete("/things/a/calendar")).status_code == 204
    assert called == ["issue a", "stop a"]
    operations = {
        op["operationId"] for path in app.openapi()["paths"].values() for op in path.values()
    }
    assert operations == {
        "issue_thing_calendar_things__owner__calendar_post",
        "stop_thing_calendar_things__owner__calendar_delete",
    }
