"""Consent to share with partner agencies (published by intake, recorded by caseworkers).

A person agrees that events about them may reach one agency for one purpose. The events
carry references and the agency and purpose only: the evidence stays in intake.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference

# An agency's name on the broker and in the subscription table, and a purpose's key.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


class ConsentGranted(EventPayload):
    """A member of a household agreed to share with `agency` for `purpose`."""

    event_type: ClassVar[str] = "consent.granted"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    consent_id: Reference
    household_id: Reference
    member_id: Reference
    agency: Slug = Field(description="The agency's name (its broker user).")
    purpose: Slug = Field(description="What the agency may use the events for.")
    granted_on: date


class ConsentRevoked(EventPayload):
    """A consent was withdrawn: from now on nothing more about the person for it."""

    event_type: ClassVar[str] = "consent.revoked"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    consent_id: Reference
    household_id: Reference
    member_id: Reference
    agency: Slug
    purpose: Slug
    revoked_on: date
