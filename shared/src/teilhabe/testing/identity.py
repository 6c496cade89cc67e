"""Tokens and settings for services under test, from the development identity provider."""

from __future__ import annotations

from teilhabe.auth import Role
from teilhabe.auth.testing import RunningDevProvider


def oidc_env(provider: RunningDevProvider) -> dict[str, str]:
    """Environment pointing a service process at the provider."""
    return {key.upper(): value for key, value in provider.oidc_settings().items()}


def auth_headers(provider: RunningDevProvider, *roles: Role, subject: str = "test-user") -> dict[str, str]:
    return {"Authorization": f"Bearer {provider.mint(subject=subject, roles=roles)}"}
