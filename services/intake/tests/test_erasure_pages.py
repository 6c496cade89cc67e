"""The erasure requests screen: the data-protection officer requests an erasure with a
reason and follows each service's confirmation; wrong entries answered at their field, in
German, values kept; nobody else gets in, and the start page leads the officer there."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

PATH = "/ui/loeschantraege"


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


async def test_the_officer_requests_an_erasure_and_sees_what_is_outstanding(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="dpo", roles=[Role.DATA_PROTECTION])
    start = await browser.get("/ui/")
    assert start.status_code == 303
    assert start.headers["location"].endswith(PATH)
    page = await browser.get(PATH)
    assert page.status_code == 200
    assert f'href="{PATH}"' in page.text  # in the tool's navigation
    assert "Haushalte</a>" not in page.text  # and nothing of the households

    refused = await browser.post(
        PATH,
        data={
            "csrf_token": form_token(page),
            "subject_kind": "",
            "subject_id": "Familie Karimi",
            "reason": "",
        },
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "subject_kind") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(refused, "subject_id").startswith("Geben Sie die Kennung so ein")
    assert error_next_to(refused, "reason")
    assert 'value="Familie Karimi"' in refused.text

    subject = uuid.uuid4()
    made = await browser.post(
        PATH,
        data={
            "csrf_token": form_token(page),
            "subject_kind": "household",
            "subject_id": str(subject),
            "reason": "Antrag der Person nach Art. 17 DSGVO",
        },
    )
    assert made.status_code == 303, made.text
    request_page = await browser.get(made.headers["location"])
    assert request_page.status_code == 200
    assert "Die Löschung ist beantragt" in request_page.text
    assert "Antrag der Person nach Art. 17 DSGVO" in request_page.text
    assert str(subject) in request_page.text
    # Intake erased its part at once; the other four have yet to confirm.
    assert request_page.text.count(">bestätigt<") == 1
    assert request_page.text.count(">ausstehend<") == 4
    listed = await browser.get(f"{PATH}?offen=1")
    assert "offen: 1 von 5 Diensten haben bestätigt" in listed.text


async def test_nobody_else_sees_the_erasure_requests(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER, Role.TEAM_LEAD])
    assert (await browser.get(PATH)).status_code == 403
    home = await browser.get("/ui/")
    assert home.status_code == 200
    assert f'href="{PATH}"' not in home.text
