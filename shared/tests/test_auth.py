"""Token validation and role checks against a development provider served over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import stat
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from teilhabe.auth import (
    AuthenticationError,
    Principal,
    Role,
    RoleGuard,
    TokenValidator,
    install_auth,
    public_endpoint,
    require_roles,
)
from teilhabe.auth.validator import BACKCHANNEL_LOGOUT_EVENT
from teilhabe.config import ServiceSettings
from teilhabe_dev.devprovider import (
    DISCOVERY_PATH,
    JWKS_PATH,
    TOKEN_PATH,
    DevProviderSettings,
    KeyRing,
    SigningKey,
    load_or_create_key,
    main,
    mint_token,
)
from teilhabe_dev.testing.auth import (
    RunningDevProvider,
    api_routes,
    routes_without_declared_roles,
    run_dev_provider,
)

PROTECTED = "/units"


class FakeClock:
    """Monotonic clock the tests move forward, to step past the JWKS refresh floor."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningDevProvider]:
    with run_dev_provider() as running:
        yield running


@pytest.fixture
def settings(provider: RunningDevProvider) -> ServiceSettings:
    return ServiceSettings(service_name="auth-test", **provider.oidc_settings())


def build_app(settings: ServiceSettings, validator: TokenValidator | None = None) -> FastAPI:
    app = FastAPI()
    install_auth(app, settings, validator=validator)

    @app.get(PROTECTED)
    async def units(
        principal: Annotated[Principal, require_roles(Role.HOUSING_OFFICER)],
    ) -> Principal:
        return principal

    @app.get("/health", dependencies=[public_endpoint()])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # Running the lifespan also closes the validator's HTTP client afterwards.
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client,
    ):
        yield client


@pytest.fixture
async def client(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(settings)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def valid_claims(provider: RunningDevProvider) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": provider.issuer,
        "aud": provider.audience,
        "sub": "officer-1",
        "iat": now,
        "exp": now + 300,
        "typ": "Bearer",
        "realm_access": {"roles": ["housing_officer"]},
    }


def unsigned_token(header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return signing_input + "."


# --- accepted tokens -------------------------------------------------------------------


async def test_valid_token_yields_principal(
    client: httpx.AsyncClient, provider: RunningDevProvider
) -> None:
    token = provider.mint(
        subject="officer-1",
        roles=[Role.HOUSING_OFFICER, Role.VOLUNTEER, "offline_access", "default-roles-teilhabe"],
        preferred_username="m.yilmaz",
        email="m.yilmaz@stadt.example",
        locale="de",
        teams=["Soziale Betreuung Nord"],
        team="housing-north",
        agency="sozialamt",
    )

    response = await client.get(PROTECTED, headers=bearer(token))

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body.pop("roles")) == {"housing_officer", "volunteer"}
    assert set(body.pop("teams")) == {"Soziale Betreuung Nord", "housing-north"}
    assert body == {
        "subject": "officer-1",
        "name": "m.yilmaz",
        "email": "m.yilmaz@stadt.example",
        "locale": "de",
        "agency": "sozialamt",
    }


async def test_token_from_the_providers_http_endpoint_is_accepted(
    client: httpx.AsyncClient, provider: RunningDevProvider
) -> None:
    base = provider.issuer.removesuffix("/realms/teilhabe")
    async with httpx.AsyncClient(base_url=base) as idp:
        discovery = (await idp.get(DISCOVERY_PATH)).json()
        issued = await idp.post(
            TOKEN_PATH, json={"subject": "officer-2", "roles": ["housing_officer"], "name": "a.b"}
        )
    assert discovery["issuer"] == provider.issuer
    assert discovery["jwks_uri"] == base + JWKS_PATH
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "Bearer"

    response = await client.get(PROTECTED, headers=bearer(issued.json()["access_token"]))

    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "officer-2"
    assert response.json()["name"] == "a.b"


async def test_provider_token_endpoint_rejects_unknown_roles(provider: RunningDevProvider) -> None:
    async with httpx.AsyncClient(base_url=provider.issuer.removesuffix("/realms/teilhabe")) as idp:
        response = await idp.post(TOKEN_PATH, json={"subject": "x", "roles": ["housing-officer"]})
    assert response.status_code == 422


