"""Allocation lists as files: upload, preview with each row's problems, import the good
households, skip notices registered already, keep the report; importing again adds nothing."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from openpyxl import Workbook
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

HEADINGS = [
    "Bescheidnummer",
    "Zuweisungsdatum",
    "Zuweisende Behörde",
    "Erwartete Ankunft",
    "Familienname",
    "Vorname",
    "Geburtsdatum",
    "Geschlecht",
    "Staatsangehörigkeit",
    "Sprachen",
    "Aufenthaltsstatus",
    "Aufenthaltsstatus gültig bis",
]
# Row (0-based, data rows) → (column, broken value, the reason the report gives).
BAD = {
    17: ("Geburtsdatum", "31.02.1990", "kein Datum"),
    50: ("Familienname", "", "fehlt"),
    88: ("Geschlecht", "unbekannt", "keiner der bekannten Werte"),
    120: ("Geburtsdatum", "01.01.2090", "Geburtsdatum liegt in der Zukunft"),
    150: ("Staatsangehörigkeit", "Syrien", "kein Ländercode"),
    201: ("Aufenthaltsstatus gültig bis", "", "braucht ein Ablaufdatum"),
    260: ("Zuweisungsdatum", "morgen", "kein Datum"),
    300: ("Aufenthaltsstatus", "Visum", "keiner der bekannten Werte"),
    333: ("Sprachen", "arabisch", "keine Sprachcodes"),
    370: ("Vorname", "", "fehlt"),
    404: ("Erwartete Ankunft", "01.01.2020", "Ankunft kann nicht vor der Zuweisung"),
    450: ("Zuweisungsdatum", "01.01.2090", "Zuweisungsdatum liegt in der Zukunft"),
    512: ("Geburtsdatum", "", "fehlt"),
    560: ("Geschlecht", "", "fehlt"),
    610: ("Zuweisende Behörde", "", "fehlt"),
    666: ("Geburtsdatum", "1990/05/01", "kein Datum"),
    720: ("Staatsangehörigkeit", "1", "kein Ländercode"),
    801: ("Aufenthaltsstatus", "", "fehlt"),
    870: ("Familienname", "x" * 201, "zu lang"),
    990: ("Erwartete Ankunft", "bald", "kein Datum"),
}
REGISTERED = [5, 99, 180, 250, 399, 500, 640, 777, 888, 999]


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


def list_rows(prefix: str) -> list[list[str]]:
    rows = []
    for index in range(1000):
        row = {
            "Bescheidnummer": f"{prefix}-{index:04d}",
            "Zuweisungsdatum": "20.11.2026",
            "Zuweisende Behörde": "Bezirksregierung Arnsberg",
            "Erwartete Ankunft": "27.11.2026",
            "Familienname": f"Importiert{index}",
            "Vorname": "Amina",
            "Geburtsdatum": "14.03.1988",
            "Geschlecht": "w",
            "Staatsangehörigkeit": "SYR",
            "Sprachen": "ar, en",
            "Aufenthaltsstatus": "Aufenthaltsgestattung",
            "Aufenthaltsstatus gültig bis": "20.05.2027",
        }
        if index in BAD:
            column, value, _ = BAD[index]
            row[column] = value
        if index in REGISTERED:
            # Registered before as "BRA-…"; the list writes it in small letters, spaced.
            row["Bescheidnummer"] = f"  {prefix.lower()}-{index:04d} "
        rows.append([row[h] for h in HEADINGS])
    return rows


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return out.getvalue().encode("cp1252")  # as an older Excel saves it


async def upload(browser: httpx.AsyncClient, name: str, content: bytes) -> httpx.Response:
    page = await browser.get("/ui/zuweisungen/import")
    return await browser.post(
        "/ui/zuweisungen/import",
        data={"csrf_token": form_token(page)},
        files={"file": (name, content)},
    )


async def confirm(browser: httpx.AsyncClient, report_url: str) -> httpx.Response:
    page = await browser.get(report_url)
    return await browser.post(report_url + "/importieren", data={"csrf_token": form_token(page)})


def cell_rows(html: str, table: str) -> list[int]:
    section = re.split(f"<table[^>]* data-{table}>", html, maxsplit=1)[1].split("</table>", 1)[0]
    return [
        int(row)
        for row in re.findall(
            r'<th class="kern-table__header numeric" scope="row">(\d+)</th>', section
        )
    ]


async def count_households(database: str, prefix: str) -> int:
    db = await asyncpg.connect(asyncpg_dsn(database))
    try:
        return int(
            await db.fetchval(
                "SELECT count(*) FROM household WHERE allocation_notice_number LIKE $1",
                f"{prefix}-%",
            )
        )
    finally:
        await db.close()


async def test_a_list_of_a_thousand_rows_imports_the_good_ones_and_reports_the_rest(
    browser: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
) -> None:
    prefix = f"IMP{uuid.uuid4().hex[:6].upper()}"
    rows = list_rows(prefix)
    # Ten of the list's notices are registered already (through the API, for machines).
    registered = await intake.post(
        "/households/import",
        json={
            "allocations": [
                {
                    "allocation_notice_number": f"{prefix}-{index:04d}",
                    "allocated_on": "2026-11-20",
                    "allocating_authority": "Bezirksregierung Arnsberg",
                    "members": [
                        {
                            "given_name": "Omar",
                            "family_name": "Vorher",
                            "date_of_birth": "1980-01-01",
                            "sex": "male",
                            "nationality": "SYR",
                            "residence_status": "niederlassungserlaubnis",
                        }
                    ],
                }
                for index in REGISTERED
            ]
        },
        headers=auth_headers(identity, Role.CASEWORKER),
    )
    assert registered.status_code == 201, registered.text
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])

    started = time.perf_counter()
    uploaded = await upload(browser, "Zuweisungsliste November.xlsx", as_xlsx(rows))
    previewed = time.perf_counter() - started
    assert uploaded.status_code == 303, uploaded.text
    report_url = uploaded.headers["location"]
    preview = await browser.get(report_url)
    assert "Vorschau von Zuweisungsliste November.xlsx" in preview.text
    assert "data-problem-rows>20<" in preview.text
    assert "data-skipped-count>10<" in preview.text
    assert "data-ready>970<" in preview.text
    # Each bad row named by its row in the spreadsheet (the headings are row 1), its
    # column and the reason, in German.
    assert sorted(set(cell_rows(preview.text, "problems"))) == sorted(index + 2 for index in BAD)
    for index, (column, _, reason) in BAD.items():
        row_html = preview.text.split(f'scope="row">{index + 2}</th>', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="kern-table__cell">{column}</td>' in row_html, index
        assert reason in row_html, (index, row_html)
    assert cell_rows(preview.text, "skipped") == [index + 2 for index in REGISTERED]
    assert f"{prefix}-0005" in preview.text
    assert await count_households(intake_database, prefix) == 10, "a preview registers nothing"

    started = time.perf_counter()
    imported = await confirm(browser, report_url)
    took = time.perf_counter() - started
    assert imported.status_code == 303, imported.text
    assert await count_households(intake_database, prefix) == 980
    print(f"1,000 rows: preview {previewed:.2f} s, import of 970 households {took:.2f} s")
    assert took < 30

    report = await browser.get(report_url)
    assert "970 Haushalte sind importiert." in report.text
    assert "Import von Zuweisungsliste November.xlsx" in report.text
    assert "data-imported>970 (" in report.text
    assert "Die Haushalte importieren" not in report.text
    # Each household is registered as if one at a time: its events, its audit entry.
    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        assigned = await db.fetchval(
            "SELECT count(*) FROM outbox_message WHERE event_type = 'household.assigned'"
            " AND convert_from(body, 'UTF8') LIKE $1",
            f"%{prefix}-%",
        )
        audited = await db.fetchval(
            "SELECT count(*) FROM audit_entry a JOIN household h ON a.resource_id = h.id::text"
            " WHERE a.action = 'create' AND a.actor = 'anna'"
            " AND h.allocation_notice_number LIKE $1",
            f"{prefix}-%",
        )
        draft = await db.fetchval("SELECT count(*) FROM allocation_import_draft")
    finally:
        await db.close()
    assert assigned == 980  # the ten registered before, and the 970
    assert audited == 970
    assert draft == 0, "the waiting households go once imported"

    # Confirming twice imports nothing more.
    twice = await browser.post(report_url + "/importieren", data={"csrf_token": form_token(report)})
    assert twice.status_code == 409
    assert "Diese Liste ist bereits importiert." in twice.text

    # The same list again, now as a CSV from an older Excel: nothing to add.
    again = await upload(browser, "Zuweisungsliste November.csv", as_csv(rows))
    assert again.status_code == 303, again.text
    second = await browser.get(again.headers["location"])
    assert "data-skipped-count>980<" in second.text
    assert "data-ready>0<" in second.text
    assert "data-problem-rows>20<" in second.text
    assert "Kein Haushalt dieser Liste kann importiert werden." in second.text
    nothing = await confirm(browser, again.headers["location"])
    assert nothing.status_code == 303
    assert await count_households(intake_database, prefix) == 980

    # The reports stay, to be read later, and download as a file.
    listed = await browser.get("/ui/zuweisungen/import")
    assert report_url in listed.text
    assert again.headers["location"] in listed.text
    as_file = await browser.get(report_url, params={"download": "csv"})
    lines = as_file.content.decode("utf-8-sig").strip().split("\r\n")
    assert lines[0] == "Zeile;Spalte;Zuweisungsbescheid;Grund"
    named = {int(line.split(";")[0]) for line in lines[1:]}
    assert named == {index + 2 for index in (*BAD, *REGISTERED)}


async def test_another_team_does_not_see_the_report_and_a_file_is_checked(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    prefix = f"IMP{uuid.uuid4().hex[:6].upper()}"
    uploaded = await upload(browser, "liste.xlsx", as_xlsx(list_rows(prefix)[:3]))
    report_url = uploaded.headers["location"]

    async with tool_client(intake.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other, subject="otto", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Süd"]
        )
        assert (await other.get(report_url)).status_code == 404
        refused = await confirm_without_page(other, report_url)
        assert refused.status_code == 404
        imports = await other.get("/ui/zuweisungen/import")
        assert report_url not in imports.text

    not_a_list = await upload(browser, "brief.pdf", b"%PDF-1.7 not a list")
    assert not_a_list.status_code == 422
    assert "weder eine CSV-Datei noch eine Excel-Arbeitsmappe" in error_next_to(not_a_list, "file")
    no_columns = await upload(browser, "liste.csv", b"Name;Vorname\nA;B\n")
    assert "Es fehlen diese Spalten: Bescheidnummer, Zuweisungsdatum" in error_next_to(
        no_columns, "file"
    )
    page = await browser.get("/ui/zuweisungen/import")
    nothing = await browser.post(
        "/ui/zuweisungen/import", data={"csrf_token": form_token(page)}, files={"file": ("", b"")}
    )
    assert error_next_to(nothing, "file") == "Bitte wählen Sie die Datei der Liste."


async def confirm_without_page(client: httpx.AsyncClient, report_url: str) -> httpx.Response:
    page = await client.get("/ui/zuweisungen/import")
    return await client.post(report_url + "/importieren", data={"csrf_token": form_token(page)})


async def test_an_erased_household_leaves_no_trace_in_the_reports(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    prefix = f"IMP{uuid.uuid4().hex[:6].upper()}"
    rows = list_rows(prefix)[:3]
    first = await upload(browser, "liste.csv", as_csv(rows))
    assert (await confirm(browser, first.headers["location"])).status_code == 303
    again = await upload(browser, "liste.csv", as_csv(rows))
    report_url = again.headers["location"]
    assert f"{prefix}-0001" in (await browser.get(report_url)).text

    listed = await intake.get(
        "/households",
        params={"q": f"{prefix}-0001"},
        headers=auth_headers(identity, Role.CASEWORKER),
    )
    [household] = listed.json()["items"]
    erased = await intake.post(
        "/erasure-requests",
        json={"subject_kind": "household", "subject_id": household["id"], "reason": "Art. 17"},
        headers=auth_headers(identity, Role.DATA_PROTECTION),
    )
    assert erased.status_code == 201, erased.text
    report = await browser.get(report_url)
    assert f"{prefix}-0001" not in report.text
    assert f"{prefix}-0002" in report.text


async def test_an_erased_household_leaves_the_preview_waiting_for_its_confirmation(
    browser: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
) -> None:
    """A preview keeps its households' people by name until confirmed: the erasure of one
    registered meanwhile (by hand, its notice typed differently) takes it out, so that the
    confirmation does not register it again."""
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    prefix = f"IMP{uuid.uuid4().hex[:6].upper()}"
    rows = list_rows(prefix)[:3]
    preview = await upload(browser, "liste.csv", as_csv(rows))
    report_url = preview.headers["location"]

    caseworker = auth_headers(identity, Role.CASEWORKER)
    by_hand = {
        "allocation_notice_number": f" {prefix.lower()}-0001",
        "allocated_on": "2026-11-20",
        "allocating_authority": "Bezirksregierung Arnsberg",
        "members": [
            {
                "given_name": "Amina",
                "family_name": "Importiert1",
                "date_of_birth": "1988-03-14",
                "sex": "female",
                "nationality": "SYR",
                "residence_status": "aufenthaltsgestattung",
                "residence_status_expires_on": "2027-05-20",
            }
        ],
    }
    registered = await intake.post("/households", json=by_hand, headers=caseworker)
    assert registered.status_code == 201, registered.text
    erased = await intake.post(
        "/erasure-requests",
        json={
            "subject_kind": "household",
            "subject_id": registered.json()["id"],
            "reason": "Art. 17",
        },
        headers=auth_headers(identity, Role.DATA_PROTECTION),
    )
    assert erased.status_code == 201, erased.text

    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        drafts = await db.fetch("SELECT households::text FROM allocation_import_draft")
    finally:
        await db.close()
    # This test's preview only: the module's other tests leave previews of their own lists.
    [mine] = [d[0] for d in drafts if prefix in d[0]]
    assert f"{prefix}-0001" not in mine
    assert '"Importiert1"' not in mine
    assert f"{prefix}-0002" in mine
    assert [d for d in drafts if f"{prefix}-0002" in d[0]]

    assert (await confirm(browser, report_url)).status_code == 303
    assert await count_households(intake_database, prefix) == 2  # rows 0 and 2, not 1
