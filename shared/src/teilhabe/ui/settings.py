"""Environment of the staff tools (`UI_*`), the same for every service that serves them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from teilhabe.settings_source import SettingsSource

TOOL_NAMES = ("intake", "housing", "courses", "volunteers", "notifications")


class UiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UI_", extra="ignore", frozen=True)

    session_max_age_seconds: int = Field(default=8 * 60 * 60, ge=60)
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set it in production)."
    )
    oidc_client_id: str = Field(default="teilhabe-staff")
    oidc_client_secret: str | None = Field(
        default=None, description="For a confidential client; unset, a public client with PKCE."
    )
    oidc_discovery_url: str | None = Field(
        default=None, description="Defaults to the issuer's /.well-known/openid-configuration."
    )
    oidc_scope: str = "openid profile"

    # Which tools the navigation offers, and where each is.
    tools: Annotated[tuple[str, ...], NoDecode] = Field(
        default=TOOL_NAMES,
        description="Tools listed in the navigation, comma-separated (a city that runs "
        "only some of the services names those).",
    )
    intake_url: str = "http://127.0.0.1:8001/ui/"
    housing_url: str = "http://127.0.0.1:8002/ui/"
    courses_url: str = "http://127.0.0.1:8003/ui/"
    volunteers_url: str = "http://127.0.0.1:8004/ui/"
    notifications_url: str = "http://127.0.0.1:8005/ui/"

    # The city running the system: the same variables as the services' own settings
    # (CITY_NAME, CITY_MAIL_DOMAIN), read here for the footer, hints and examples.
    city_name: str = Field(default="Dülmen", validation_alias="CITY_NAME")
    city_mail_domain: str = Field(default="duelmen.de", validation_alias="CITY_MAIL_DOMAIN")
    # Footer and accessibility statement (BITV NRW § 4); unset, they follow the city.
    operator_name: str = Field(default="", description="Defaults to Stadtverwaltung <city>.")
    feedback_email: str = Field(default="", description="Defaults to barrierefreiheit@<domain>.")
    statement_date: date = date(2026, 11, 25)
    statement_reviewed: date = date(2026, 11, 25)

    @model_validator(mode="after")
    def _follow_the_city(self) -> UiSettings:
        # Frozen: set through object.__setattr__, once, while the settings are made.
        if not self.operator_name:
            object.__setattr__(self, "operator_name", f"Stadtverwaltung {self.city_name}")
        if not self.feedback_email:
            object.__setattr__(self, "feedback_email", f"barrierefreiheit@{self.city_mail_domain}")
        return self

    @property
    def placeholders(self) -> dict[str, str]:
        """What texts may name: `%(city)s`, `%(mail_domain)s`."""
        return {"city": self.city_name, "mail_domain": self.city_mail_domain}

    @field_validator("tools", mode="before")
    @classmethod
    def _split_tools(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(name.strip() for name in value.split(",") if name.strip())
        unknown = sorted(set(value) - set(TOOL_NAMES))
        if unknown:
            raise ValueError(f"unknown tools {unknown}; known: {', '.join(TOOL_NAMES)}")
        return value

    def tool_url(self, tool: str) -> str:
        url: str = getattr(self, f"{tool}_url")
        return url


# The staff tools' settings of this process: the environment, or what an app run
# in-process was given (see teilhabe.settings_source).
ui_settings: SettingsSource[UiSettings] = SettingsSource(UiSettings)
