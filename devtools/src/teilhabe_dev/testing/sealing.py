"""A volunteer's registration as volunteers publishes it: the key first, then the event
with the name and address sealed with it (teilhabe.sealing)."""

from __future__ import annotations

import uuid
from typing import Any

from teilhabe.events.volunteers import VolunteerKeyIssued, VolunteerRegistered
from teilhabe.sealing import encode_key, new_key, seal


def volunteer_registration(
    volunteer_id: uuid.UUID, display_name: str, email: str, **rest: Any
) -> tuple[VolunteerKeyIssued, VolunteerRegistered]:
    key = new_key()
    return (
        VolunteerKeyIssued(volunteer_id=volunteer_id, key=encode_key(key)),
        VolunteerRegistered(
            volunteer_id=volunteer_id,
            display_name=seal(key, volunteer_id, display_name),
            email=seal(key, volunteer_id, email),
            **rest,
        ),
    )


def opened_registration(
    volunteer_id: uuid.UUID, display_name: str, email: str, **rest: Any
) -> VolunteerRegistered:
    """The registration as notifications' handler hands it on, its fields opened."""
    return VolunteerRegistered.model_construct(
        volunteer_id=volunteer_id, display_name=display_name, email=email, **rest
    )
