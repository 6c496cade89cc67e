"""The data-protection officer reads the audit trail of a household or of a caseworker."""

from __future__ import annotations

import httpx
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_api import allocation


async def test_the_officer_reads_a_households_trail_and_the_reading_is_audited(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-trail")
    officer = auth_headers(identity, Role.DATA_PROTECTION, subject="dpo-1")
    created = await intake.post("/households", json=allocation(), headers=caseworker)
    assert created.status_code == 201, created.text
    household = created.json()["id"]
    assert (await intake.get(f"/households/{household}", headers=caseworker)).status_code == 200

    record = {"resource_type": "household", "resource_id": household}
    trail = await intake.get("/audit", params=record, headers=officer)
    assert trail.status_code == 200, trail.text
    actions = [(item["actor"], item["action"]) for item in trail.json()["items"]]
    assert ("cw-trail", "read") in actions
    assert all(actor == "cw-trail" for actor, _ in actions)

    again = (await intake.get("/audit", params=record, headers=officer)).json()["items"]
    assert (again[0]["actor"], again[0]["action"]) == ("dpo-1", "read_audit_trail")

    by_actor = await intake.get("/audit", params={"actor": "cw-trail"}, headers=officer)
    assert {item["resource_id"] for item in by_actor.json()["items"]} >= {household}
    by_officer = await intake.get("/audit", params={"actor": "dpo-1"}, headers=officer)
    assert {item["resource_type"] for item in by_officer.json()["items"]} == {
        "household",
        "actor",
    }


async def test_only_the_officer_reads_the_trail_and_the_officer_reads_no_case(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-trail")
    officer = auth_headers(identity, Role.DATA_PROTECTION, subject="dpo-1")
    assert (
        await intake.get("/audit", params={"actor": "x"}, headers=caseworker)
    ).status_code == 403
    assert (await intake.get("/households", headers=officer)).status_code == 403

    nothing = await intake.get("/audit", headers=officer)
    assert nothing.status_code == 422
    assert nothing.json()["errors"][0]["field"] == "resource_type"
    half = await intake.get("/audit", params={"resource_type": "household"}, headers=officer)
    assert half.status_code == 422
    assert half.json()["errors"][0]["field"] == "resource_id"


async def test_the_trail_page_shows_who_read_a_household(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-page")
    created = await intake.post("/households", json=allocation(), headers=caseworker)
    household = created.json()["id"]
    await intake.get(f"/households/{household}", headers=caseworker)
    path = f"/ui/zugriffsprotokoll?resource_type=household&resource_id={household}"

    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="dpo-2", roles=[Role.DATA_PROTECTION], next_path=path)
        page = await browser.get(path)
        assert page.status_code == 200
        assert "Zugriffsprotokoll" in page.text
        assert "cw-page" in page.text
        blank = await browser.get("/ui/zugriffsprotokoll?resource_type=household")
        assert blank.status_code == 422
        assert "zusammen mit seiner Art" in blank.text
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="cw-page", roles=[Role.CASEWORKER])
        assert (await browser.get(path)).status_code == 403
