"""The authenticated caller, as later rules need to see it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from teilhabe.auth.roles import Role

DEFAULT_TEAMS_CLAIM = "groups"


class Principal(BaseModel):
    """Who is calling and what the identity provider says they may do."""

    model_config = ConfigDict(frozen=True)

    subject: str
    roles: frozenset[Role]
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    teams: frozenset[str] = frozenset()
    agency: str | None = None

    def has_any_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @classmethod
    def from_claims(
        cls, claims: Mapping[str, Any], *, teams_claim: str = DEFAULT_TEAMS_CLAIM
    ) -> Principal:
        """Build a principal from validated Keycloak access-token claims.

        `teams_claim` names the claim listing the person's groups (a dotted name reaches
        into nested claims, as Keycloak's mappers can produce).
        """
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise ValueError("token has no subject")
        return cls(
            subject=subject,
            roles=realm_roles(claims),
            name=_optional_str(claims, "preferred_username") or _optional_str(claims, "name"),
            email=_optional_str(claims, "email"),
            locale=_optional_str(claims, "locale"),
            teams=claimed_teams(claims, teams_claim),
            agency=_optional_str(claims, "agency"),
        )


def realm_roles(claims: Mapping[str, Any]) -> frozenset[Role]:
    """Known roles from `realm_access.roles`.

    Keycloak adds its own realm roles (offline_access, uma_authorization,
    default-roles-*) to every token; those and any role this system does not know are
    dropped rather than rejected, so the realm can grow without breaking services.
    """
    realm_access = claims.get("realm_access")
    if not isinstance(realm_access, Mapping):
        return frozenset()
    names = realm_access.get("roles")
    if not isinstance(names, list):
        return frozenset()
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if isinstance(name, str) and name in known)


def claimed_teams(claims: Mapping[str, Any], teams_claim: str) -> frozenset[str]:
    """Team names from the group claim, plus the older single `team` claim.

    Keycloak's group mapper sends full paths ("/Soziale Betreuung Nord") unless "Full
    group path" is off; the leading slash is dropped so that both settings give the same
    names. A single string is accepted as one group.
    """
    value: Any = claims
    for part in teams_claim.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    legacy = claims.get("team")
    if isinstance(legacy, str):
        names = [*names, legacy]
    teams = (name.strip().removeprefix("/") for name in names if isinstance(name, str))
    return frozenset(team for team in teams if team)


def _optional_str(claims: Mapping[str, Any], claim: str) -> str | None:
    # Claims of an unexpected type are treated as absent instead of failing the request.
    value = claims.get(claim)
    return value if isinstance(value, str) and value else None
