"""Settings of the courses service."""

from __future__ import annotations

from pydantic import Field
from teilhabe.messaging.inbound import InboundSettings
from teilhabe.settings_source import SettingsSource


class CoursesSettings(InboundSettings):
    service_name: str = "courses"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_courses"
    http_port: int = 8003
    # Its read model is no one's answer to wait for: the events of several allocations in one
    # transaction (fewer statements, commits and acknowledgements) for 50 ms at most.
    consumer_linger_seconds: float = Field(default=0.05, ge=0, le=1)
    # A freed seat offered to the next on the waitlist may be accepted for this long; then
    # it passes to the one after (a durable timer).
    seat_offer_hours: int = Field(default=72, ge=1, le=24 * 30)
    agency_providers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For which course providers (as a course's `provider` names them) each "
        "partner agency (its broker user) may report attendance and completions, e.g. "
        '{"vhs-musterstadt": ["Volkshochschule Musterstadt"]}; with INBOUND_SENDERS.',
    )


# Read from the environment once; an app run in-process is given its own
# (teilhabe.settings_source).
get_settings: SettingsSource[CoursesSettings] = SettingsSource(CoursesSettings)
