"""Erasure of a person's data everywhere: one request, every service's confirmation.

The data-protection officer's request is kept by intake (with its reason, which no event
carries); `erasure.requested` tells every service whose data to erase, and each answers
`erasure.completed` once it has, in the transaction that erased it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference

# The services holding personal data, each of which must confirm an erasure. A service
# added to the system adds itself here (tests/test_erasure.py compares with the installed).
ERASING_SERVICES = ("courses", "housing", "intake", "notifications", "volunteers")


class ErasureSubject(StrEnum):
    HOUSEHOLD = "household"  # a household and every member of it
    MEMBER = "member"  # one person of a household
    VOLUNTEER = "volunteer"


class ErasureRequested(EventPayload):
    """Erase what you hold about this household, person or volunteer, then confirm."""

    event_type: ClassVar[str] = "erasure.requested"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "request_id"

    request_id: Reference
    subject_kind: ErasureSubject
    subject_id: Reference = Field(
        description="The household's, member's or volunteer's id, as the events carried it."
    )


class ErasureCompleted(EventPayload):
    """A service erased what it held about the subject of a request (the service is the
    envelope's `source`)."""

    event_type: ClassVar[str] = "erasure.completed"
    published_by: ClassVar[frozenset[str]] = frozenset(
        {"courses", "housing", "notifications", "volunteers"}
    )
    subject_field: ClassVar[str | None] = "request_id"

    request_id: Reference
    records: int = Field(ge=0, description="Records it deleted or anonymised (a count).")
