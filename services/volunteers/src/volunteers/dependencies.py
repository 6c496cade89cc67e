"""Who may do what in volunteers, and which records each person sees.

- volunteer_coordinator manages the registry: registers volunteers, records and reads
  police clearances, matches volunteers to households, lists and reads everyone and the
  households they match.
- volunteer reads their own record and their own mentorships while they run, and the
  households of those running mentorships (what the mentorship needs); an ended
  mentorship shows nothing more. Anything else answers 404, as if it did not exist.
- Police clearance data is answered to volunteer_coordinator alone, by routes no other
  role may call; no other response carries it.
- admin administers; it reads no volunteer, clearance or household unless also given
  the coordinator role.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import ColumnElement, select
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from volunteers.config import get_settings
from volunteers.domain import ClearanceRules
from volunteers.models import Household, Match, Volunteer

MANAGING_ROLES = (Role.VOLUNTEER_COORDINATOR,)

Coordinator = Annotated[Principal, require_roles(*MANAGING_ROLES)]
CoordinatorOrVolunteer = Annotated[Principal, require_roles(*MANAGING_ROLES, Role.VOLUNTEER)]
SignedInVolunteer = Annotated[Principal, require_roles(Role.VOLUNTEER)]


def clearance_rules() -> ClearanceRules:
    """The city's clearance periods (settings), handed to the use cases by the API, the
    pages and the timers; the service reads no settings itself."""
    return get_settings().clearance_rules()


Rules = Annotated[ClearanceRules, Depends(clearance_rules)]


def _own_running_matches(principal: Principal) -> ColumnElement[bool]:
    own = select(Volunteer.id).where(Volunteer.subject == principal.subject)
    return Match.volunteer_id.in_(own) & Match.ended_on.is_(None)


def _volunteers(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(*MANAGING_ROLES):
        return True
    if principal.has_any_role(Role.VOLUNTEER):
        return Volunteer.subject == principal.subject
    return False


def _matches(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(*MANAGING_ROLES):
        return True
    if principal.has_any_role(Role.VOLUNTEER):
        return _own_running_matches(principal)
    return False


def _households(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(*MANAGING_ROLES):
        return True
    if principal.has_any_role(Role.VOLUNTEER):
        mentored = select(Match.household_id).where(_own_running_matches(principal))
        return Household.household_id.in_(mentored)
    return False


VOLUNTEERS = RecordScope(Volunteer, resource="volunteer", rule=_volunteers)
MATCHES = RecordScope(Match, resource="match", rule=_matches)
HOUSEHOLDS = RecordScope(Household, resource="household", rule=_households)
