"""Sign-in to the staff tools: OpenID Connect code flow with PKCE, session held server-side.

The provider is the one the APIs trust, found through its discovery document. The access
token it returns is kept in the session and checked on every page request by the same
`TokenValidator` as API tokens, so a page shows only what the API would answer to the
same person. No refresh token is kept: when the access token expires the person is sent
through sign-in again, which the provider's own session usually makes invisible.

The session lives in the service's database (`teilhabe.ui.sessions`), the cookie holds
only its id. Signing out of one tool ends its session and, through the provider's
end-session endpoint, the provider's sign-in; the provider then calls every tool's
back-channel logout endpoint, which ends that tool's sessions of the same sign-in.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency signatures at runtime.

import secrets
import warnings
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from teilhabe import staff_sessions
from teilhabe.auth import (
    AuthenticationError,
    Principal,
    PublicEndpoint,
    Role,
    get_token_validator,
)
from teilhabe.config import ServiceSettings
from teilhabe.ui.i18n import LANGUAGES, N_
from teilhabe.ui.settings import UiSettings
from teilhabe.ui.urls import page_path, page_url

log = structlog.get_logger(__name__)

ACCESS_TOKEN_KEY = "access_token"  # noqa: S105 - the session key's name
LANGUAGE_KEY = "lang"
NEXT_KEY = "next"
PRINCIPAL_STATE = "principal"


class SignInRequired(Exception):
    """No valid session: the person is sent to sign in, and back here afterwards."""


class PageForbidden(Exception):
    """Signed in, but without a role this page admits."""

    def __init__(self, principal: Principal, roles: frozenset[Role]) -> None:
        super().__init__("forbidden")
        self.principal = principal
        self.roles = roles


class SignInFailed(Exception):
    """The provider refused, or returned something this tool cannot accept."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def session_principal(request: Request) -> Principal | None:
    """The signed-in person, or None when the session holds no valid access token."""
    token = request.session.get(ACCESS_TOKEN_KEY)
    if not isinstance(token, str):
        return None
    try:
        principal = await get_token_validator(request).authenticate(token)
    except AuthenticationError:
        request.session.pop(ACCESS_TOKEN_KEY, None)
        return None
    setattr(request.state, PRINCIPAL_STATE, principal)
    return principal


def api_roles(alias: Any) -> frozenset[Role]:
    """The roles an API's `Annotated[Principal, require_roles(...)]` alias admits.

    Lets a service's pages admit exactly the roles its API does, from one declaration.
    """
    for metadata in getattr(alias, "__metadata__", ()):
        roles = getattr(getattr(metadata, "dependency", None), "declared_roles", None)
        if roles:
            return frozenset(roles)
    raise ValueError(f"{alias!r} declares no roles")


class PageGuard:
    """Dependency admitting signed-in people who hold one of `declared_roles`.

    `declared_roles` is what `teilhabe_dev.testing.auth.routes_without_declared_roles` looks
    for, so pages are held to the same rule as API routes.
    """

    def __init__(self, roles: frozenset[Role]) -> None:
        self.declared_roles = roles

    async def __call__(self, request: Request) -> Principal:
        # SigningKeysUnavailableError passes through: the page says "try again shortly".
        principal = await session_principal(request)
        if principal is None:
            raise SignInRequired()
        if not principal.has_any_role(*self.declared_roles):
            raise PageForbidden(principal, self.declared_roles)
        return principal

    def __repr__(self) -> str:
        return f"PageGuard({', '.join(sorted(self.declared_roles))})"


def page_roles(*roles: Role) -> Any:
    """Dependency yielding the signed-in `Principal` if it holds any of `roles`.

    Use as `principal: Annotated[Principal, page_roles(Role.CASEWORKER, Role.ADMIN)]`, or
    `page_roles(*api_roles(SocialCareStaff))` to admit whom the API admits.
    """
    if not roles:
        raise ValueError("page_roles needs at least one role")
    return Depends(PageGuard(frozenset(Role(role) for role in roles)))


def _import_authlib() -> None:
    """Import Authlib, when a tool's pages are mounted.

    Not at the module's import: a service's relay, consumer and timers import its pages'
    modules too, and never sign anyone in; Authlib (with joserfc) is a large import.
    """
    with warnings.catch_warnings():
        # Authlib announces a move from httpx to httpx2; the workspace locks httpx, which
        # Authlib still supports. Its own "always" filter is installed first, ours before it.
        import authlib.deprecate

        warnings.filterwarnings("ignore", message="The httpx module is deprecated")
        import authlib.integrations.starlette_client  # noqa: F401


