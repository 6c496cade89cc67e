"""The volunteers tool's lists as files (CSV as German Excel opens it, XLSX): the registry
for coordinators, the shifts for whoever sees the board (who holds the slots for
coordinators alone), the help requests for staff; scoped as the pages, audited as exports."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import httpx
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_pages import german, unique
from .test_shift_pages import coordinator, plan, volunteer_browser  # noqa: F401
from .test_shifts import fetch


def rows(download: httpx.Response) -> list[list[str]]:
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))


async def exported(database: str, volunteer_id: str) -> int:
    found = await fetch(
        database,
        "SELECT count(*) AS n FROM audit_entry WHERE action = 'export' AND resource_id = $1",
        volunteer_id,
    )
    return int(found[0]["n"])


async def test_a_coordinator_downloads_the_registry_as_filtered(
    coordinator: httpx.AsyncClient,  # noqa: F811
    volunteers_database: str,
) -> None:
    skill = f"Nachhilfe{unique()}"
    page = await coordinator.get("/ui/ehrenamtliche/neu")
    name = f"Jutta Brinkmann {unique()}"
    registered = await coordinator.post(
        "/ui/ehrenamtliche/neu",
        data={
            "csrf_token": form_token(page),
            "display_name": name,
            "email": f"jutta.{unique()}@example.org",
            "phone": "+49 2594 12345",
            "preferred_language": "de",
            "languages": "de, fa",
            "skills": skill,
            "available_weekdays": ["tue", "thu"],
            "availability_note": "nachmittags",
            "subject": "",
        },
    )
    assert registered.status_code == 303, registered.text
    volunteer_id = registered.headers["location"].rsplit("/", 1)[1]
    listed = await coordinator.get("/ui/", params={"skill": skill})
    assert "download=csv" in listed.text
    table = rows(await coordinator.get("/ui/", params={"skill": skill, "download": "csv"}))
    assert table[0] == [
        "Name",
        "E-Mail-Adresse",
        "Telefon",
        "Sprachen",
        "Fähigkeiten und Interessen",
        "Verfügbarkeit",
        "Hinweis zur Verfügbarkeit",
    ]
    assert len(table) == 2, "the filter holds"
    assert table[1][0] == name
    assert table[1][2:] == [
        "'+49 2594 12345",  # defused: a spreadsheet would take a leading + for a formula
        "Deutsch, Persisch (Farsi)",
        skill,
        "Dienstag, Donnerstag",
        "nachmittags",
    ]
    assert await exported(volunteers_database, volunteer_id) == 1
    excel = await coordinator.get("/ui/", params={"skill": skill, "download": "xlsx"})
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    assert sheet["A2"].value == name


async def test_shifts_download_with_who_holds_the_slots_for_coordinators_alone(
    volunteers: httpx.AsyncClient,
    coordinator: httpx.AsyncClient,  # noqa: F811
) -> None:
    shift = await plan(coordinator, children=False, slots="2")
    _, helper_client, helper = await volunteer_browser(volunteers, coordinator)
    async with helper_client as client:
        await sign_in(client, subject=helper, roles=[Role.VOLUNTEER])
        page = await client.get(shift)
        taken = await client.post(f"{shift}/eintragen", data={"csrf_token": form_token(page)})
        assert taken.status_code == 303, taken.text
        own = rows(await client.get("/ui/schichten", params={"download": "csv"}))
        assert "Eingetragen" not in own[0], "no volunteer sees who else comes"
    board = await coordinator.get("/ui/schichten")
    assert "download=xlsx" in board.text
    table = rows(await coordinator.get("/ui/schichten", params={"download": "csv"}))
    assert table[0][-1] == "Eingetragen"
    title = (await coordinator.get(shift)).text.split('<h1 class="kern-heading-large">')[1]
    [row] = [r for r in table[1:] if title.startswith(r[0])]
    assert row[4:8] == ["2", "1", "nein", "nein"]
    assert row[8], "the volunteer's name"


async def test_staff_download_their_help_requests_with_who_comes(
    volunteers: httpx.AsyncClient,
    coordinator: httpx.AsyncClient,  # noqa: F811
) -> None:
    async with tool_client(volunteers.app) as caseworker:  # type: ignore[attr-defined]
        await sign_in(caseworker, subject=f"cw-{unique()}", roles=[Role.CASEWORKER])
        page = await caseworker.get("/ui/hilfeanfragen")
        title = f"Begleitung zur Ausländerbehörde {uuid.uuid4().hex[:6]}"
        asked = await caseworker.post(
            "/ui/hilfeanfragen",
            data={
                "csrf_token": form_token(page),
                "title": title,
                "place": "Kreishaus Coesfeld",
                "language": "uk",
                "skill": "",
                "day": german(today() + timedelta(days=4)),
                "starts": "09:00",
                "ends": "10:30",
            },
        )
        assert asked.status_code == 303, asked.text
        table = rows(await caseworker.get("/ui/hilfeanfragen", params={"download": "csv"}))
        assert table[0][:3] == ["Was gebraucht wird", "Fähigkeit", "Sprache"]
        [row] = [r for r in table[1:] if r[0] == title]
        assert row[2:4] == ["Ukrainisch", "Kreishaus Coesfeld"]
        assert row[4].endswith(" 09:00")
        assert row[6] == "offen"
        # Another caseworker's file holds nothing of it.
    async with tool_client(volunteers.app) as other:  # type: ignore[attr-defined]
        await sign_in(other, subject=f"cw-{unique()}", roles=[Role.CASEWORKER])
        theirs = rows(await other.get("/ui/hilfeanfragen", params={"download": "csv"}))
        assert title not in str(theirs)
