"""Events about staff members (any service with a staff tool or API may publish them).

Staff data, not refugees': who works with the system, as the identity provider describes
them, so that other services know them without a registration step of their own.

A staff member's name and e-mail address travel sealed (teilhabe.sealing): each sign-in
gets a key of its own, handed to the readers by `staff_member.key_issued` just before the
`staff_member.signed_in` sealed with it. A reader keeps the key only until it has opened
that sign-in (teilhabe.staff_directory), then destroys it; the publisher keeps none. So
the sign-in's other copies (the outbox row and its backups, the broker's queues, dead
letters) stop opening once the readers have read it, without an erasure step.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from teilhabe.auth.principal import Principal
from teilhabe.auth.roles import Role
from teilhabe.events.catalogue import ANY_SERVICE, EventPayload
from teilhabe.events.contract import Reference
from teilhabe.sealing import Sealed, encode_key, new_key, seal

# Roles of people outside the city's staff: they are known to the services otherwise.
NON_STAFF_ROLES = frozenset({Role.VOLUNTEER, Role.AGENCY})

_KEY_ID_EXAMPLE = "0c6f2a9e-7d41-4b8e-9a35-1e2d3c4b5a69"
_SEALED_EXAMPLE = "sealed:v1:3q2-7wAAAAAAAAAAQUJDREVGR0hJSktMTU5PUFFSU1RVVldY"


class StaffMemberKeyIssued(EventPayload):
    """The key one sign-in's sealed fields open with, for the services that must read them.

    Published just before the `staff_member.signed_in` sealed with it. A reader keeps it
    only until it opened that sign-in, then destroys it.
    """

    event_type: ClassVar[str] = "staff_member.key_issued"
    subject_field: ClassVar[str | None] = "key_id"
    published_by: ClassVar[frozenset[str]] = frozenset({ANY_SERVICE})
    example: ClassVar[Mapping[str, Any] | None] = {
        "key_id": _KEY_ID_EXAMPLE,
        "key": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA",
    }

    key_id: Reference
    key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{43}$",
        description="The sign-in's AES-256 key, base64url without padding.",
    )


class StaffMemberSignedIn(EventPayload):
    """A staff member signed in to a tool: their directory data from the token.

    Version 2: the name and e-mail address are sealed with the sign-in's key (see
    `staff_member.key_issued`, named by `key_id`); version 1 carried them in clear.
    """

    event_type: ClassVar[str] = "staff_member.signed_in"
    event_version: ClassVar[int] = 2
    subject_field: ClassVar[str | None] = "account_subject"
    published_by: ClassVar[frozenset[str]] = frozenset({ANY_SERVICE})
    example: ClassVar[Mapping[str, Any] | None] = {
        "account_subject": "anna",
        "key_id": _KEY_ID_EXAMPLE,
        "display_name": _SEALED_EXAMPLE,
        "email": _SEALED_EXAMPLE,
        "locale": "de",
        "roles": ["caseworker"],
        "teams": ["Soziale Betreuung Nord"],
    }

    account_subject: str = Field(description="The identity provider's subject (`sub`).")
    key_id: Reference | None = Field(
        default=None,
        description="The key (`staff_member.key_issued`) the sealed fields open with; "
        "absent when neither name nor address is given.",
    )
    display_name: Sealed | None = None
    email: Sealed | None = None
    locale: str | None = Field(default=None, max_length=16)
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffEntry:
    """A staff member's directory data in clear, as the token gives it: what a sign-in
    announces, and what a reader opens it to. Never an event of its own."""

    account_subject: str
    display_name: str | None = None
    email: str | None = None
    locale: str | None = None
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @classmethod
    def of(cls, principal: Principal) -> StaffEntry:
        return cls(
            account_subject=principal.subject,
            display_name=principal.name,
            email=principal.email,
            locale=principal.locale,
            roles=tuple(sorted(role.value for role in principal.roles)),
            teams=tuple(sorted(principal.teams)),
        )


def announcement(entry: StaffEntry) -> list[EventPayload]:
    """The events of a sign-in, in order: a fresh key (when there is anything to seal),
    then the entry with its name and address sealed with it."""
    events: list[EventPayload] = []
    key_id: uuid.UUID | None = None
    sealed: dict[str, str | None] = {"display_name": None, "email": None}
    if entry.display_name or entry.email:
        key_id, key = uuid.uuid4(), new_key()
        events.append(StaffMemberKeyIssued(key_id=key_id, key=encode_key(key)))
        sealed = {
            field: seal(key, key_id, value) if value else None
            for field, value in (("display_name", entry.display_name), ("email", entry.email))
        }
    events.append(
        StaffMemberSignedIn(
            account_subject=entry.account_subject,
            key_id=key_id,
            locale=entry.locale,
            roles=entry.roles,
            teams=entry.teams,
            **sealed,
        )
    )
    return events


def is_staff(principal: Principal) -> bool:
    """Whether a principal holds a role of the city's staff."""
    return bool(principal.roles - NON_STAFF_ROLES)
