"""HTTP face of the development identity provider, on Keycloak's paths."""

# No `from __future__ import annotations`: FastAPI resolves the route signatures at runtime.

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Response
from pydantic import BaseModel, ConfigDict, Field
from teilhabe.auth.roles import Role

from teilhabe_dev.devprovider.authorize import AuthorizationCodes, install_code_flow
from teilhabe_dev.devprovider.keys import KeyRing
from teilhabe_dev.devprovider.paths import (
    AUTHORIZE_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    LOGOUT_PATH,
    OIDC_TOKEN_PATH,
    REALM,
    REALM_PATH,
    TOKEN_PATH,
)
from teilhabe_dev.devprovider.tokens import mint_token

log = logging.getLogger(__name__)

DEFAULT_AUDIENCE = "teilhabe"
MAX_EXPIRES_IN = 24 * 60 * 60
_CLAIMS_SUPPORTED = (
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "realm_access",
    "preferred_username",
    "email",
    "locale",
    "groups",
    "team",
    "agency",
    "nonce",
    "azp",
)

__all__ = [
    "AUTHORIZE_PATH",
    "DEFAULT_AUDIENCE",
    "DISCOVERY_PATH",
    "JWKS_PATH",
    "LOGOUT_PATH",
    "MAX_EXPIRES_IN",
    "OIDC_TOKEN_PATH",
    "REALM",
    "REALM_PATH",
    "TOKEN_PATH",
    "TokenRequest",
    "TokenResponse",
    "create_app",
]


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=255)
    # Validated against `Role` so a typo fails here instead of silently granting nothing.
    roles: list[Role] = Field(default_factory=list)
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    teams: list[str] = Field(default_factory=list, max_length=50)
    team: str | None = None  # the older single-team claim, still understood
    agency: str | None = None
    expires_in: int = Field(default=3600, ge=1, le=MAX_EXPIRES_IN)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int


def create_app(keys: KeyRing | Path, *, issuer: str, audience: str = DEFAULT_AUDIENCE) -> FastAPI:
    """The provider as an ASGI app, signing with `keys` (a key ring or a PEM key file).

    `issuer` is the realm URL as clients reach it, ending in `/realms/teilhabe`.
    """
    if not issuer.rstrip("/").endswith(REALM_PATH):
        raise ValueError(f"issuer must end with {REALM_PATH}, got {issuer!r}")
    issuer = issuer.rstrip("/")
    keyring = keys if isinstance(keys, KeyRing) else KeyRing.from_file(keys)
    base_url = issuer.removesuffix(REALM_PATH)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.warning(
            "DEVELOPMENT identity provider for %s: it issues any role to anyone who asks "
            "and must never run in production (signing keys: %s)",
            issuer,
            ", ".join(key.kid for key in keyring.published),
        )
        yield

    app = FastAPI(
        title="Teilhabe development identity provider",
        description="Development and tests only. Never run in production.",
        lifespan=lifespan,
    )

    @app.get(DISCOVERY_PATH)
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "jwks_uri": base_url + JWKS_PATH,
            "authorization_endpoint": base_url + AUTHORIZE_PATH,
            "token_endpoint": base_url + OIDC_TOKEN_PATH,
            "end_session_endpoint": base_url + LOGOUT_PATH,
            # Not standard: the JSON endpoint that hands out any token (curl, tests).
            "dev_token_endpoint": base_url + TOKEN_PATH,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": [
                "none",
                "client_secret_basic",
                "client_secret_post",
            ],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": sorted(
                {key.algorithm for key in keyring.published}
            ),
            "claims_supported": list(_CLAIMS_SUPPORTED),
        }

    @app.get(REALM_PATH)
    async def realm() -> dict[str, Any]:
        # What Keycloak answers at a realm's address, so the README's link shows something.
        public_pem = keyring.signing_key.public_pem()
        return {
            "realm": REALM,
            "public_key": "".join(
                line for line in public_pem.splitlines() if line and "-----" not in line
            ),
            "token-service": issuer + "/protocol/openid-connect",
            "account-service": issuer + "/account",
            "tokens-not-before": 0,
            "openid-configuration": base_url + DISCOVERY_PATH,
            "development-only": "This provider issues any role to anyone who asks.",
        }

    @app.get(JWKS_PATH)
    async def certs(response: Response) -> dict[str, list[dict[str, str]]]:
        # Lets rotations show up immediately, as Keycloak's `no-cache` does.
        response.headers["Cache-Control"] = "no-cache"
        return keyring.jwks()

    @app.post(TOKEN_PATH)
    async def token(request: TokenRequest) -> TokenResponse:
        access_token = mint_token(
            keyring.signing_key,
            issuer=issuer,
            audience=audience,
            subject=request.subject,
            roles=request.roles,
            expires_in=request.expires_in,
            preferred_username=request.name,
            email=request.email,
            locale=request.locale,
            teams=request.teams,
            team=request.team,
            agency=request.agency,
        )
        return TokenResponse(access_token=access_token, expires_in=request.expires_in)

    install_code_flow(app, keyring, AuthorizationCodes(), issuer=issuer, audience=audience)
    return app