async def test_public_route_needs_no_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).status_code == 200


# --- rejected tokens -------------------------------------------------------------------


async def test_missing_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(PROTECTED)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_non_bearer_scheme_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(PROTECTED, headers={"Authorization": "Basic dXNlcjpwdw=="})

    assert response.status_code == 401


def _wrong_audience(p: RunningDevProvider) -> str:
    return p.mint(subject="s", roles=[Role.HOUSING_OFFICER], aud="another-client")


def _wrong_issuer(p: RunningDevProvider) -> str:
    return p.mint(subject="s", roles=[Role.HOUSING_OFFICER], iss="http://evil.example/realms/x")


def _expired(p: RunningDevProvider) -> str:
    # Well past the 30 s leeway.
    return p.mint(subject="s", roles=[Role.HOUSING_OFFICER], expires_in=-120)


def _alg_none(p: RunningDevProvider) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": p.keys.signing_key.kid}
    return unsigned_token(header, valid_claims(p))


def _hs256_with_public_key(p: RunningDevProvider) -> str:
    # Algorithm confusion: a verifier that lets the token pick HS256 would use the
    # published key text as the HMAC secret, which anybody can do.
    header = {"alg": "HS256", "typ": "JWT", "kid": p.keys.signing_key.kid}
    signing_input = unsigned_token(header, valid_claims(p))[:-1]
    secret = p.keys.signing_key.public_pem().encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def _unknown_kid(p: RunningDevProvider) -> str:
    stranger = SigningKey.generate()
    return mint_token(
        stranger,
        issuer=p.issuer,
        audience=p.audience,
        subject="s",
        roles=[Role.HOUSING_OFFICER],
    )


def _known_kid_foreign_signature(p: RunningDevProvider) -> str:
    return mint_token(
        SigningKey.generate(),
        issuer=p.issuer,
        audience=p.audience,
        subject="s",
        roles=[Role.HOUSING_OFFICER],
        kid=p.keys.signing_key.kid,
    )


def _without_kid(p: RunningDevProvider) -> str:
    key = p.keys.signing_key
    return jwt.encode(valid_claims(p), key.private_key, algorithm=key.algorithm)


def _without_subject(p: RunningDevProvider) -> str:
    claims = valid_claims(p)
    del claims["sub"]
    key = p.keys.signing_key
    return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})


def _id_token(p: RunningDevProvider) -> str:
    return p.mint(subject="s", roles=[Role.HOUSING_OFFICER], typ="ID")


def _garbage(_: RunningDevProvider) -> str:
    return "not-a-jwt"


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (_wrong_audience, "audience"),
        (_wrong_issuer, "issuer"),
        (_expired, "expired"),
        (_alg_none, "algorithm"),
        (_hs256_with_public_key, "algorithm"),
        (_unknown_kid, "unknown key"),
        (_known_kid_foreign_signature, "signature"),
        (_without_kid, "key id"),
        (_without_subject, "sub"),
        (_id_token, "access token"),
        (_garbage, "malformed"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
async def test_invalid_token_is_401(
    client: httpx.AsyncClient,
    provider: RunningDevProvider,
    make_token: Callable[[RunningDevProvider], str],
    reason: str,
) -> None:
    response = await client.get(PROTECTED, headers=bearer(make_token(provider)))

    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert reason in response.json()["detail"]


async def test_valid_token_without_admitted_role_is_403(
    client: httpx.AsyncClient, provider: RunningDevProvider
) -> None:
    token = provider.mint(subject="c-1", roles=[Role.CASEWORKER, Role.ADMIN, "housing-officer"])

    response = await client.get(PROTECTED, headers=bearer(token))

    assert response.status_code == 403
    assert "housing_officer" in response.json()["detail"]


async def test_unreachable_provider_is_503_not_401(provider: RunningDevProvider) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings = ServiceSettings(
        service_name="auth-test",
        oidc_issuer=provider.issuer,
        oidc_audience=provider.audience,
        oidc_jwks_url=f"http://127.0.0.1:{closed_port}/certs",
    )
    token = provider.mint(subject="s", roles=[Role.HOUSING_OFFICER])
    async with serve(build_app(settings)) as client:
        response = await client.get(PROTECTED, headers=bearer(token))

        assert response.status_code == 503


# --- key rotation and refresh limits ---------------------------------------------------


class FetchCounter:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, request: httpx.Request) -> None:
        self.count += 1