def create_oidc_client(settings: ServiceSettings, ui: UiSettings) -> Any:
    """Authlib's Starlette client for the provider named by the service's OIDC settings."""
    _import_authlib()
    from authlib.integrations.starlette_client import OAuth

    discovery = ui.oidc_discovery_url or (
        settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    client_kwargs: dict[str, Any] = {
        "scope": ui.oidc_scope,
        "code_challenge_method": "S256",
        "timeout": 10.0,
    }
    if ui.oidc_client_secret is None:
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 - public client
    return OAuth().register(
        "teilhabe",
        client_id=ui.oidc_client_id,
        client_secret=ui.oidc_client_secret,
        server_metadata_url=discovery,
        client_kwargs=client_kwargs,
    )


def safe_next(request: Request, value: str | None, default: str) -> str:
    """A same-site path under this tool to return to; anything else becomes `default`."""
    if not value:
        return default
    parts = urlsplit(value)
    root = default.rstrip("/")
    if (
        parts.scheme
        or parts.netloc
        or "\\" in value
        or not value.startswith("/")
        or value.startswith("//")
        or not (parts.path == root or parts.path.startswith(root + "/"))
    ):
        return default
    return value


def auth_router(
    oidc: Any,
    ui: UiSettings,
    on_signed_in: Callable[[Request, Principal], Awaitable[None]] | None = None,
) -> APIRouter:
    """Sign-in, callback, sign-out and language choice; all open to anyone.

    `on_signed_in` runs once per sign-in, after the provider's token was accepted.
    """
    _import_authlib()
    from authlib.integrations.base_client import OAuthError

    router = APIRouter(dependencies=[Depends(PublicEndpoint())], include_in_schema=False)

    def home(request: Request) -> str:
        return page_path(request, "ui_home")

    @router.get("/anmelden", name="ui_sign_in")
    async def sign_in(request: Request, next: str | None = None) -> Response:
        request.session[NEXT_KEY] = safe_next(request, next, home(request))
        redirect_uri = page_url(request, "ui_callback")
        language = request.session.get(LANGUAGE_KEY) or "de"
        response: Response = await oidc.authorize_redirect(
            request, redirect_uri, ui_locales=language
        )
        return response

    @router.get("/auth/callback", name="ui_callback")
    async def callback(request: Request) -> Response:
        try:
            token = await oidc.authorize_access_token(request)
        except OAuthError as error:
            log.warning("ui_sign_in_refused", error=error.error, description=error.description)
            raise SignInFailed(N_("The identity provider did not sign you in.")) from error
        access_token = token.get("access_token")
        if not isinstance(access_token, str):
            raise SignInFailed(N_("The identity provider sent no access token."))
        try:
            principal = await get_token_validator(request).authenticate(access_token)
        except AuthenticationError as error:
            log.warning("ui_access_token_refused", reason=error.reason)
            raise SignInFailed(N_("The access token was not accepted.")) from error
        if on_signed_in is not None:
            await on_signed_in(request, principal)
        target = safe_next(request, request.session.get(NEXT_KEY), home(request))
        language = request.session.get(LANGUAGE_KEY)
        # A fresh session at sign-in, so nothing from before it (fixation) carries over.
        request.session.clear()
        request.session[ACCESS_TOKEN_KEY] = access_token
        request.session[staff_sessions.SUBJECT_KEY] = principal.subject
        provider_session = (token.get("userinfo") or {}).get("sid")
        if isinstance(provider_session, str):
            request.session[staff_sessions.PROVIDER_SESSION_KEY] = provider_session
        request.session["csrf"] = secrets.token_urlsafe(32)
        if language in LANGUAGES:
            request.session[LANGUAGE_KEY] = language
        log.info("ui_signed_in", subject=principal.subject, roles=sorted(principal.roles))
        return RedirectResponse(target, status_code=303)

    @router.post("/abmelden", name="ui_sign_out")
    async def sign_out(request: Request) -> Response:
        # Imported here: forms imports nothing of auth, auth only needs this one check.
        from teilhabe.ui.forms import read_form

        await read_form(request)
        language = request.session.get(LANGUAGE_KEY)
        request.session.clear()
        if language in LANGUAGES:
            request.session[LANGUAGE_KEY] = language
        signed_out = page_url(request, "ui_signed_out")
        try:
            response: Response = await oidc.logout_redirect(
                request, post_logout_redirect_uri=signed_out, client_id=ui.oidc_client_id
            )
        except (RuntimeError, httpx.HTTPError) as error:  # no end-session endpoint, or away
            log.warning("ui_provider_sign_out_failed", error=str(error))
            return RedirectResponse(signed_out, status_code=303)
        return response

    @router.post("/auth/backchannel-logout", name="ui_backchannel_logout")
    async def backchannel_logout(request: Request) -> Response:
        # Called by the identity provider, not a browser: no session, no CSRF token; the
        # signed logout token is the proof.
        form = await request.form()
        logout_token = form.get("logout_token")
        if not isinstance(logout_token, str):
            return _logout_refused("logout_token is missing")
        try:
            claims = await get_token_validator(request).validate_logout_token(
                logout_token, client_id=ui.oidc_client_id
            )
        except AuthenticationError as error:
            log.warning("ui_logout_token_refused", reason=error.reason)
            return _logout_refused(error.reason)
        async with request.app.state.sessions() as db, db.begin():
            ended = await staff_sessions.end_sign_in(
                db, provider_session=claims.get("sid"), subject=claims.get("sub")
            )
        log.info("ui_signed_out_by_provider", subject=claims.get("sub"), sessions=ended)
        return Response(status_code=200, headers={"Cache-Control": "no-store"})

    @router.get("/sprache/{language}", name="ui_language")
    async def choose_language(
        request: Request,
        language: str,
        next: str | None = None,
    ) -> Response:
        if language in LANGUAGES:
            request.session[LANGUAGE_KEY] = language
        return RedirectResponse(safe_next(request, next, home(request)), status_code=303)

    return router


def _logout_refused(reason: str) -> Response:
    return JSONResponse(
        {"error": "invalid_request", "error_description": reason},
        status_code=400,
        headers={"Cache-Control": "no-store"},
    )


def sign_in_url(request: Request) -> str:
    """Where to send someone who must sign in to see the current page."""
    current = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{page_path(request, 'ui_sign_in')}?next={quote(current, safe='')}"
