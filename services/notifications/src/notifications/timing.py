"""When an e-mail goes out: quiet hours and the daily digest, in the recipient's own time.

Pure functions of a moment and the recipient's choices. Local times are resolved with
zoneinfo on the day they fall on, so 07:00 stays 07:00 on the wall clock across a
daylight-saving change (never "seven hours after 00:00").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_TIME_ZONE = "Europe/Berlin"


@lru_cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    return name in time_zones()


@dataclass(frozen=True)
class DeliveryTimes:
    """A recipient's choices: their time zone, quiet hours (from–until, may span midnight)
    and the local time of their daily digest (none: each e-mail on its own)."""

    time_zone: str = DEFAULT_TIME_ZONE
    quiet_from: time | None = None
    quiet_until: time | None = None
    digest_at: time | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone if is_time_zone(self.time_zone) else DEFAULT_TIME_ZONE)

    @property
    def has_quiet_hours(self) -> bool:
        return (
            self.quiet_from is not None
            and self.quiet_until is not None
            and self.quiet_from != self.quiet_until
        )


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall time skipped by the spring change (02:30) is read with the offset before it,
    # which lands an hour later on the clock: the first moment that exists after it.
    return datetime.combine(day, at, zone).astimezone(UTC)


def quiet_hours_end(moment: datetime, times: DeliveryTimes) -> datetime | None:
    """The end of the quiet hours `moment` falls in (UTC), or None outside them."""
    if not times.has_quiet_hours:
        return None
    assert times.quiet_from is not None
    assert times.quiet_until is not None
    zone = times.zone
    local = moment.astimezone(zone)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    start, end = times.quiet_from, times.quiet_until
    if start < end:  # e.g. 12:00–14:00, within one day
        return _at(day, end, zone) if start <= clock < end else None
    if clock >= start:  # e.g. 22:00–07:00, before midnight: until tomorrow morning
        return _at(day + timedelta(days=1), end, zone)
    if clock < end:  # after midnight: until this morning
        return _at(day, end, zone)
    return None


def sending_time(moment: datetime, times: DeliveryTimes) -> datetime:
    """When an e-mail ready at `moment` may go out: at once, or when quiet hours end."""
    return quiet_hours_end(moment, times) or moment


def next_digest(after: datetime, times: DeliveryTimes) -> datetime | None:
    """The first digest time strictly after `after` (UTC), or None without a digest."""
    if times.digest_at is None:
        return None
    zone = times.zone
    day = after.astimezone(zone).date()
    for offset in range(3):
        candidate = _at(day + timedelta(days=offset), times.digest_at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("a digest time exists on one of three days")
