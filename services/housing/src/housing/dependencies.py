"""Who may do what in housing, and which records they see.

Housing officers place households: they see every site and every household waiting for
or holding accommodation, with what placement needs (size, minors, barrier-free need;
no names, which housing never receives). Caseworkers work in intake, which shows them
whether their households are accommodated; here they record their households' protection
needs, which housing alone keeps. Administrators administer and see no household here.
"""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import ColumnElement
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from housing.models import Placement, Reservation, Site, WaitingHousehold

HousingStaff = Annotated[Principal, require_roles(Role.HOUSING_OFFICER)]
# Protection needs: recorded by the household's caseworker, read by those who place it.
NeedsRecorder = Annotated[Principal, require_roles(Role.CASEWORKER)]
NeedsReader = Annotated[Principal, require_roles(Role.CASEWORKER, Role.HOUSING_OFFICER)]


def _places(principal: Principal) -> bool:
    return principal.has_any_role(Role.HOUSING_OFFICER)


def _protection_needs(principal: Principal) -> ColumnElement[bool] | bool:
    """Officers see every household's needs (they place it); caseworkers those of their
    teams' households (team leads every team's), as in intake."""
    if principal.has_any_role(Role.HOUSING_OFFICER):
        return True
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    if principal.has_any_role(Role.TEAM_LEAD):
        return True
    return WaitingHousehold.team.in_(sorted(principal.teams))


SITES = RecordScope(Site, resource="site", rule=_places)
WAITING_HOUSEHOLDS = RecordScope(WaitingHousehold, resource="household", rule=_places)
PLACEMENTS = RecordScope(Placement, resource="placement", rule=_places)
RESERVATIONS = RecordScope(Reservation, resource="reservation", rule=_places)
PROTECTION_NEEDS = RecordScope(WaitingHousehold, resource="household", rule=_protection_needs)
