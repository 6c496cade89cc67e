"""Sign-in for the staff tools: authorization code flow with PKCE (S256), as Keycloak does it.

Development only. The sign-in page lets whoever opens it pick any subject and roles, and
the token endpoint trusts every client; a real provider authenticates people and clients.
What is real is the protocol: the staff tools run the same OAuth 2.0 / OpenID Connect code
flow against this provider as against Keycloak, and get an access token signed with the
same key as the API tokens, so one validator serves both.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures at runtime.

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from teilhabe.auth.roles import Role

from teilhabe_dev.devprovider.keys import KeyRing
from teilhabe_dev.devprovider.paths import (
    AUTHORIZE_PATH,
    LOGOUT_PATH,
    OIDC_TOKEN_PATH,
    REALM_PATH,
)
from teilhabe_dev.devprovider.tokens import dev_email, mint_token

log = logging.getLogger(__name__)

CODE_LIFETIME_SECONDS = 60.0
BACKCHANNEL_LOGOUT_NAME = "backchannel-logout"
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
BACKCHANNEL_TIMEOUT_SECONDS = 5.0
ACCESS_TOKEN_LIFETIME_SECONDS = 3600
SSO_COOKIE = "dev_oidc_sso"
SSO_MAX_AGE_SECONDS = 8 * 60 * 60
MAX_SUBJECT_LENGTH = 255
_MAX_PENDING_CODES = 10_000

ROLE_LABELS: dict[Role, str] = {
    Role.CASEWORKER: "Fallbetreuung (caseworker)",
    Role.HOUSING_OFFICER: "Unterbringung (housing_officer)",
    Role.COURSE_COORDINATOR: "Kurskoordination (course_coordinator)",
    Role.VOLUNTEER_COORDINATOR: "Ehrenamtskoordination (volunteer_coordinator)",
    Role.VOLUNTEER: "Ehrenamt (volunteer)",
    Role.AGENCY: "Partnerorganisation (agency)",
    Role.ADMIN: "Administration (admin)",
    Role.TEAM_LEAD: "Teamleitung (team_lead)",
    Role.DATA_PROTECTION: "Datenschutz (data_protection)",
}

# Groups a city's realm might have; the sign-in page offers them as teams.
DEV_TEAMS: tuple[str, ...] = ("Soziale Betreuung Nord", "Soziale Betreuung Süd")

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
)


@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of an authorization request the provider agreed to serve."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str
    state: str | None
    nonce: str | None

    def hidden_fields(self) -> dict[str, str]:
        """The request as form fields, so the sign-in form carries it to the POST."""
        fields = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
            "scope": self.scope,
        }
        if self.state is not None:
            fields["state"] = self.state
        if self.nonce is not None:
            fields["nonce"] = self.nonce
        return fields


@dataclass(frozen=True)
class RequestRefusal:
    """Why an authorization request is refused; `redirect` when the client may be told."""

    error: str
    description: str
    redirect: AuthorizationRequest | None = None


def parse_authorization_request(params: Mapping[str, str]) -> AuthorizationRequest | RequestRefusal:
    client_id = params.get("client_id", "").strip()
    redirect_uri = params.get("redirect_uri", "").strip()
    # RFC 6749 §4.1.2.1: without a trustworthy client and redirect URI the error is shown
    # to the person, never sent to an address nobody vouched for.
    if not client_id:
        return RequestRefusal("invalid_request", "client_id fehlt.")
    if not _is_web_url(redirect_uri):
        return RequestRefusal("invalid_request", "redirect_uri fehlt oder ist keine http(s)-URL.")
    request = AuthorizationRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        code_challenge=params.get("code_challenge", ""),
        scope=params.get("scope", "openid"),
        state=params.get("state"),
        nonce=params.get("nonce"),
    )
    if params.get("response_type") != "code":
        return RequestRefusal(
            "unsupported_response_type", "only response_type=code", redirect=request
        )
    # PKCE is mandatory here, as it should be for every browser-based sign-in.
    if params.get("code_challenge_method") != "S256" or not request.code_challenge:
        return RequestRefusal(
            "invalid_request", "PKCE with code_challenge_method=S256 is required", redirect=request
        )
    return request


@dataclass(frozen=True)
class Grant:
    """What an authorization code stands for."""

    request: AuthorizationRequest
    subject: str
    roles: tuple[Role, ...]
    name: str | None
    expires_at: float
    teams: tuple[str, ...] = ()
    sid: str | None = None  # the provider's sign-in this grant belongs to


class AuthorizationCodes:
    """Single-use codes, kept in memory: the development provider is one process."""

    def __init__(
        self,
        *,
        lifetime: float = CODE_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lifetime = lifetime
        self._clock = clock
        self._grants: dict[str, Grant] = {}

    def issue(
        self,
        request: AuthorizationRequest,
        *,
        subject: str,
        roles: tuple[Role, ...],
        name: str | None,
        teams: tuple[str, ...] = (),
        sid: str | None = None,
    ) -> str:
        self._forget_expired()
        if len(self._grants) >= _MAX_PENDING_CODES:
            raise RuntimeError("too many unredeemed authorization codes")
        code = secrets.token_urlsafe(32)
        self._grants[code] = Grant(
            request=request,
            subject=subject,
            roles=roles,
            name=name,
            expires_at=self._clock() + self._lifetime,
            teams=teams,
            sid=sid,
        )
        return code

    def redeem(self, code: str) -> Grant | None:
        """The grant of `code`, once; None if unknown, used or expired."""
        grant = self._grants.pop(code, None)
        if grant is None or grant.expires_at < self._clock():
            return None
        return grant

    def _forget_expired(self) -> None:
        now = self._clock()
        for code in [code for code, grant in self._grants.items() if grant.expires_at < now]:
            del self._grants[code]


def pkce_matches(code_verifier: str, code_challenge: str) -> bool:
    """RFC 7636 §4.6 for S256."""
    digest = hashlib.sha256(code_verifier.encode("ascii", errors="replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(expected, code_challenge)


def install_code_flow(
    app: FastAPI,
    keyring: KeyRing,
    codes: AuthorizationCodes,
    *,
    issuer: str,
    audience: str,
    access_token_lifetime: int = ACCESS_TOKEN_LIFETIME_SECONDS,
) -> None:
    """Add the authorization, token and end-session endpoints to the provider's app."""
    # A fresh secret per provider process: a restart ends every single sign-on session.
    sso = URLSafeTimedSerializer(secrets.token_urlsafe(32), salt="dev-oidc-sso")
    sign_ins = SignIns()

    def signed_in_person(request: Request) -> dict[str, Any] | None:
        cookie = request.cookies.get(SSO_COOKIE)
        if not cookie:
            return None
        try:
            person = sso.loads(cookie, max_age=SSO_MAX_AGE_SECONDS)
        except BadSignature:
            return None
        return person if isinstance(person, dict) else None

    def redirect_with_code(
        auth_request: AuthorizationRequest,
        *,
        subject: str,
        roles: tuple[Role, ...],
        name: str | None,
        teams: tuple[str, ...],
        sid: str,
    ) -> RedirectResponse:
        code = codes.issue(
            auth_request, subject=subject, roles=roles, name=name, teams=teams, sid=sid
        )
        sign_ins.joined(sid, subject, auth_request)
        params = {"code": code, "iss": issuer}
        if auth_request.state is not None:
            params["state"] = auth_request.state
        return RedirectResponse(_with_query(auth_request.redirect_uri, params), status_code=303)

    @app.get(AUTHORIZE_PATH, response_class=HTMLResponse, include_in_schema=False)
    async def authorize(request: Request) -> Response:
        parsed = parse_authorization_request(request.query_params)
        if isinstance(parsed, RequestRefusal):
            return _refuse(parsed)
        prompt = request.query_params.get("prompt", "")
        person = signed_in_person(request)
        if person is not None and "login" not in prompt.split():
            return redirect_with_code(
                parsed,
                subject=str(person["sub"]),
                roles=_known_roles(person.get("roles", [])),
                name=person.get("name"),
                teams=_known_teams(person.get("teams", [])),
                sid=str(person.get("sid") or secrets.token_urlsafe(16)),
            )
        if "none" in prompt.split():
            return _refuse(RequestRefusal("login_required", "not signed in", redirect=parsed))
        previous = person or {}
        return _sign_in_page(
            parsed,
            subject=str(previous.get("sub", "")),
            name=str(previous.get("name") or ""),
            chosen=set(previous.get("roles", [])),
            chosen_teams=set(previous.get("teams", [])),
            errors={},
        )

    @app.post(AUTHORIZE_PATH, response_class=HTMLResponse, include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        parsed = parse_authorization_request(fields)
        if isinstance(parsed, RequestRefusal):
            return _refuse(parsed)
        if fields.get("action") == "cancel":
            return _refuse(RequestRefusal("access_denied", "sign-in cancelled", redirect=parsed))
        subject = fields.get("subject", "").strip()
        name = fields.get("name", "").strip()
        chosen = [value for value in form.getlist("roles") if isinstance(value, str)]
        chosen_teams = [value for value in form.getlist("teams") if isinstance(value, str)]
        errors: dict[str, str] = {}
        if not subject:
            errors["subject"] = "Bitte geben Sie eine Kennung ein."
        elif len(subject) > MAX_SUBJECT_LENGTH or not subject.isprintable():
            errors["subject"] = (
                f"Die Kennung darf höchstens {MAX_SUBJECT_LENGTH} druckbare Zeichen haben."
            )
        if any(role not in {known.value for known in Role} for role in chosen):
            errors["roles"] = "Bitte wählen Sie nur Rollen aus der Liste."
        if any(team not in DEV_TEAMS for team in chosen_teams):
            errors["teams"] = "Bitte wählen Sie nur Teams aus der Liste."
        if errors:
            return _sign_in_page(
                parsed,
                subject=subject,
                name=name,
                chosen=set(chosen),
                chosen_teams=set(chosen_teams),
                errors=errors,
                status=422,
            )
        roles = _known_roles(chosen)
        teams = _known_teams(chosen_teams)
        sid = secrets.token_urlsafe(16)  # a new sign-in, even by the same person
        response = redirect_with_code(
            parsed, subject=subject, roles=roles, name=name or None, teams=teams, sid=sid
        )
        person = {
            "sub": subject,
            "roles": list(roles),
            "name": name or None,
            "teams": list(teams),
            "sid": sid,
        }
        response.set_cookie(
            SSO_COOKIE,
            sso.dumps(person),
            max_age=SSO_MAX_AGE_SECONDS,
            path=REALM_PATH,
            httponly=True,
            samesite="lax",
        )
        return response

    @app.post(OIDC_TOKEN_PATH, include_in_schema=False)
    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        if fields.get("grant_type") != "authorization_code":
            return _token_error("unsupported_grant_type", "only authorization_code")
        client_id = fields.get("client_id") or _basic_auth_client(request)
        grant = codes.redeem(fields.get("code", ""))
        if grant is None:
            return _token_error("invalid_grant", "unknown, used or expired code")
        if client_id != grant.request.client_id:
            return _token_error("invalid_grant", "code was issued to another client")
        if fields.get("redirect_uri") != grant.request.redirect_uri:
            return _token_error("invalid_grant", "redirect_uri differs from the request")
        if not pkce_matches(fields.get("code_verifier", ""), grant.request.code_challenge):
            return _token_error("invalid_grant", "code_verifier does not match the challenge")
        access_token = mint_token(
            keyring.signing_key,
            issuer=issuer,
            audience=audience,
            subject=grant.subject,
            roles=grant.roles,
            expires_in=access_token_lifetime,
            preferred_username=grant.name,
            teams=grant.teams,
            # Like a directory-backed realm: everyone signing in has an address.
            email=dev_email(grant.subject),
            azp=grant.request.client_id,
            scope=grant.request.scope,
            sid=grant.sid,
        )
        body: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": access_token_lifetime,
            "scope": grant.request.scope,
        }
        if "openid" in grant.request.scope.split():
            body["id_token"] = mint_token(
                keyring.signing_key,
                issuer=issuer,
                audience=grant.request.client_id,
                subject=grant.subject,
                roles=grant.roles,
                expires_in=access_token_lifetime,
                # Keycloak's marker; the API validator refuses anything but "Bearer".
                typ="ID",
                azp=grant.request.client_id,
                nonce=grant.request.nonce,
                auth_time=int(time.time()),
                preferred_username=grant.name,
                sid=grant.sid,
            )
        return JSONResponse(body, headers=_NO_STORE)

    @app.get(LOGOUT_PATH, response_class=HTMLResponse, include_in_schema=False)
    async def end_session(request: Request) -> Response:
        person = signed_in_person(request)
        if person is not None and person.get("sid"):
            await sign_ins.end(str(person["sid"]), keyring=keyring, issuer=issuer)
        target = request.query_params.get("post_logout_redirect_uri", "")
        if _is_web_url(target):
            state = request.query_params.get("state")
            response: Response = RedirectResponse(
                _with_query(target, {"state": state} if state else {}), status_code=302
            )
        else:
            response = HTMLResponse(_templates.get_template("signed_out.html").render())
        response.delete_cookie(SSO_COOKIE, path=REALM_PATH)
        return response


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class Participant:
    """A client that took part in a sign-in, and where it hears of its end."""

    client_id: str
    backchannel_logout_uri: str


