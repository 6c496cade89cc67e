"""Who may do what in intake, and which households each caseworker sees."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from intake.models import AllocationImport, Consent, ErasureRequest, Household

# Social care data: caseworkers alone (a team lead is a caseworker with `team_lead`
# too). Administrators administer and read no social data unless also a caseworker.
SocialCareStaff = Annotated[Principal, require_roles(Role.CASEWORKER)]


def households_in_care(principal: Principal) -> ColumnElement[bool] | bool:
    """Caseworkers see the households of their teams; team leads see every team's."""
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    if principal.has_any_role(Role.TEAM_LEAD):
        return True
    return Household.team.in_(sorted(principal.teams))


HOUSEHOLDS = RecordScope(
    Household,
    resource="household",
    rule=households_in_care,
    load_with=[joinedload(Household.members)],
)


def consents_in_care(principal: Principal) -> ColumnElement[bool] | bool:
    """A consent is seen by whoever sees its household."""
    admitted = households_in_care(principal)
    if isinstance(admitted, bool):
        return admitted
    return Consent.household_id.in_(select(Household.id).where(admitted))


CONSENTS = RecordScope(Consent, resource="consent", rule=consents_in_care)


def households_of_own_team(principal: Principal) -> ColumnElement[bool] | bool:
    """Case notes: the household's own team only, team leads of other teams not included."""
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    return Household.team.in_(sorted(principal.teams))


TEAM_HOUSEHOLDS = RecordScope(
    Household,
    resource="household",
    rule=households_of_own_team,
    load_with=[joinedload(Household.members)],
)


def imports_in_care(principal: Principal) -> ColumnElement[bool] | bool:
    """An imported list's report: whoever uploaded it and the caseworkers of their teams;
    team leads see every one."""
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    if principal.has_any_role(Role.TEAM_LEAD):
        return True
    return or_(
        AllocationImport.teams.overlap(sorted(principal.teams)),
        AllocationImport.uploaded_by == principal.subject,
    )


ALLOCATION_IMPORTS = RecordScope(
    AllocationImport, resource="allocation_import", rule=imports_in_care
)


# The data-protection officer: erasure requests (and the audit trail, in shared/).
DataProtection = Annotated[Principal, require_roles(Role.DATA_PROTECTION)]


def data_protection_only(principal: Principal) -> bool:
    return principal.has_any_role(Role.DATA_PROTECTION)


ERASURE_REQUESTS = RecordScope(
    ErasureRequest, resource="erasure_request", rule=data_protection_only
)
