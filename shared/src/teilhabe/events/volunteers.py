"""Events about volunteers (published by volunteers). No event carries a police clearance."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import EmailStr, Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference


class VolunteerRegistered(EventPayload):
    """A volunteer joined the registry; carries what is needed to reach them."""

    event_type: ClassVar[str] = "volunteer.registered"
    published_by: ClassVar[frozenset[str]] = frozenset({"volunteers"})
    subject_field: ClassVar[str | None] = "volunteer_id"

    volunteer_id: Reference
    display_name: str
    email: EmailStr
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
