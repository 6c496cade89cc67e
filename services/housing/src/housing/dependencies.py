"""Who may do what in housing, and which records they see.

Housing officers place households: they see every site and every household waiting for
or holding accommodation, with what placement needs (size, minors, barrier-free need;
no names, which housing never receives). Caseworkers work in intake, which shows them
whether their households are accommodated; administrators administer and see no
household here.
"""

from __future__ import annotations

from typing import Annotated

from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from housing.models import Placement, Reservation, Site, WaitingHousehold

HousingStaff = Annotated[Principal, require_roles(Role.HOUSING_OFFICER)]


def _places(principal: Principal) -> bool:
    return principal.has_any_role(Role.HOUSING_OFFICER)


SITES = RecordScope(Site, resource="site", rule=_places)
WAITING_HOUSEHOLDS = RecordScope(WaitingHousehold, resource="household", rule=_places)
PLACEMENTS = RecordScope(Placement, resource="placement", rule=_places)
RESERVATIONS = RecordScope(Reservation, resource="reservation", rule=_places)
