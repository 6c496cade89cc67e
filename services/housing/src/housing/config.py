"""Settings of the housing service."""

from __future__ import annotations

from pydantic import Field
from teilhabe.config import ServiceSettings
from teilhabe.settings_source import SettingsSource


class HousingSettings(ServiceSettings):
    service_name: str = "housing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_housing"
    http_port: int = 8002
    # Its read model is no one's answer to wait for: the events of several allocations in one
    # transaction (fewer statements, commits and acknowledgements) for 50 ms at most.
    consumer_linger_seconds: float = Field(default=0.05, ge=0, le=1)
    # A move-out recorded later than this is refused: beds would have been free unseen.
    move_out_backdating_limit_days: int = 30
    # The waiting queue puts households arriving within this many days (or overdue) first.
    queue_arrival_window_days: int = 7
    # Beds reserved for a household that does not arrive are freed this many days after its
    # expected arrival (or the reservation, when none is expected): a durable timer.
    reservation_expiry_days: int = 14
    # A household neither recorded as arrived nor moved in this many days after its expected
    # arrival is a no-show: its caseworker gets a follow-up (a durable timer).
    no_show_grace_days: int = 1


# Read from the environment once; an app run in-process is given its own
# (teilhabe.settings_source).
get_settings: SettingsSource[HousingSettings] = SettingsSource(HousingSettings)
