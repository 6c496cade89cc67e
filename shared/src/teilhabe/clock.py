"""Dates as the city sees them: Europe/Berlin, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(BERLIN).date()


def on_day(day: date, at: time = time(0)) -> datetime:
    """The moment `at` on `day` in Berlin, e.g. when a timer for that day is due."""
    return datetime.combine(day, at, BERLIN)
