"""Development identity provider: Keycloak's discovery and JWKS paths plus token endpoints.

For local runs and tests only. It hands out tokens with any role to anyone who asks, so
it must never be reachable in production. Nothing in the services depends on it: they
validate tokens from whatever issuer their settings name.

Two ways to get a token: the JSON endpoint `TOKEN_PATH` (curl, tests), and the standard
authorization code flow with PKCE (`AUTHORIZE_PATH`, `OIDC_TOKEN_PATH`, `LOGOUT_PATH`)
through which the staff tools sign people in; its sign-in page lets the developer pick a
subject and roles.
"""

from teilhabe_dev.devprovider.app import (
    AUTHORIZE_PATH,
    DEFAULT_AUDIENCE,
    DISCOVERY_PATH,
    JWKS_PATH,
    LOGOUT_PATH,
    OIDC_TOKEN_PATH,
    REALM,
    REALM_PATH,
    TOKEN_PATH,
    TokenRequest,
    TokenResponse,
    create_app,
)
from teilhabe_dev.devprovider.cli import DevProviderSettings, main
from teilhabe_dev.devprovider.keys import (
    KeyRing,
    PrivateKey,
    SigningKey,
    default_key_file,
    load_or_create_key,
    thumbprint,
)
from teilhabe_dev.devprovider.tokens import mint_token

__all__ = [
    "AUTHORIZE_PATH",
    "DEFAULT_AUDIENCE",
    "DISCOVERY_PATH",
    "JWKS_PATH",
    "LOGOUT_PATH",
    "OIDC_TOKEN_PATH",
    "REALM",
    "REALM_PATH",
    "TOKEN_PATH",
    "DevProviderSettings",
    "KeyRing",
    "PrivateKey",
    "SigningKey",
    "TokenRequest",
    "TokenResponse",
    "create_app",
    "default_key_file",
    "load_or_create_key",
    "main",
    "mint_token",
    "thumbprint",
]
