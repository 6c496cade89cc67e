"""Settings of the volunteers service."""

from __future__ import annotations

from pydantic import Field
from teilhabe.config import ServiceSettings
from teilhabe.settings_source import SettingsSource

from volunteers.domain import ClearanceRules


class VolunteersSettings(ServiceSettings):
    service_name: str = "volunteers"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_volunteers"
    http_port: int = 8004
    # Its read model is no one's answer to wait for: the events of several allocations in one
    # transaction (fewer statements, commits and acknowledgements) for 50 ms at most.
    consumer_linger_seconds: float = Field(default=0.05, ge=0, le=1)
    clearance_validity_years: int = Field(
        default=5,
        ge=1,
        le=10,
        description="Years from its issue date after which a police clearance is re-inspected.",
    )
    clearance_reminder_days: int = Field(
        default=28,
        ge=1,
        le=365,
        description="Days before a clearance runs out that volunteer coordinators are "
        "reminded to inspect a new one (volunteer.clearance_reinspection_due).",
    )
    clearance_take_up_months: int = Field(
        default=3,
        ge=0,
        le=12,
        description=(
            "Months an inspected clearance is kept while no mentorship has started; "
            "past them the activity counts as not taken up and the record is deleted."
        ),
    )

    def clearance_rules(self) -> ClearanceRules:
        """The periods above, as the rules and use cases take them."""
        return ClearanceRules(
            validity_years=self.clearance_validity_years,
            reminder_days=self.clearance_reminder_days,
            take_up_months=self.clearance_take_up_months,
        )


# Read from the environment once; an app run in-process is given its own
# (teilhabe.settings_source).
get_settings: SettingsSource[VolunteersSettings] = SettingsSource(VolunteersSettings)
