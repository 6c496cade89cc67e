"""Settings of the intake service."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from teilhabe.config import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_intake"
    http_port: int = 8001
    residence_reminder_days: int = Field(
        default=56,
        ge=1,
        le=365,
        description="Days before a member's residence status expires that the caseworker "
        "is reminded (member.residence_status_expiring).",
    )


@lru_cache
def get_settings() -> IntakeSettings:
    return IntakeSettings()
