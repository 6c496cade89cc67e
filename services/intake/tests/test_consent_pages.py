"""The consent screen: a caseworker records a person's consent to share with an agency,
sees it, revokes it; wrong entries answered at their field, in German, values kept."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_pages import notice, register


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


async def test_a_caseworker_records_and_revokes_a_consent(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    saved = await register(browser, notice())
    household_path = saved.headers["location"]
    household = await browser.get(household_path)
    assert "Einwilligungen ansehen, erfassen und widerrufen" in household.text
    path = f"{household_path}/einwilligungen"
    page = await browser.get(path)
    assert page.status_code == 200
    assert "Für diesen Haushalt ist keine Einwilligung erfasst." in page.text
    member_id = page.text.split('<option value="', 2)[2].split('"', 1)[0]

    refused = await browser.post(
        path,
        data={
            "csrf_token": form_token(page),
            "member_id": "",
            "agency": "Jobcenter Coesfeld",
            "purpose": "arbeitsvermittlung",
            "granted_on": "31.02.2026",
            "evidence_reference": "Akte 4711",
        },
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "member_id") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(refused, "agency").startswith("Kurzname der Stelle")
    assert error_next_to(refused, "granted_on").startswith("Dieses Datum gibt es nicht")
    assert 'value="Jobcenter Coesfeld"' in refused.text

    form = {
        "csrf_token": form_token(page),
        "member_id": member_id,
        "agency": "jobcenter-kreis-coesfeld",
        "purpose": "arbeitsvermittlung",
        "granted_on": "21.11.2026",
        "evidence_reference": "Akte 4711, Blatt 3",
    }
    recorded = await browser.post(path, data=form)
    assert recorded.status_code == 303, recorded.text
    page = await browser.get(path)
    assert "Die Einwilligung ist erfasst." in page.text
    assert "jobcenter-kreis-coesfeld" in page.text
    assert "Akte 4711, Blatt 3" in page.text
    again = await browser.post(path, data=form)
    assert again.status_code == 422
    assert error_next_to(again, "agency").startswith("Die Einwilligung dieser Person")

    action = re.search(r'action="([^"]+/widerruf)"', page.text)
    assert action is not None
    action = action.group(1)
    revoked = await browser.post(action, data={"csrf_token": form_token(page)})
    assert revoked.status_code == 303, revoked.text
    page = await browser.get(path)
    assert "Die Einwilligung ist widerrufen" in page.text
    assert "Widerrufen</span>" not in page.text  # no button left
    twice = await browser.post(action, data={"csrf_token": form_token(page)})
    assert twice.status_code == 409
    assert "Diese Einwilligung ist bereits widerrufen." in twice.text
