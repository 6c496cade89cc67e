"""Settings of the notifications service."""

from __future__ import annotations

from pydantic import Field, SecretStr
from teilhabe.config import ServiceSettings
from teilhabe.settings_source import SettingsSource


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

    webhook_secrets_key: SecretStr | None = Field(
        default=None,
        description="Key (32+ characters) encrypting webhook signing secrets at rest; "
        "unset: derived from AUDIT_KEY.",
    )
    webhook_allow_plain_http: bool = Field(
        default=False,
        description="Development and tests only: also accept webhook addresses on plain "
        "http on this machine (localhost, 127.0.0.1); otherwise https only.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Longest wait for a webhook receiver's answer."
    )
    webhook_retry_first_seconds: float = Field(
        default=5.0, gt=0, description="Pause after a webhook's first failed attempt (doubled)."
    )
    webhook_retry_longest_seconds: float = Field(
        default=4 * 3600.0, gt=0, description="Longest pause between two webhook attempts."
    )
    webhook_retry_window_seconds: float = Field(
        default=26 * 3600.0,
        gt=0,
        description="How long a webhook delivery is retried before it is dead (more than a day).",
    )
    webhook_rotation_overlap_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 30,
        description="How long the previous secret still signs after a rotation.",
    )
    webhook_max_in_flight: int = Field(
        default=4, ge=1, le=100, description="Default concurrency of a new endpoint."
    )
    webhook_process_in_flight: int = Field(
        default=64, ge=1, le=1000, description="Webhook requests in flight in one process."
    )
    webhook_poll_seconds: float = Field(
        default=5.0, gt=0, description="Fallback poll of the webhook sender."
    )

    def webhook_key_material(self) -> str:
        key = self.webhook_secrets_key or self.audit_key
        if key is None:
            raise RuntimeError("neither WEBHOOK_SECRETS_KEY nor AUDIT_KEY is set")
        return key.get_secret_value()


# Read from the environment once; an app run in-process is given its own
# (teilhabe.settings_source).
get_settings: SettingsSource[NotificationsSettings] = SettingsSource(NotificationsSettings)
