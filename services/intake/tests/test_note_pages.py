"""Case notes in the staff tool: written, changed by the author while it may be, added to
by an addendum; another team finds no note page; errors at the fields."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_pages import notice, register


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


async def test_a_note_is_written_changed_locked_and_added_to(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient, intake_database: str
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    created = await register(browser, notice())
    household = created.headers["location"]
    assert "Vermerke zum Haushalt (nur für Ihr Team)" in (await browser.get(household)).text
    notes = f"{household}/vermerke"
    page = await browser.get(notes)
    assert page.status_code == 200
    token = form_token(page)

    refused = await browser.post(
        notes, data={"csrf_token": token, "category": "", "noted_on": "morgen", "text": ""}
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "category") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(refused, "text") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(refused, "noted_on").startswith("Bitte geben Sie ein Datum")

    written = await browser.post(
        notes,
        data={
            "csrf_token": token,
            "category": "hausbesuch",
            "noted_on": "01.12.2026",
            "member_id": "",
            "text": "Hausbesuch: Heizung defekt",
        },
    )
    assert written.status_code == 303, written.text
    listing = await browser.get(notes)
    assert "Der Vermerk ist gespeichert." in listing.text
    assert "Hausbesuch: Heizung defekt" in listing.text
    [note] = re.findall(rf'href="({re.escape(notes)}/[0-9a-f-]{{36}})"', listing.text)

    changed = await browser.post(
        f"{note}/aendern",
        data={
            "csrf_token": token,
            "category": "hausbesuch",
            "noted_on": "01.12.2026",
            "text": "Hausbesuch: Heizung defekt, Hausmeister informiert",
        },
    )
    assert changed.status_code == 303, changed.text

    connection = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        await connection.execute(
            "UPDATE case_note SET locked_after = now() - interval '1 second' WHERE id = $1",
            note.rsplit("/", 1)[-1],
        )
    finally:
        await connection.close()
    locked = await browser.get(note)
    assert "Vermerk ändern" not in locked.text
    late = await browser.post(
        f"{note}/aendern",
        data={"csrf_token": token, "category": "hausbesuch", "noted_on": "01.12.2026", "text": "x"},
    )
    assert late.status_code == 422
    assert error_next_to(late, "addendum").startswith("Der Vermerk kann nicht mehr geändert")

    empty = await browser.post(f"{note}/nachtrag", data={"csrf_token": token, "addendum": ""})
    assert empty.status_code == 422
    assert error_next_to(empty, "addendum") == "Bitte füllen Sie dieses Feld aus."
    added = await browser.post(
        f"{note}/nachtrag", data={"csrf_token": token, "addendum": "Heizung repariert"}
    )
    assert added.status_code == 303, added.text
    final = await browser.get(notes)
    assert "Heizung repariert" in final.text
    assert "Hausmeister informiert" in final.text

    async with tool_client(intake.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other, subject="sven", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Süd"]
        )
        assert (await other.get(notes)).status_code == 404
        assert (await other.get(note)).status_code == 404