@pytest.fixture
async def counted_client() -> AsyncIterator[tuple[httpx.AsyncClient, FetchCounter]]:
    counter = FetchCounter()
    async with httpx.AsyncClient(event_hooks={"request": [counter]}) as http:
        yield http, counter


@pytest.fixture
def rotating_provider() -> Iterator[RunningDevProvider]:
    # Its own provider, so rotating keys does not affect the other tests.
    with run_dev_provider() as running:
        yield running


async def test_rotated_key_is_picked_up_on_unknown_kid_refresh(
    rotating_provider: RunningDevProvider,
    counted_client: tuple[httpx.AsyncClient, FetchCounter],
) -> None:
    http, fetches = counted_client
    clock = FakeClock()
    settings = ServiceSettings(service_name="auth-test", **rotating_provider.oidc_settings())
    validator = TokenValidator.from_settings(settings, client=http, clock=clock)
    old_token = rotating_provider.mint(subject="s", roles=[Role.HOUSING_OFFICER])

    async with serve(build_app(settings, validator)) as client:
        assert (await client.get(PROTECTED, headers=bearer(old_token))).status_code == 200
        assert fetches.count == 1

        rotating_provider.keys.rotate(SigningKey.generate())
        new_token = rotating_provider.mint(subject="s", roles=[Role.HOUSING_OFFICER])
        clock.now += 11

        assert (await client.get(PROTECTED, headers=bearer(new_token))).status_code == 200
        assert (await client.get(PROTECTED, headers=bearer(old_token))).status_code == 200
        assert fetches.count == 2


async def test_unknown_kid_flood_refreshes_at_most_once_per_interval(
    provider: RunningDevProvider,
    settings: ServiceSettings,
    counted_client: tuple[httpx.AsyncClient, FetchCounter],
) -> None:
    http, fetches = counted_client
    clock = FakeClock()
    validator = TokenValidator.from_settings(settings, client=http, clock=clock)
    valid = provider.mint(subject="s", roles=[Role.HOUSING_OFFICER])
    stranger = SigningKey.generate()

    def forged(n: int) -> str:
        return mint_token(
            stranger,
            issuer=provider.issuer,
            audience=provider.audience,
            subject="s",
            roles=[Role.HOUSING_OFFICER],
            kid=f"invented-{n}",
        )

    async with serve(build_app(settings, validator)) as client:
        assert (await client.get(PROTECTED, headers=bearer(valid))).status_code == 200
        assert fetches.count == 1

        # Inside the floor: no refresh at all.
        clock.now += 5
        assert (await client.get(PROTECTED, headers=bearer(forged(0)))).status_code == 401
        assert fetches.count == 1

        # Past the floor: concurrent unknown kids share a single refresh.
        clock.now += 6
        responses = await asyncio.gather(
            *(client.get(PROTECTED, headers=bearer(forged(n))) for n in range(1, 30))
        )
        assert {r.status_code for r in responses} == {401}
        assert fetches.count == 2

        clock.now += 1
        assert (await client.get(PROTECTED, headers=bearer(forged(99)))).status_code == 401
        assert fetches.count == 2


# --- declarations ----------------------------------------------------------------------


