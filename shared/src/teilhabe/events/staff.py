"""Events about staff members (any service with a staff tool or API may publish them).

Staff data, not refugees': who works with the system, as the identity provider describes
them, so that other services know them without a registration step of their own.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from teilhabe.auth.principal import Principal
from teilhabe.auth.roles import Role
from teilhabe.events.catalogue import ANY_SERVICE, EventPayload

# Roles of people outside the city's staff: they are known to the services otherwise.
NON_STAFF_ROLES = frozenset({Role.VOLUNTEER, Role.AGENCY})


class StaffMemberSignedIn(EventPayload):
    """A staff member signed in to a tool: their directory data from the token."""

    event_type: ClassVar[str] = "staff_member.signed_in"
    subject_field: ClassVar[str | None] = "account_subject"
    published_by: ClassVar[frozenset[str]] = frozenset({ANY_SERVICE})

    account_subject: str = Field(description="The identity provider's subject (`sub`).")
    display_name: str | None = None
    email: str | None = Field(default=None, max_length=320)
    locale: str | None = Field(default=None, max_length=16)
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @classmethod
    def of(cls, principal: Principal) -> StaffMemberSignedIn:
        return cls(
            account_subject=principal.subject,
            display_name=principal.name,
            email=principal.email,
            locale=principal.locale,
            roles=tuple(sorted(role.value for role in principal.roles)),
            teams=tuple(sorted(principal.teams)),
        )


def is_staff(principal: Principal) -> bool:
    """Whether a principal holds a role of the city's staff."""
    return bool(principal.roles - NON_STAFF_ROLES)
