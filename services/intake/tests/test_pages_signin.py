"""Sign-in of the staff pages against the development provider's code flow with PKCE."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from teilhabe.auth import AuthenticationError, Role, TokenValidator
from teilhabe.auth.jwks import JwksCache
from teilhabe_dev.devprovider import AUTHORIZE_PATH, DISCOVERY_PATH, OIDC_TOKEN_PATH, REALM_PATH
from teilhabe_dev.testing.auth import RunningDevProvider

CALLBACK = "http://tool.test/ui/auth/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def base(identity: RunningDevProvider) -> str:
    return identity.issuer.removesuffix(REALM_PATH)


async def authorize(
    identity: RunningDevProvider,
    challenge: str,
    *,
    roles: list[str],
    subject: str = "anna",
    teams: tuple[str, ...] = (),
    client: httpx.AsyncClient | None = None,
) -> str:
    """Sign in on the provider's page; returns the code sent to the callback."""
    params = {
        "client_id": "teilhabe-staff",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    async with httpx.AsyncClient(base_url=base(identity)) as own:
        browser = client or own
        page = await browser.get(AUTHORIZE_PATH, params=params)
        assert page.status_code == 200
        assert '<html lang="de">' in page.text
        assert "Nur für Entwicklung und Tests." in page.text
        answer = await browser.post(
            AUTHORIZE_PATH,
            data={
                **params,
                "subject": subject,
                "roles": roles,
                "teams": list(teams),
                "action": "x",
            },
        )
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["location"])
    query = parse_qs(location.query)
    assert query["state"] == ["s-1"]
    assert query["iss"] == [identity.issuer]
    return query["code"][0]


async def redeem(identity: RunningDevProvider, code: str, verifier: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base(identity)) as provider:
        return await provider.post(
            OIDC_TOKEN_PATH,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
                "client_id": "teilhabe-staff",
            },
        )


async def test_discovery_announces_the_code_flow(identity: RunningDevProvider) -> None:
    async with httpx.AsyncClient(base_url=base(identity)) as provider:
        document = (await provider.get(DISCOVERY_PATH)).json()
    assert document["authorization_endpoint"] == base(identity) + AUTHORIZE_PATH
    assert document["token_endpoint"] == base(identity) + OIDC_TOKEN_PATH
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["response_types_supported"] == ["code"]
    assert "end_session_endpoint" in document


async def test_code_with_pkce_gives_an_access_token_the_apis_accept(
    identity: RunningDevProvider,
) -> None:
    verifier, challenge = pkce()
    code = await authorize(
        identity, challenge, roles=["caseworker", "admin"], teams=("Soziale Betreuung Süd",)
    )
    issued = await redeem(identity, code, verifier)
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert body["token_type"] == "Bearer"

    validator = TokenValidator(
        issuer=identity.issuer,
        audience=identity.audience,
        algorithms=["RS256"],
        keys=JwksCache(identity.jwks_url),
    )
    try:
        principal = await validator.authenticate(body["access_token"])
        assert principal.subject == "anna"
        assert principal.roles == {Role.CASEWORKER, Role.ADMIN}
        assert principal.teams == {"Soziale Betreuung Süd"}
        # The ID token is for the client, never a key to the APIs.
        with pytest.raises(AuthenticationError):
            await validator.authenticate(body["id_token"])
    finally:
        await validator.aclose()
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["aud"] == "teilhabe-staff"
    assert claims["nonce"] == "n-1"


async def test_a_code_works_once_and_only_with_its_verifier(
    identity: RunningDevProvider,
) -> None:
    verifier, challenge = pkce()
    code = await authorize(identity, challenge, roles=["caseworker"])
    wrong = await redeem(identity, code, pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # A failed attempt used the code up, as a stolen code should be.
    assert (await redeem(identity, code, verifier)).json()["error"] == "invalid_grant"

    code = await authorize(identity, challenge, roles=["caseworker"])
    assert (await redeem(identity, code, verifier)).status_code == 200
    assert (await redeem(identity, code, verifier)).status_code == 400


async def test_requests_without_pkce_are_refused(identity: RunningDevProvider) -> None:
    async with httpx.AsyncClient(base_url=base(identity)) as provider:
        refused = await provider.get(
            AUTHORIZE_PATH,
            params={
                "client_id": "teilhabe-staff",
                "redirect_uri": CALLBACK,
                "response_type": "code",
                "state": "s-2",
            },
        )
        assert refused.status_code == 303
        query = parse_qs(urlsplit(refused.headers["location"]).query)
        assert query["error"] == ["invalid_request"]
        assert query["state"] == ["s-2"]

        no_client = await provider.get(AUTHORIZE_PATH, params={"redirect_uri": CALLBACK})
        assert no_client.status_code == 400, "never redirect for an unknown client"
        assert "Ungültige Anmeldeanfrage" in no_client.text


async def test_sign_in_page_shows_its_error_next_to_the_field(
    identity: RunningDevProvider,
) -> None:
    _, challenge = pkce()
    params = {
        "client_id": "teilhabe-staff",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "subject": "",
        "roles": ["caseworker"],
    }
    async with httpx.AsyncClient(base_url=base(identity)) as provider:
        page = await provider.post(AUTHORIZE_PATH, data=params)
    assert page.status_code == 422
    assert "Bitte geben Sie eine Kennung ein." in page.text
    assert 'aria-invalid="true"' in page.text
    assert 'id="role-caseworker" name="roles" value="caseworker" checked' in page.text


async def test_the_provider_remembers_who_signed_in_until_sign_out(
    identity: RunningDevProvider,
) -> None:
    verifier, challenge = pkce()
    async with httpx.AsyncClient(base_url=base(identity)) as browser:
        await authorize(identity, challenge, roles=["housing_officer"], client=browser)
        again = await browser.get(
            AUTHORIZE_PATH,
            params={
                "client_id": "teilhabe-staff",
                "redirect_uri": CALLBACK,
                "response_type": "code",
                "scope": "openid",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        assert again.status_code == 303, "single sign-on: no second sign-in page"
        code = parse_qs(urlsplit(again.headers["location"]).query)["code"][0]
        token = (await redeem(identity, code, verifier)).json()["access_token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["realm_access"]["roles"] == ["housing_officer"]

        await browser.get(f"{REALM_PATH}/protocol/openid-connect/logout")
        after = await browser.get(
            AUTHORIZE_PATH,
            params={
                "client_id": "teilhabe-staff",
                "redirect_uri": CALLBACK,
                "response_type": "code",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "prompt": "none",
            },
        )
        query = parse_qs(urlsplit(after.headers["location"]).query)
        assert query["error"] == ["login_required"]
