"""Environment of the staff tools (`UI_*`), the same for every service that serves them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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

    # Footer and accessibility statement (BITV NRW § 4); set them for the city running it.
    operator_name: str = "Stadtverwaltung Musterstadt"
    feedback_email: str = "barrierefreiheit@stadt.example"
    statement_date: date = date(2026, 11, 25)
    statement_reviewed: date = date(2026, 11, 25)

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
