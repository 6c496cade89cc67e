"""HTTP shapes of the webhook administration."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AnyHttpUrl, AwareDatetime, Field, StringConstraints, field_validator
from teilhabe.api.schemas import RequestModel, ResponseModel

from notifications.webhooks.policy import LOCAL_HOSTS, WebhookState

Agency = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")]
MaxInFlight = Annotated[int, Field(ge=1, le=100)]


def _https_only(url: AnyHttpUrl) -> AnyHttpUrl:
    # Plain http at most to this machine, and only where the setting
    # WEBHOOK_ALLOW_PLAIN_HTTP allows it (the service checks: policy.address_problem).
    if url.scheme != "https" and url.host not in LOCAL_HOSTS:
        raise ValueError("must be an https address")
    return url


class EndpointIn(RequestModel):
    agency: Agency
    url: AnyHttpUrl = Field(description="The agency's HTTPS address that receives the events.")
    max_in_flight: MaxInFlight | None = Field(
        default=None, description="Deliveries in flight at once (default: the setting)."
    )

    @field_validator("url")
    @classmethod
    def _https(cls, url: AnyHttpUrl) -> AnyHttpUrl:
        return _https_only(url)


class EndpointChangeIn(RequestModel):
    url: AnyHttpUrl | None = None
    active: bool | None = None
    max_in_flight: MaxInFlight | None = None

    @field_validator("url")
    @classmethod
    def _https(cls, url: AnyHttpUrl | None) -> AnyHttpUrl | None:
        return None if url is None else _https_only(url)


class RotationIn(RequestModel):
    overlap_hours: float | None = Field(
        default=None,
        ge=0,
        le=24 * 30,
        description="How long the previous secret still signs (default: the setting).",
    )


class EndpointOut(ResponseModel):
    id: uuid.UUID
    agency: str
    url: str
    active: bool
    max_in_flight: int
    created_at: datetime
    secret_rotated_at: datetime | None
    previous_secret_expires_at: datetime | None


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(description="The signing secret: shown this once, keep it safe.")


class WebhookAttemptOut(ResponseModel):
    attempt: int
    at: datetime
    duration_ms: int
    status: int | None
    error: str | None


class WebhookDeliveryOut(ResponseModel):
    """A delivery in the log: state and references, never the event's body."""

    id: uuid.UUID = Field(description="Also the `webhook-id` the receiver sees.")
    endpoint_id: uuid.UUID
    event_id: str
    event_type: str
    state: WebhookState
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    replay_of: uuid.UUID | None
    created_at: datetime
    attempt_log: list[WebhookAttemptOut]


class ReplayRangeIn(RequestModel):
    since: AwareDatetime
    until: AwareDatetime
    only_dead: bool = Field(default=False, description="Only deliveries that are dead.")


class ReplayRangeOut(ResponseModel):
    replayed: int
