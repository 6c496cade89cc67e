"""Authentication and role checks against the city's OIDC identity provider.

Tokens are validated offline against the provider's published keys; roles come from
Keycloak's `realm_access.roles`. Every route declares either `require_roles(...)` or
`public_endpoint()`; `teilhabe_dev.testing.auth.routes_without_declared_roles` checks that.
"""

from teilhabe.auth.dependencies import (
    PublicEndpoint,
    RoleGuard,
    authenticate,
    bearer_scheme,
    get_token_validator,
    install_auth,
    public_endpoint,
    require_roles,
)
from teilhabe.auth.errors import AuthenticationError, SigningKeysUnavailableError
from teilhabe.auth.jwks import JwksCache
from teilhabe.auth.principal import Principal
from teilhabe.auth.roles import Role
from teilhabe.auth.validator import TokenValidator

__all__ = [
    "AuthenticationError",
    "JwksCache",
    "Principal",
    "PublicEndpoint",
    "Role",
    "RoleGuard",
    "SigningKeysUnavailableError",
    "TokenValidator",
    "authenticate",
    "bearer_scheme",
    "get_token_validator",
    "install_auth",
    "public_endpoint",
    "require_roles",
]
