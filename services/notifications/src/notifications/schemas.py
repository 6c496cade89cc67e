"""HTTP shapes of the notifications API."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, EmailStr, Field, StringConstraints
from teilhabe.api.schemas import Page, RequestModel, ResponseModel
from teilhabe.auth import Role

from notifications.domain import (
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    RecipientKind,
)

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$", max_length=16),
]


class MeIn(RequestModel):
    """A staff member's own directory entry; roles are taken from the token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Jonas Berger", "email": "j.berger@duelmen.de", "language": "de"}]
        }
    )

    name: Name | None = Field(default=None, description="Defaults to the name in the token.")
    email: EmailStr | None = Field(
        default=None, description="Where e-mails go; without one, only the inbox is used."
    )
    language: LanguageTag = Field(default="de", description="Language of texts: de or en.")


class RecipientIn(RequestModel):
    """An administrator's edit of a directory entry."""

    name: Name | None = None
    email: EmailStr | None = None
    language: LanguageTag = "de"
    roles: list[Role] = Field(default_factory=list, max_length=len(Role))
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="For a volunteer: the login (identity provider subject) that reads "
        "this volunteer's inbox. A staff entry's subject is always its id.",
    )


class RecipientOut(ResponseModel):
    id: str
    kind: RecipientKind
    subject: str | None
    name: str | None
    email: str | None
    language: str
    roles: list[str]
    time_zone: str = "Europe/Berlin"
    quiet_from: time | None = None
    quiet_until: time | None = None
    digest_at: time | None = None
    updated_at: datetime


class PreferenceIn(RequestModel):
    event_type: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    channel: Channel
    enabled: bool


class PreferencesIn(RequestModel):
    """The complete settings: every event type and channel not named is on."""

    preferences: list[PreferenceIn] = Field(max_length=100)


class PreferenceOut(ResponseModel):
    event_type: str
    channel: Channel
    enabled: bool
    critical: bool = Field(
        default=False, description="Always arrives on every channel; cannot be turned off."
    )


class DeliveryTimesIn(RequestModel):
    """When e-mails reach me, in my own time zone (the inbox is always at once)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "time_zone": "Europe/Berlin",
                    "quiet_from": "21:00",
                    "quiet_until": "07:00",
                    "digest_at": "18:00",
                }
            ]
        }
    )

    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        default="Europe/Berlin", description="An IANA time zone, e.g. Europe/Berlin."
    )
    quiet_from: time | None = Field(
        default=None, description="Start of quiet hours (local); e-mails wait until they end."
    )
    quiet_until: time | None = Field(
        default=None, description="End of quiet hours (local); may be after midnight."
    )
    digest_at: time | None = Field(
        default=None,
        description="Local time of one daily e-mail holding the day's notifications; "
        "none: each e-mail on its own. Critical ones always go out at once.",
    )


class DeliveryTimesOut(ResponseModel):
    time_zone: str
    quiet_from: time | None
    quiet_until: time | None
    digest_at: time | None


class NotificationOut(ResponseModel):
    id: uuid.UUID
    event_type: str
    household_id: uuid.UUID | None
    language: str = Field(description="Language of title and text; ar and fa run right to left.")
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(Page[NotificationOut]):
    unread: int = Field(description="Unread notifications in the whole inbox.")


class ReadAllIn(RequestModel):
    until: AwareDatetime | None = Field(
        default=None,
        description="Only notifications received up to this time, e.g. when the reader's "
        "list was made; without it, every unread notification.",
    )


class ReadAllOut(ResponseModel):
    marked: int = Field(description="How many notifications were unread and are read now.")


class AttemptOut(ResponseModel):
    attempt: int
    at: datetime
    outcome: AttemptOutcome
    smtp_code: int | None
    error: str | None


class DeliveryOut(ResponseModel):
    id: uuid.UUID
    event_id: str
    event_type: str
    recipient_id: str
    channel: Channel
    status: DeliveryStatus
    language: str
    address: str | None
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    read_at: datetime | None
    last_error: str | None
    created_at: datetime
    attempt_log: list[AttemptOut]


class AgencyIn(RequestModel):
    display_name: Name = Field(description="e.g. Jobcenter Kreis Coesfeld")


class SubscriptionIn(RequestModel):
    """An event type an agency hears of, for a purpose, and the fields it may see."""

    event_type: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    purpose: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    fields: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list,
        max_length=50,
        description="Payload fields besides the reference consent is given for.",
    )
    statutory: bool = Field(
        default=False, description="A flow the law requires: it needs no consent."
    )
    legal_basis: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = Field(
        default=None, description="Required for a statutory flow, e.g. § 90 AufenthG."
    )


class SubscriptionOut(ResponseModel):
    id: uuid.UUID
    event_type: str
    purpose: str
    fields: list[str]
    statutory: bool
    legal_basis: str | None


class AgencyOut(ResponseModel):
    id: str
    display_name: str
    subscriptions: list[SubscriptionOut]
