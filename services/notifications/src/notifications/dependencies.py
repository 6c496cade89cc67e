"""Who may do what in notifications."""

from __future__ import annotations

from typing import Annotated

from teilhabe.auth import Principal, Role, require_roles

# Everyone who signs in has an inbox: staff, volunteers and partner agencies alike.
AnyRecipient = Annotated[Principal, require_roles(*Role)]
# Staff keep their own directory entry; volunteers come into it from volunteer.registered.
StaffMember = Annotated[
    Principal,
    require_roles(
        Role.CASEWORKER,
        Role.HOUSING_OFFICER,
        Role.COURSE_COORDINATOR,
        Role.VOLUNTEER_COORDINATOR,
        Role.ADMIN,
    ),
]
Administrator = Annotated[Principal, require_roles(Role.ADMIN)]