def test_routes_without_declared_roles_finds_only_undeclared_routes(
    settings: ServiceSettings,
) -> None:
    app = build_app(settings)
    guarded = APIRouter(prefix="/cases", dependencies=[require_roles(Role.CASEWORKER)])

    @guarded.get("/{case_id}")
    async def case(case_id: str) -> dict[str, str]:
        return {"id": case_id}

    @guarded.delete("/{case_id}", dependencies=[])
    async def forget(case_id: str) -> None:
        return None

    open_router = APIRouter(prefix="/open")

    @open_router.get("/{case_id}")
    async def open_case(case_id: str) -> dict[str, str]:
        return {"id": case_id}

    @app.post("/undeclared")
    async def undeclared() -> None:
        return None

    app.include_router(guarded)
    app.include_router(open_router)
    pages = FastAPI()

    @pages.get("/page/{case_id}")
    async def page(case_id: str) -> dict[str, str]:
        return {"id": case_id}

    app.mount("/ui", pages)

    # Routes inside included routers and mounted apps are walked too.
    assert {route.label for route in api_routes(app)} >= {
        "GET /cases/{case_id}",
        "DELETE /cases/{case_id}",
        "GET /open/{case_id}",
        "GET /ui/page/{case_id}",
    }
    assert sorted(routes_without_declared_roles(app)) == [
        "GET /open/{case_id}",
        "GET /ui/page/{case_id}",
        "POST /undeclared",
    ]


def test_declared_roles_are_visible_per_route(settings: ServiceSettings) -> None:
    app = FastAPI()
    install_auth(app, settings)

    @app.get("/cases")
    async def cases(
        principal: Annotated[Principal, require_roles(Role.CASEWORKER, Role.ADMIN)],
    ) -> None:
        return None

    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == "/cases")
    guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, RoleGuard)]
    assert [g.declared_roles for g in guards] == [frozenset({Role.CASEWORKER, Role.ADMIN})]


def test_openapi_shows_bearer_scheme(settings: ServiceSettings) -> None:
    schema = build_app(settings).openapi()

    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Access token issued by the city's identity provider.",
    }
    assert schema["paths"][PROTECTED]["get"]["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/health"]["get"]


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()


@pytest.mark.parametrize("algorithms", [("HS256",), ("RS256", "none"), ()])
def test_validator_refuses_unsafe_algorithms(
    settings: ServiceSettings, algorithms: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match="algorithm"):
        TokenValidator.from_settings(settings.model_copy(update={"oidc_algorithms": algorithms}))


# --- development provider --------------------------------------------------------------


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / ".dev" / "oidc" / "signing-key.pem"

    first = load_or_create_key(path)
    second = load_or_create_key(path)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first.kid == second.kid
    assert first.algorithm == "RS256"


async def test_cli_token_is_accepted_by_a_provider_on_the_same_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key.pem"
    keys = load_or_create_key(key_file)
    with run_dev_provider(KeyRing(keys)) as running:
        provider_settings = DevProviderSettings(key_file=key_file, issuer=running.issuer)
        command = ["token", "--role", "housing_officer", "--subject", "cli-user", "--locale", "uk"]
        main(command, provider_settings)
        token = capsys.readouterr().out.strip()

        settings = ServiceSettings(service_name="auth-test", **running.oidc_settings())
        async with serve(build_app(settings)) as client:
            response = await client.get(PROTECTED, headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "cli-user"
    assert response.json()["locale"] == "uk"


# --- teams -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "teams_claim", "expected"),
    [
        # Keycloak's group mapper with "Full group path" on (its default) and off.
        (
            {"groups": ["/Soziale Betreuung Nord", "/Sozialamt/Leitung"]},
            "groups",
            {"Soziale Betreuung Nord", "Sozialamt/Leitung"},
        ),
        ({"groups": ["Soziale Betreuung Süd"]}, "groups", {"Soziale Betreuung Süd"}),
        ({"groups": "/Einzelgruppe"}, "groups", {"Einzelgruppe"}),
        ({"groups": ["", "/", 7]}, "groups", set()),
        ({"team": "Nord"}, "groups", {"Nord"}),
        ({"groups": ["/Nord"], "team": "Süd"}, "groups", {"Nord", "Süd"}),
        ({"org": {"teams": ["/Nord"]}, "groups": ["/Süd"]}, "org.teams", {"Nord"}),
        ({"groups": ["/Süd"]}, "teilhabe_teams", set()),
    ],
)
def test_teams_come_from_the_configured_group_claim(
    claims: dict[str, Any], teams_claim: str, expected: set[str]
) -> None:
    principal = Principal.from_claims({"sub": "anna", **claims}, teams_claim=teams_claim)
    assert principal.teams == expected


