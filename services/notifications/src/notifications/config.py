"""Settings of the notifications service."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from teilhabe.config import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_notifications"
    http_port: int = 8005

    smtp_host: str = Field(default="127.0.0.1", description="The city's SMTP relay.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # Empty strings (as a compose file sets them) mean: no authentication.
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = Field(default="teilhabe@localhost", description="Sender address of e-mails.")
    smtp_starttls: bool = Field(default=True, description="Require STARTTLS before sending.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    email_retry_delays_seconds: tuple[float, ...] = Field(
        default=(1.0, 5.0, 30.0, 120.0, 600.0),
        description="Wait after the 1st, 2nd, … failed attempt; one more failure is final.",
    )
    email_poll_seconds: float = Field(
        default=1.0, gt=0, description="Fallback poll when no commit notification arrives."
    )
    email_batch_size: int = Field(default=50, ge=1, le=1000)


@lru_cache
def get_settings() -> NotificationsSettings:
    return NotificationsSettings()
