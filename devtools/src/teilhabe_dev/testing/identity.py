"""Tokens and settings for services under test, from the development identity provider."""

from __future__ import annotations

from collections.abc import Iterable

from teilhabe.auth import Role

from teilhabe_dev.testing.auth import RunningDevProvider


def oidc_env(provider: RunningDevProvider) -> dict[str, str]:
    """Environment pointing a service process at the provider."""
    settings = provider.oidc_settings()
    return {
        "OIDC_ISSUER": settings["oidc_issuer"],
        "OIDC_AUDIENCE": settings["oidc_audience"],
        "OIDC_JWKS_URL": settings["oidc_jwks_url"],
    }


# The team test tokens belong to unless a test says otherwise.
TEST_TEAM = "Soziale Betreuung Nord"


def auth_headers(
    provider: RunningDevProvider,
    *roles: Role,
    subject: str = "test-user",
    teams: Iterable[str] = (TEST_TEAM,),
) -> dict[str, str]:
    token = provider.mint(subject=subject, roles=roles, teams=teams)
    return {"Authorization": f"Bearer {token}"}
