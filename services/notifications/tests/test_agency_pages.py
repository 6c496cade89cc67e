"""The administrators' page of partner agencies: register one, subscribe it to an event
(refused at the field where the subscription names what agencies may not have), end it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client


@pytest.fixture
async def browser(notifications: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(notifications.app) as client:  # type: ignore[attr-defined]
        yield client


async def test_an_administrator_keeps_the_agencies_and_what_they_hear_of(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="admin-pages", roles=[Role.ADMIN])
    page = await browser.get("/ui/partnerbehoerden")
    assert page.status_code == 200
    assert "Partnerbehörden" in page.text

    refused = await browser.post(
        "/ui/partnerbehoerden",
        data={"csrf_token": form_token(page), "agency_id": "Job Center", "display_name": ""},
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "display_name") == "Bitte füllen Sie dieses Feld aus."
    registered = await browser.post(
        "/ui/partnerbehoerden",
        data={
            "csrf_token": form_token(page),
            "agency_id": "jobcenter-pages",
            "display_name": "Jobcenter Kreis Coesfeld",
        },
    )
    assert registered.status_code == 303, registered.text
    page = await browser.get("/ui/partnerbehoerden")
    assert "Die Stelle jobcenter-pages ist eingetragen." in page.text

    form = {
        "csrf_token": form_token(page),
        "agency": "jobcenter-pages",
        "event_type": "household.moved_in",
        "purpose": "arbeitsvermittlung",
        "fields": "moved_in_on, names",
        "statutory": "on",
        "legal_basis": "",
    }
    refused = await browser.post("/ui/partnerbehoerden/abonnements", data=form)
    assert refused.status_code == 422
    assert error_next_to(refused, "fields").startswith("Feldnamen des Ereignisses")
    assert error_next_to(refused, "legal_basis").startswith("bei gesetzlich vorgesehener")
    assert 'value="moved_in_on, names"' in refused.text

    form |= {"fields": "moved_in_on", "statutory": "", "legal_basis": ""}
    subscribed = await browser.post("/ui/partnerbehoerden/abonnements", data=form)
    assert subscribed.status_code == 303, subscribed.text
    page = await browser.get("/ui/partnerbehoerden")
    assert "Die Stelle erfährt jetzt von household.moved_in." in page.text
    assert "Einwilligung der Person" in page.text

    end = re.search(r'action="([^"]+/beenden)"', page.text)
    assert end is not None
    ended = await browser.post(end.group(1), data={"csrf_token": form_token(page)})
    assert ended.status_code == 303
    page = await browser.get("/ui/partnerbehoerden")
    assert "Sie erfährt noch von nichts." in page.text


async def test_others_are_refused(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="cw-pages", roles=[Role.CASEWORKER])
    assert (await browser.get("/ui/partnerbehoerden")).status_code == 403
