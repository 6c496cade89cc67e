"""Events about volunteers (published by volunteers). No event carries a police clearance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference
from teilhabe.sealing import Sealed

_SEALED_EXAMPLE = "sealed:v1:3q2-7wAAAAAAAAAAQUJDREVGR0hJSktMTU5PUFFSU1RVVldY"


class VolunteerKeyIssued(EventPayload):
    """The key a volunteer's sealed fields open with, for the services that must read them.

    Published before the first event sealed with it. A reader keeps it until the
    volunteer's erasure (`erasure.requested`), which destroys every copy: from then on
    what was sealed with it, wherever a copy lies, no longer opens.
    """

    event_type: ClassVar[str] = "volunteer.key_issued"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "volunteer_id"
    example: ClassVar[Mapping[str, Any] | None] = {
        "volunteer_id": "5b0d2f8e-3c1a-4e52-9d7b-2f4c6a8e0b13",
        "key": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA",
    }

    volunteer_id: Reference
    key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{43}$",
        description="The volunteer's AES-256 key, base64url without padding.",
    )


class VolunteerRegistered(EventPayload):
    """A volunteer joined the registry; carries what is needed to reach them.

    The name and e-mail address are sealed with the volunteer's key (see
    `volunteer.key_issued`). Version 2: version 1 carried them in clear; the sealed
    fields first went out under version 1 (contract 2.0.0), and have their own version
    since 3.0.0. Version 1 left the catalogue: no copy should hold the fields in clear.
    """

    event_type: ClassVar[str] = "volunteer.registered"
    event_version: ClassVar[int] = 2
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "volunteer_id"
    example: ClassVar[Mapping[str, Any] | None] = {
        "volunteer_id": "5b0d2f8e-3c1a-4e52-9d7b-2f4c6a8e0b13",
        "display_name": _SEALED_EXAMPLE,
        "email": _SEALED_EXAMPLE,
        "preferred_language": "de",
        "languages": ["de", "ar"],
        "skills": ["homework"],
        "account_subject": None,
    }

    volunteer_id: Reference
    display_name: Sealed
    email: Sealed
    preferred_language: str = Field(description="Language for messages to them, e.g. de or en.")
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    account_subject: str | None = Field(
        default=None,
        description="The volunteer's login at the identity provider, if they have one: "
        "lets them read their own notifications.",
    )


class VolunteerMatched(EventPayload):
    """A volunteer became the mentor (Pate/Patin) of a household."""

    event_type: ClassVar[str] = "volunteer.matched"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "household_id"

    match_id: Reference
    volunteer_id: Reference
    household_id: Reference
    matched_on: date


class ClearanceReinspectionDue(EventPayload):
    """A volunteer's police clearance runs out soon and must be inspected again.

    Carries no fact of the clearance itself (§72a SGB VIII), only whose and by when.
    """

    event_type: ClassVar[str] = "volunteer.clearance_reinspection_due"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "volunteer_id"

    volunteer_id: Reference
    due_on: date = Field(description="First day on which the current clearance no longer counts.")


class MentorshipEnded(EventPayload):
    """A volunteer's mentorship of a household ended: from `ended_on` they are no mentor."""

    event_type: ClassVar[str] = "mentorship.ended"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "household_id"

    match_id: Reference
    volunteer_id: Reference
    household_id: Reference
    matched_on: date = Field(description="When it began (a consumer may hear of the end first).")
    ended_on: date


class ShiftCancelled(EventPayload):
    """A shift was called off: the volunteers signed up for it must hear (a critical event)."""

    event_type: ClassVar[str] = "shift.cancelled"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "shift_id"

    shift_id: Reference
    facility_id: Reference
    # Labels of the place and the work (no personal data), so the message can say which.
    facility_name: str = Field(max_length=200)
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    volunteer_ids: tuple[Reference, ...] = Field(
        default=(), description="The volunteers who were signed up for it."
    )


class HelpRequested(EventPayload):
    """Staff asked the volunteer pool for help; it goes to the volunteers who match it.

    Carries what the request needs (language, skill, when), never its title or place,
    which may say more: the volunteers read those in the staff tool.
    """

    event_type: ClassVar[str] = "help_request.opened"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "help_request_id"

    help_request_id: Reference
    language_needed: str | None = Field(default=None, description="ISO 639 code, if any.")
    skill_needed: str | None = Field(default=None, description="A skill tag, if any.")
    starts_at: datetime
    ends_at: datetime
    volunteer_ids: tuple[Reference, ...] = Field(
        description="The volunteers it matched (language, skill, availability)."
    )


class HelpRequestAccepted(EventPayload):
    """One volunteer took a help request; it is closed for the others (a critical event)."""

    event_type: ClassVar[str] = "help_request.accepted"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "help_request_id"

    help_request_id: Reference
    volunteer_id: Reference
    requested_by: str = Field(description="The staff member who asked (their account subject).")
    language_needed: str | None = None
    skill_needed: str | None = None
    starts_at: datetime
    ends_at: datetime


class HelpRequestWithdrawn(EventPayload):
    """Whoever asked (or a coordinator) withdrew a help request before its time: the
    volunteers it was offered to while open, or the one who took it, need not come.

    References and the time alone, which the volunteers' texts name."""

    event_type: ClassVar[str] = "help_request.withdrawn"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "help_request_id"

    help_request_id: Reference
    volunteer_id: Reference | None = Field(
        default=None, description="The volunteer who had taken it, if anyone had."
    )
    volunteer_ids: tuple[Reference, ...] = Field(
        default=(),
        description="The volunteers it was offered to, while nobody had taken it yet.",
    )
    starts_at: datetime
    ends_at: datetime