class SignIns:
    """Which clients took part in which sign-in, to tell each when it ends.

    Keycloak keeps a back-channel logout URL per client; this provider, which knows no
    clients in advance, takes the address beside the client's redirect URI
    (`…/auth/callback` → `…/auth/backchannel-logout`).
    """

    def __init__(self) -> None:
        self._participants: dict[str, tuple[str, set[Participant]]] = {}

    def joined(self, sid: str, subject: str, request: AuthorizationRequest) -> None:
        uri = urljoin(request.redirect_uri.split("?", 1)[0], BACKCHANNEL_LOGOUT_NAME)
        if len(self._participants) >= _MAX_PENDING_CODES:
            self._participants.pop(next(iter(self._participants)))
        _, participants = self._participants.setdefault(sid, (subject, set()))
        participants.add(Participant(request.client_id, uri))

    async def end(self, sid: str, *, keyring: KeyRing, issuer: str) -> None:
        """Send every participant of `sid` a logout token (OIDC Back-Channel Logout 1.0)."""
        subject, participants = self._participants.pop(sid, ("", set()))
        if not participants:
            return
        async with httpx.AsyncClient(timeout=BACKCHANNEL_TIMEOUT_SECONDS) as client:
            await asyncio.gather(
                *(
                    _send_logout(client, participant, keyring, issuer, sid, subject)
                    for participant in participants
                )
            )


