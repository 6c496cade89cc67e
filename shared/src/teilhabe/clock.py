"""Dates as the city sees them: Europe/Berlin, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(BERLIN).date()
