"""Calendar feeds as iCalendar: what a client parses, and the token's rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from teilhabe.calendar import CalendarEvent, render_calendar, token_hash


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