async def _send_logout(
    client: httpx.AsyncClient,
    participant: Participant,
    keyring: KeyRing,
    issuer: str,
    sid: str,
    subject: str,
) -> None:
    logout_token = mint_token(
        keyring.signing_key,
        issuer=issuer,
        audience=participant.client_id,
        subject=subject,
        roles=(),
        expires_in=120,
        typ="Logout",
        sid=sid,
        events={BACKCHANNEL_LOGOUT_EVENT: {}},
    )
    try:
        response = await client.post(
            participant.backchannel_logout_uri, data={"logout_token": logout_token}
        )
    except httpx.HTTPError as error:  # a tool that is down ends its sessions by expiry
        log.warning("back-channel logout to %s failed: %s", participant, error)
        return
    if response.status_code != 200:
        log.warning("back-channel logout to %s answered %s", participant, response.status_code)


def _sign_in_page(
    request: AuthorizationRequest,
    *,
    subject: str,
    name: str,
    chosen: set[str],
    chosen_teams: set[str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    html = _templates.get_template("signin.html").render(
        action=AUTHORIZE_PATH,
        hidden=request.hidden_fields(),
        client_id=request.client_id,
        subject=subject,
        name=name,
        roles=[(role.value, label) for role, label in ROLE_LABELS.items()],
        chosen=chosen,
        teams=DEV_TEAMS,
        chosen_teams=chosen_teams,
        errors=errors,
    )
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _refuse(refusal: RequestRefusal) -> Response:
    if refusal.redirect is None:
        html = _templates.get_template("invalid_request.html").render(
            description=refusal.description
        )
        return HTMLResponse(html, status_code=400)
    params = {"error": refusal.error, "error_description": refusal.description}
    if refusal.redirect.state is not None:
        params["state"] = refusal.redirect.state
    return RedirectResponse(_with_query(refusal.redirect.redirect_uri, params), status_code=303)


def _token_error(error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=400, headers=_NO_STORE
    )


def _basic_auth_client(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return None
    try:
        decoded = base64.b64decode(credentials).decode("utf-8")
    except ValueError:
        return None
    return decoded.partition(":")[0] or None


def _known_roles(names: Any) -> tuple[Role, ...]:
    known = {role.value for role in Role}
    if not isinstance(names, list | tuple | set):
        return ()
    return tuple(Role(name) for name in dict.fromkeys(names) if name in known)


def _known_teams(names: Any) -> tuple[str, ...]:
    if not isinstance(names, list | tuple | set):
        return ()
    return tuple(team for team in DEV_TEAMS if team in names)


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not parts.fragment


def _with_query(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode(params)
