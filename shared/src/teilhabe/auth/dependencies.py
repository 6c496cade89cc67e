"""FastAPI wiring: one validator per app, and per-route role requirements."""

# No `from __future__ import annotations` here: FastAPI reads the dependency signatures at
# runtime and the guards are class instances, which carry no module globals to resolve
# string annotations against.

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from teilhabe.auth.errors import AuthenticationError, SigningKeysUnavailableError
from teilhabe.auth.principal import Principal
from teilhabe.auth.refusals import log_refusal
from teilhabe.auth.roles import Role
from teilhabe.auth.validator import TokenValidator
from teilhabe.config import ServiceSettings

VALIDATOR_STATE_ATTRIBUTE = "token_validator"

# auto_error=False so that a missing token gets the same 401 shape as a bad one instead
# of FastAPI's own 403.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="Access token issued by the city's identity provider.",
)

BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]


def install_auth(
    app: FastAPI, settings: ServiceSettings, *, validator: TokenValidator | None = None
) -> None:
    """Give `app` a token validator built from `settings` (or the one passed in).

    The validator's HTTP client is closed when the app's lifespan ends.
    """
    if isinstance(getattr(app.state, VALIDATOR_STATE_ATTRIBUTE, None), TokenValidator):
        raise RuntimeError("install_auth was already called for this app")
    token_validator = validator if validator is not None else TokenValidator.from_settings(settings)
    setattr(app.state, VALIDATOR_STATE_ATTRIBUTE, token_validator)

    # Wrapping rather than replacing keeps whatever lifespan the service declared.
    inner_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any) -> AsyncIterator[Any]:
        try:
            async with inner_lifespan(asgi_app) as state:
                yield state
        finally:
            await token_validator.aclose()

    app.router.lifespan_context = lifespan


def get_token_validator(request: Request) -> TokenValidator:
    validator = getattr(request.app.state, VALIDATOR_STATE_ATTRIBUTE, None)
    if not isinstance(validator, TokenValidator):
        raise RuntimeError("install_auth(app, settings) was not called for this app")
    return validator


async def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The caller's principal; raises 401 for a missing or invalid token."""
    if credentials is None or not credentials.credentials:
        log_refusal(request, status=401, reason="missing bearer token")
        # RFC 6750 §3.1: no error code when the request carried no credentials at all.
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return await get_token_validator(request).authenticate(credentials.credentials)
    except AuthenticationError as exc:
        log_refusal(request, status=401, reason=exc.reason)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=exc.reason,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from exc
    except SigningKeysUnavailableError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="identity provider keys unavailable, retry later",
            headers={"Retry-After": "10"},
        ) from exc


class RoleGuard:
    """Dependency admitting callers who hold at least one of `declared_roles`."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.declared_roles = roles

    async def __call__(self, request: Request, credentials: BearerCredentials) -> Principal:
        principal = await authenticate(request, credentials)
        if not principal.has_any_role(*self.declared_roles):
            log_refusal(
                request,
                status=403,
                reason="lacks the roles: " + ", ".join(sorted(self.declared_roles)),
                subject=principal.subject,
            )
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="requires one of the roles: " + ", ".join(sorted(self.declared_roles)),
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
            )
        return principal

    def __repr__(self) -> str:
        return f"RoleGuard({', '.join(sorted(self.declared_roles))})"


def require_roles(*roles: Role) -> Any:
    """`Security` dependency yielding the `Principal` if it holds any of `roles`.

    Use as `principal: Annotated[Principal, require_roles(Role.CASEWORKER)]`, or in a
    route's or router's `dependencies=[...]`. Roles are alternatives; no role implies
    another, so admins are admitted only where `Role.ADMIN` is listed.
    """
    if not roles:
        raise ValueError("require_roles needs at least one role")
    return Security(RoleGuard(frozenset(Role(role) for role in roles)))


class PublicEndpoint:
    """Marker dependency for routes deliberately open to anyone (health, metrics)."""

    async def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "PublicEndpoint()"


_PUBLIC = PublicEndpoint()


def public_endpoint() -> Any:
    """Dependency declaring a route deliberately public.

    Use as `@app.get("/health", dependencies=[public_endpoint()])`.
    """
    return Depends(_PUBLIC)
