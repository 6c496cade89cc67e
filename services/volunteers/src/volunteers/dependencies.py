"""Who may do what in volunteers, and which records each person sees.

- volunteer_coordinator manages the registry: registers volunteers, records and reads
  police clearances, matches volunteers to households, lists and reads everyone and the
  households they match.
- volunteer reads their own record and their own mentorships while they run, and the
  households of those running mentorships (what the mentorship needs); an ended
  mentorship shows nothing more. Anything else answers 404, as if it did not exist.
- Police clearance data is answered to volunteer_coordinator alone, by routes no other
  role may call; no other response carries it.
- Shifts are no one's personal data: volunteers see the board of shifts not cancelled
  and those they signed up for; who holds a slot is answered to coordinators alone.
- Help requests: staff (caseworkers, coordinators) ask; a caseworker sees the requests
  they made, a coordinator all; a volunteer sees those offered to them while open, and
  those they accepted. No volunteer sees another volunteer.
- admin administers; it reads no volunteer, clearance or household unless also given
  the coordinator role.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlalchemy import ColumnElement, Select, or_, select
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from volunteers.config import get_settings
from volunteers.domain import ClearanceRules
from volunteers.models import (
    Facility,
    HelpRequest,
    HelpRequestOffer,
    Household,
    Match,
    Shift,
    ShiftSignup,
    ShiftTemplate,
    Volunteer,
)

MANAGING_ROLES = (Role.VOLUNTEER_COORDINATOR,)

Coordinator = Annotated[Principal, require_roles(*MANAGING_ROLES)]
CoordinatorOrVolunteer = Annotated[Principal, require_roles(*MANAGING_ROLES, Role.VOLUNTEER)]
SignedInVolunteer = Annotated[Principal, require_roles(Role.VOLUNTEER)]
# Staff who may ask the volunteer pool for help.
REQUESTING_ROLES = (Role.CASEWORKER, Role.VOLUNTEER_COORDINATOR)
Requester = Annotated[Principal, require_roles(*REQUESTING_ROLES)]
RequesterOrVolunteer = Annotated[Principal, require_roles(*REQUESTING_ROLES, Role.VOLUNTEER)]


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


def own_volunteer_ids(principal: Principal) -> Select[uuid.UUID]:
    return select(Volunteer.id).where(Volunteer.subject == principal.subject)


def _shifts(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(*MANAGING_ROLES):
        return True
    if principal.has_any_role(Role.VOLUNTEER):
        own = select(ShiftSignup.shift_id).where(
            ShiftSignup.volunteer_id.in_(own_volunteer_ids(principal))
        )
        return Shift.cancelled_at.is_(None) | Shift.id.in_(own)
    return False


def _help_requests(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(*MANAGING_ROLES):
        return True
    rules: list[ColumnElement[bool]] = []
    if principal.has_any_role(Role.CASEWORKER):
        rules.append(HelpRequest.requested_by == principal.subject)
    if principal.has_any_role(Role.VOLUNTEER):
        offered = select(HelpRequestOffer.help_request_id).where(
            HelpRequestOffer.volunteer_id.in_(own_volunteer_ids(principal))
        )
        rules.append(HelpRequest.id.in_(offered))
    return or_(*rules) if rules else False


SHIFTS = RecordScope(Shift, resource="shift", rule=_shifts)
HELP_REQUESTS = RecordScope(HelpRequest, resource="help_request", rule=_help_requests)


def _places(principal: Principal) -> bool:
    """Facilities and templates hold no personal data: the board's readers see them."""
    return principal.has_any_role(*MANAGING_ROLES, Role.VOLUNTEER)


FACILITIES = RecordScope(Facility, resource="facility", rule=_places)
TEMPLATES = RecordScope(ShiftTemplate, resource="shift_template", rule=_places)
