"""The development identity provider's sign-in, in-process: what the staff tools rely on.

Authorization code flow with PKCE (RFC 6749, RFC 7636), single sign-on across the tools,
refusals as the RFC says (shown, or sent back to the client), and the end of a sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from teilhabe_dev.devprovider import DEFAULT_AUDIENCE, KeyRing, SigningKey, create_app
from teilhabe_dev.devprovider.paths import (
    AUTHORIZE_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    LOGOUT_PATH,
    OIDC_TOKEN_PATH,
)

BASE = "http://idp.test"
ISSUER = f"{BASE}/realms/teilhabe"
CLIENT = "teilhabe-staff"
CALLBACK = "http://tool.test/ui/auth/callback"


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization(verifier: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": CLIENT,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "code_challenge": challenge(verifier),
        "code_challenge_method": "S256",
        "scope": "openid profile",
        "state": "st-1",
        "nonce": "n-1",
        **extra,
    }


def query_of(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def keys() -> KeyRing:
    return KeyRing(SigningKey.generate())


@pytest.fixture
async def provider(keys: KeyRing) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(keys, issuer=ISSUER)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def sign_in(
    provider: httpx.AsyncClient, verifier: str, *roles: str, subject: str = "anna"
) -> httpx.Response:
    form: dict[str, Any] = {
        **authorization(verifier),
        "subject": subject,
        "name": "Anna Schulte",
        "roles": list(roles),
        "teams": ["Soziale Betreuung Nord"],
    }
    return await provider.post(AUTHORIZE_PATH, data=form)


async def redeem(
    provider: httpx.AsyncClient, code: str, verifier: str, **extra: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        **extra,
    }
    return await provider.post(OIDC_TOKEN_PATH, data=form)


async def test_discovery_names_every_endpoint_under_the_issuer_and_the_keys_verify(
    provider: httpx.AsyncClient, keys: KeyRing
) -> None:
    found = (await provider.get(DISCOVERY_PATH)).json()
    assert found["issuer"] == ISSUER
    assert found["code_challenge_methods_supported"] == ["S256"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "end_session_endpoint"):
        assert found[endpoint].startswith(ISSUER + "/protocol/openid-connect/")
    jwks = (await provider.get(JWKS_PATH)).json()
    assert [key["kid"] for key in jwks["keys"]] == [keys.signing_key.kid]


async def test_sign_in_gives_a_code_the_client_redeems_once_for_signed_tokens(
    provider: httpx.AsyncClient, keys: KeyRing
) -> None:
    verifier = secrets.token_urlsafe(48)
    page = await provider.get(AUTHORIZE_PATH, params=authorization(verifier))
    assert page.status_code == 200
    assert "no-store" in page.headers["cache-control"]
    assert 'name="subject"' in page.text

    answer = await sign_in(provider, verifier, "caseworker", "team_lead")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(CALLBACK + "?")
    back = query_of(answer)
    assert (back["state"], back["iss"]) == ("st-1", ISSUER)

    tokens = await redeem(provider, back["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    public = keys.signing_key.public_pem()
    algorithms = [keys.signing_key.algorithm]
    access = jwt.decode(body["access_token"], public, algorithms, audience=DEFAULT_AUDIENCE)
    assert access["iss"] == ISSUER
    assert access["sub"] == "anna"
    assert access["realm_access"]["roles"] == ["caseworker", "team_lead"]
    assert access["groups"] == ["/Soziale Betreuung Nord"]
    assert access["email"] == "anna@duelmen.de"
    assert access["azp"] == CLIENT
    identity = jwt.decode(body["id_token"], public, algorithms, audience=CLIENT)
    assert (identity["nonce"], identity["sid"]) == ("n-1", access["sid"])

    again = await redeem(provider, back["code"], verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant", "a code is good once"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"code_verifier": "another-verifier-of-enough-length-for-pkce-000000"}, "code_verifier"),
        ({"redirect_uri": "http://elsewhere.test/callback"}, "redirect_uri"),
        ({"client_id": "another-client"}, "another client"),
    ],
)
async def test_a_code_is_refused_to_anyone_but_the_client_that_asked_for_it(
    provider: httpx.AsyncClient, change: dict[str, str], why: str
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = query_of(await sign_in(provider, verifier, "caseworker"))["code"]
    refused = await redeem(provider, code, verifier, **change)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert why in refused.json()["error_description"]


async def test_wrong_input_is_shown_at_its_fields_all_at_once_and_kept(
    provider: httpx.AsyncClient,
) -> None:
    form = {**authorization("v" * 43), "subject": "", "name": "Anna", "roles": ["wizard"]}
    page = await provider.post(AUTHORIZE_PATH, data=form)
    assert page.status_code == 422
    assert "Bitte geben Sie eine Kennung ein." in page.text
    assert "Bitte wählen Sie nur Rollen aus der Liste." in page.text
    assert 'value="Anna"' in page.text


async def test_without_a_trustworthy_client_the_error_is_shown_never_redirected(
    provider: httpx.AsyncClient,
) -> None:
    params = authorization("v" * 43)
    for broken in ({**params, "client_id": ""}, {**params, "redirect_uri": "javascript:x"}):
        shown = await provider.get(AUTHORIZE_PATH, params=broken)
        assert shown.status_code == 400
        assert "location" not in shown.headers


async def test_a_request_without_pkce_or_a_cancelled_sign_in_goes_back_with_an_error(
    provider: httpx.AsyncClient,
) -> None:
    params = authorization("v" * 43)
    del params["code_challenge"]
    without_pkce = await provider.get(AUTHORIZE_PATH, params=params)
    assert query_of(without_pkce)["error"] == "invalid_request"
    cancelled = await provider.post(
        AUTHORIZE_PATH, data={**authorization("v" * 43), "action": "cancel"}
    )
    assert (query_of(cancelled)["error"], query_of(cancelled)["state"]) == (
        "access_denied",
        "st-1",
    )


async def test_one_sign_in_serves_every_tool_until_it_ends(provider: httpx.AsyncClient) -> None:
    verifier = secrets.token_urlsafe(48)
    unknown = await provider.get(AUTHORIZE_PATH, params=authorization(verifier, prompt="none"))
    assert query_of(unknown)["error"] == "login_required"
    await sign_in(provider, verifier, "housing_officer")

    # Another tool asks: no page, a code at once, for the same person.
    other = await provider.get(AUTHORIZE_PATH, params=authorization(verifier))
    assert other.status_code == 303
    tokens = (await redeem(provider, query_of(other)["code"], verifier)).json()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["realm_access"]["roles"]) == ("anna", ["housing_officer"])
    # Asked to sign in again, the page offers what was chosen before.
    again = await provider.get(AUTHORIZE_PATH, params=authorization(verifier, prompt="login"))
    assert again.status_code == 200
    assert 'value="anna"' in again.text

    ended = await provider.get(
        LOGOUT_PATH,
        params={"post_logout_redirect_uri": "http://tool.test/ui/", "state": "bye"},
    )
    assert ended.status_code == 302
    assert ended.headers["location"] == "http://tool.test/ui/?state=bye"
    after = await provider.get(AUTHORIZE_PATH, params=authorization(verifier))
    assert after.status_code == 200, "signed out: the sign-in page again"
