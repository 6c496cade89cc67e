"""Refused requests leave a log line (route, reason, subject when known), never the token."""

from __future__ import annotations

from typing import Any

import httpx
from structlog.testing import capture_logs
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client


def refusals(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == "access_refused"]


async def test_401_and_403_of_the_api_are_logged_without_the_token(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl"
    volunteer = auth_headers(identity, Role.VOLUNTEER, subject="vera")
    with capture_logs() as logs:
        assert (await intake.get("/households")).status_code == 401
        forged_answer = await intake.get(
            "/households", headers={"Authorization": f"Bearer {forged}"}
        )
        assert forged_answer.status_code == 401
        assert (await intake.get("/households", headers=volunteer)).status_code == 403

    missing, invalid, forbidden = refusals(logs)
    assert (missing["status"], missing["route"], missing["reason"]) == (
        401,
        "/households",
        "missing bearer token",
    )
    assert (invalid["status"], invalid["subject"]) == (401, None)
    assert invalid["reason"]
    assert (forbidden["status"], forbidden["subject"]) == (403, "vera")
    assert "caseworker" in forbidden["reason"]
    token = volunteer["Authorization"].removeprefix("Bearer ")
    assert not any(forged in repr(entry) or token in repr(entry) for entry in logs)


async def test_a_refused_staff_page_is_logged_with_who_asked(intake: httpx.AsyncClient) -> None:
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        with capture_logs() as logs:
            anonymous = await browser.get("/ui/")
            await sign_in(browser, subject="vera", roles=[Role.VOLUNTEER])
            forbidden = await browser.get("/ui/")
    assert anonymous.status_code == 303
    assert forbidden.status_code == 403
    anonymous_entry, *_, forbidden_entry = refusals(logs)
    assert (anonymous_entry["status"], anonymous_entry["subject"]) == (401, None)
    assert (forbidden_entry["status"], forbidden_entry["subject"]) == (403, "vera")
    assert forbidden_entry["route"] == "/ui/"