async def test_the_teams_claim_is_a_setting(provider: RunningDevProvider) -> None:
    settings = ServiceSettings(
        service_name="auth-test", oidc_teams_claim="teilhabe_teams", **provider.oidc_settings()
    )
    token = provider.mint(
        subject="anna",
        roles=[Role.HOUSING_OFFICER],
        teams=["Nord"],
        teilhabe_teams=["/Soziale Betreuung Süd"],
    )
    async with serve(build_app(settings)) as client:
        response = await client.get(PROTECTED, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["teams"] == ["Soziale Betreuung Süd"]


async def test_the_providers_token_endpoint_issues_teams_as_group_paths(
    provider: RunningDevProvider, client: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=provider.issuer.removesuffix("/realms/teilhabe")) as idp:
        issued = await idp.post(
            TOKEN_PATH,
            json={
                "subject": "anna",
                "roles": ["housing_officer"],
                "teams": ["Soziale Betreuung Nord"],
            },
        )
    token = issued.json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["groups"] == [
        "/Soziale Betreuung Nord"
    ]
    response = await client.get(PROTECTED, headers=bearer(token))
    assert response.json()["teams"] == ["Soziale Betreuung Nord"]


async def test_cli_token_carries_the_teams_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key.pem"
    keys = load_or_create_key(key_file)
    with run_dev_provider(KeyRing(keys)) as running:
        provider_settings = DevProviderSettings(key_file=key_file, issuer=running.issuer)
        teams = ["--team", "Soziale Betreuung Nord", "--team", "Soziale Betreuung Süd"]
        main(
            ["token", "--role", "housing_officer", "--subject", "cli-user", *teams],
            provider_settings,
        )
        token = capsys.readouterr().out.strip()
        settings = ServiceSettings(service_name="auth-test", **running.oidc_settings())
        async with serve(build_app(settings)) as client:
            response = await client.get(PROTECTED, headers=bearer(token))
    assert set(response.json()["teams"]) == {"Soziale Betreuung Nord", "Soziale Betreuung Süd"}


async def test_the_realm_address_the_readme_links_to_answers(
    provider: RunningDevProvider,
) -> None:
    async with httpx.AsyncClient() as browser:
        response = await browser.get(provider.issuer)
    assert response.status_code == 200
    realm = response.json()
    assert realm["realm"] == "teilhabe"
    assert realm["token-service"] == provider.issuer + "/protocol/openid-connect"
    assert realm["public_key"] in provider.keys.signing_key.public_pem().replace("\n", "")


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"sid": "s-1", "events": {BACKCHANNEL_LOGOUT_EVENT: {}}}, True),
        ({"events": {BACKCHANNEL_LOGOUT_EVENT: {}}}, True),  # sub alone names the person
        ({"sid": "s-1"}, False),  # no logout event: an ordinary token
        ({"sid": "s-1", "events": {"urn:other": {}}}, False),
        ({"sid": "s-1", "events": {BACKCHANNEL_LOGOUT_EVENT: {}}, "nonce": "n"}, False),
    ],
)
async def test_a_logout_token_is_checked_as_the_back_channel_logout_spec_says(
    settings: ServiceSettings,
    provider: RunningDevProvider,
    claims: dict[str, Any],
    accepted: bool,
) -> None:
    validator = TokenValidator.from_settings(settings)
    token = mint_token(
        provider.keys.signing_key,
        issuer=provider.issuer,
        audience="teilhabe-staff",
        subject="anna",
        roles=(),
        typ="Logout",
        **claims,
    )
    try:
        if accepted:
            verified = await validator.validate_logout_token(token, client_id="teilhabe-staff")
            assert verified["sub"] == "anna"
            with pytest.raises(AuthenticationError):  # never an access token
                await validator.authenticate(token)
            with pytest.raises(AuthenticationError):  # nor for another client
                await validator.validate_logout_token(token, client_id="teilhabe-intake")
        else:
            with pytest.raises(AuthenticationError):
                await validator.validate_logout_token(token, client_id="teilhabe-staff")
    finally:
        await validator.aclose()
