"""Who may do what in volunteers.

- volunteer_coordinator and admin manage the registry: register volunteers, record and read
  police clearances, match volunteers to households, list and read everyone.
- volunteer reads their own record and their own matches only (the record whose `subject`
  is their token's subject); anything else answers 404, as if it did not exist.
- Police clearance data is answered to volunteer_coordinator and admin alone, by routes
  no other role may call; no other response carries it.
"""

from __future__ import annotations

from typing import Annotated

from teilhabe.auth import Principal, Role, require_roles

MANAGING_ROLES = (Role.VOLUNTEER_COORDINATOR, Role.ADMIN)

Coordinator = Annotated[Principal, require_roles(*MANAGING_ROLES)]
CoordinatorOrVolunteer = Annotated[Principal, require_roles(*MANAGING_ROLES, Role.VOLUNTEER)]
SignedInVolunteer = Annotated[Principal, require_roles(Role.VOLUNTEER)]
