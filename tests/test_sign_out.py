"""Sessions end at sign-out: a copied cookie is refused afterwards, in every tool.

One browser signs in to intake and housing (one sign-in at the provider serves both),
someone copies both session cookies, the person signs out in intake. Afterwards neither
copy opens a page: intake ended its own session, and the provider's back-channel logout
ended housing's. The cookie itself holds only a random id.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import System, provisioned_system

TOOLS = ["intake", "housing"]
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@pytest.fixture
async def tools(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, TOOLS) as system:
        processes = [system.prepare(service, "api") for service in TOOLS]
        for process in processes:
            system.processes.append(process.start(wait_ready=False))
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in processes))
        yield system


async def _sign_in(browser: httpx.AsyncClient, tool: str, *, first: bool) -> None:
    start = await browser.get(f"{tool}/ui/anmelden")
    assert start.status_code == 302
    authorize = await browser.get(start.headers["location"])
    if first:  # the provider's sign-in page; afterwards its own session answers at once
        assert authorize.status_code == 200
        request = dict(parse_qsl(urlsplit(start.headers["location"]).query))
        authorize = await browser.post(
            start.headers["location"].split("?")[0],
            data={**request, "subject": "anna", "roles": ["caseworker", "housing_officer"]},
        )
    assert authorize.status_code == 303, authorize.text
    callback = await browser.get(authorize.headers["location"])
    assert callback.status_code == 303, callback.text


async def _opens(tool: str, cookie_name: str, cookie: str) -> bool:
    """Whether a different browser holding only `cookie` is shown the tool's start page."""
    async with httpx.AsyncClient(cookies={cookie_name: cookie}) as thief:
        page = await thief.get(f"{tool}/ui/")
        return page.status_code == 200


async def test_a_copied_cookie_is_refused_after_sign_out_in_every_tool(tools: System) -> None:
    intake, housing = (tools.api(name).url for name in TOOLS)
    async with httpx.AsyncClient() as browser:
        await _sign_in(browser, intake, first=True)
        await _sign_in(browser, housing, first=False)
        copied = {name: browser.cookies[f"teilhabe_{name}_session"] for name in TOOLS}
        for value in copied.values():
            assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), "the cookie holds only an id"
        assert await _opens(intake, "teilhabe_intake_session", copied["intake"])
        assert await _opens(housing, "teilhabe_housing_session", copied["housing"])

        # Only the provider's signed logout token, for this tool's client, ends a session.
        sid = await tools.query("housing", "SELECT provider_session FROM staff_session")
        not_for_this_client = tools.identity.mint(
            subject="anna", roles=[], typ="Logout", sid=sid, events={LOGOUT_EVENT: {}}
        )
        access_token = tools.identity.mint(subject="anna", roles=["caseworker"], sid=sid)
        for forged in (not_for_this_client, access_token, "not a token"):
            refused = await browser.post(
                f"{housing}/ui/auth/backchannel-logout", data={"logout_token": forged}
            )
            assert refused.status_code == 400
        assert await _opens(housing, "teilhabe_housing_session", copied["housing"])

        start = await browser.get(f"{intake}/ui/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', start.text)
        assert token, "the start page offers the sign-out form"
        signed_out = await browser.post(
            f"{intake}/ui/abmelden", data={"csrf_token": token.group(1)}
        )
        assert signed_out.status_code in {302, 303}
        provider = await browser.get(signed_out.headers["location"])  # back-channel from here
        assert provider.status_code == 302

    assert not await _opens(intake, "teilhabe_intake_session", copied["intake"])
    assert not await _opens(housing, "teilhabe_housing_session", copied["housing"])
    rows = await tools.query("housing", "SELECT count(*) FROM staff_session")
    assert rows == 0
