"""Intake's staff pages in-process: sign-in, roles, forms, German texts, the same use cases."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe.sealing import decode_key, unseal
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with cookies of its own against the same in-process app."""
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


def notice() -> str:
    return f"BRA-2026-{uuid.uuid4().hex[:8].upper()}"


def allocation_form(token: str, number: str, **overrides: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "action": "save",
        "member_rows": "2",
        "allocation_notice_number": number,
        "allocated_on": "20.11.2026",
        "allocating_authority": "Bezirksregierung Arnsberg",
        "expected_arrival_on": "27.11.2026",
        "members-0-given_name": "Amina",
        "members-0-family_name": "Haddad",
        "members-0-date_of_birth": "14.03.1988",
        "members-0-sex": "female",
        "members-0-nationality": "syr",
        "members-0-languages": "ar, en",
        "members-0-residence_status": "aufenthaltsgestattung",
        "members-0-residence_status_expires_on": "20.05.2027",
        "members-0-special_needs": "",
        "members-1-given_name": "Yusuf",
        "members-1-family_name": "Haddad",
        "members-1-date_of_birth": "02.07.2016",
        "members-1-sex": "male",
        "members-1-nationality": "SYR",
        "members-1-languages": "ar",
        "members-1-residence_status": "aufenthaltsgestattung",
        "members-1-residence_status_expires_on": "20.05.2027",
        "members-1-special_needs": "Asthma",
    }
    form.update(overrides)
    return form


async def outbox(database: str, household_id: str) -> list[str]:
    """What the household's changes published (the school-place requests an allocation
    starts for its children aside: test_case_closure shows them)."""
    db = await asyncpg.connect(asyncpg_dsn(database))
    try:
        rows = await db.fetch(
            "SELECT event_type FROM outbox_message WHERE convert_from(body, 'UTF8') LIKE $1"
            " AND event_type <> 'school_place.requested' ORDER BY id",
            f"%{household_id}%",
        )
    finally:
        await db.close()
    return [row["event_type"] for row in rows]


async def register(browser: httpx.AsyncClient, number: str, **overrides: str) -> httpx.Response:
    form_page = await browser.get("/ui/zuweisungen/neu")
    return await browser.post(
        "/ui/zuweisungen/neu", data=allocation_form(form_token(form_page), number, **overrides)
    )


# --- access ----------------------------------------------------------------------------


async def test_every_page_declares_who_may_see_it(intake: httpx.AsyncClient) -> None:
    app: Any = intake.app  # type: ignore[attr-defined]
    assert any(getattr(route, "path", None) == "/ui" for route in app.routes)
    assert routes_without_declared_roles(app) == []


async def test_visitors_are_sent_to_the_provider_with_pkce(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/ui/haushalte/" + str(uuid.uuid4()))
    assert page.status_code == 303
    assert page.headers["location"].startswith("/ui/anmelden?next=%2Fui%2Fhaushalte%2F")

    start = await browser.get(page.headers["location"])
    assert start.status_code == 302
    target = httpx.URL(start.headers["location"])
    assert target.path.endswith("/protocol/openid-connect/auth")
    assert target.params["response_type"] == "code"
    assert target.params["code_challenge_method"] == "S256"
    assert len(target.params["code_challenge"]) >= 43
    assert target.params["client_id"] == "teilhabe-staff"
    assert "openid" in target.params["scope"].split()


async def test_after_sign_in_the_requested_page_opens(browser: httpx.AsyncClient) -> None:
    page = await sign_in(
        browser, subject="anna", roles=[Role.CASEWORKER], next_path="/ui/zuweisungen/neu"
    )
    assert page.status_code == 200
    assert '<h1 class="kern-heading-large">Zuweisung erfassen</h1>' in page.text


async def test_start_page_is_german_with_landmarks_and_footer(
    browser: httpx.AsyncClient,
) -> None:
    page = await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    assert page.status_code == 200
    html = page.text
    assert '<html lang="de">' in html
    assert "<title>Haushalte – Zuweisung und Betreuung – Teilhabe</title>" in html
    assert '<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>' in html
    assert '<main id="inhalt"' in html
    assert '<nav class="tool-nav" aria-label="Werkzeuge">' in html
    assert '<nav class="section-nav" aria-label="Seiten dieses Werkzeugs">' in html
    assert "Angemeldet als <strong>anna</strong> (Fachkraft)" in html
    assert 'href="/ui/barrierefreiheit">Erklärung zur Barrierefreiheit</a>' in html
    assert 'href="mailto:barrierefreiheit@duelmen.de?subject=' in html
    assert "Rückmeldung: Barriere oder Problem melden" in html
    assert 'lang="en" hreflang="en">English</a>' in html
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


async def test_volunteer_and_housing_officer_see_no_household(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    number = notice()
    created = await intake.post(
        "/households",
        json={
            "allocation_notice_number": number,
            "allocated_on": "2026-11-20",
            "allocating_authority": "Bezirksregierung Arnsberg",
            "members": [
                {
                    "given_name": "Lina",
                    "family_name": "Verborgen",
                    "date_of_birth": "1990-01-01",
                    "sex": "female",
                    "nationality": "UKR",
                    "residence_status": "niederlassungserlaubnis",
                }
            ],
        },
        headers=auth_headers(identity, Role.CASEWORKER),
    )
    assert created.status_code == 201, created.text

    page = await sign_in(browser, subject="vera", roles=[Role.VOLUNTEER])
    assert page.status_code == 403
    assert '<h1 class="kern-heading-large">Kein Zugriff</h1>' in page.text
    assert "Verborgen" not in page.text
    assert number not in page.text
    assert 'aria-label="Seiten dieses Werkzeugs"' not in page.text
    detail = await browser.get(f"/ui/haushalte/{created.json()['id']}")
    assert detail.status_code == 403
    assert "Verborgen" not in detail.text
    form = await browser.get("/ui/zuweisungen/neu")
    assert form.status_code == 403

    async with httpx.AsyncClient(
        transport=browser._transport, base_url="http://test"
    ) as officer_browser:
        officer_page = await sign_in(officer_browser, subject="olaf", roles=[Role.HOUSING_OFFICER])
        assert officer_page.status_code == 403
        # The navigation offers the officer the tool they may use.
        assert ">Unterbringung</a>" in officer_page.text


# --- registering an allocation ---------------------------------------------------------


async def test_allocation_is_registered_through_the_use_case(
    browser: httpx.AsyncClient, intake_database: str
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    number = notice()
    saved = await register(browser, number)
    assert saved.status_code == 303, saved.text
    household_id = saved.headers["location"].rsplit("/", 1)[1]

    page = await browser.get(saved.headers["location"])
    assert page.status_code == 200
    assert f"Die Zuweisung {number} ist erfasst." in page.text
    assert "Haushalt Haddad" in page.text
    assert "20.11.2026" in page.text
    assert "14.03.1988" in page.text
    assert "Aufenthaltsgestattung" in page.text
    assert "männlich" in page.text
    # Nationality and languages in German words, not codes.
    assert '<td class="kern-table__cell">Syrien</td>' in page.text
    assert "Arabisch, Englisch" in page.text
    assert "SYR" not in page.text
    assert "Asthma" in page.text
    # Shown once only.
    assert "ist erfasst" not in (await browser.get(saved.headers["location"])).text

    assert await outbox(intake_database, household_id) == [
        "household.referred_to_housing",
        "household.assigned",
    ]


async def test_errors_are_german_next_to_each_field_and_input_is_kept(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    number = notice()
    page = await register(
        browser,
        number,
        allocated_on="31.02.2026",
        allocating_authority="",
        **{
            "members-0-family_name": "",
            "members-0-sex": "",
            "members-1-nationality": "Syrien",
            "members-1-date_of_birth": "morgen",
        },
    )
    assert page.status_code == 422
    assert page.text.count("<title>Fehler: Zuweisung erfassen") == 1
    # The format is right, the day does not exist: it says so.
    assert error_next_to(page, "allocated_on") == (
        "Dieses Datum gibt es nicht. Bitte prüfen Sie Tag und Monat."
    )
    assert error_next_to(page, "allocating_authority") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(page, "members-0-family_name") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(page, "members-0-sex") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(page, "members-1-nationality").startswith("Bitte geben Sie den Ländercode")
    assert error_next_to(page, "members-1-date_of_birth").startswith("Bitte geben Sie ein Datum")
    # The summary links to each field, in the order of the form.
    links = re.findall(r'<li><a class="kern-link" href="#([^"]+)">', page.text)
    assert links == [
        "allocated_on",
        "allocating_authority",
        "members-0-family_name",
        "members-0-sex",
        "members-1-date_of_birth",
        "members-1-nationality",
    ]
    assert "Mitglied 2, Staatsangehörigkeit: Bitte geben Sie den Ländercode" in page.text
    # What was typed is still there.
    assert f'value="{number}"' in page.text
    assert 'value="31.02.2026"' in page.text
    assert 'value="Syrien"' in page.text
    assert 'value="Amina"' in page.text
    assert 'value="morgen"' in page.text


async def test_refusals_of_the_rules_are_shown_at_their_field(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    tomorrow = today() + timedelta(days=1)
    page = await register(
        browser,
        notice(),
        allocated_on=f"{tomorrow:%d.%m.%Y}",
        expected_arrival_on="",
        **{"members-0-residence_status_expires_on": ""},
    )
    assert page.status_code == 422
    assert error_next_to(page, "allocated_on") == "Das Zuweisungsdatum liegt in der Zukunft."
    assert (
        error_next_to(page, "members-0-residence_status_expires_on")
        == "Für diesen Aufenthaltsstatus ist ein Ablaufdatum nötig."
    )


async def test_format_and_rule_errors_come_in_one_round(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    number = notice()
    assert (await register(browser, number)).status_code == 303
    tomorrow = today() + timedelta(days=1)
    page = await register(
        browser,
        f"  {number.lower()} ",  # the same notice, typed otherwise
        allocated_on=f"{tomorrow:%d.%m.%Y}",
        **{
            "members-0-date_of_birth": "31.02.1988",
            "members-0-residence_status_expires_on": "",
            "members-1-nationality": "Syrien",
        },
    )
    assert page.status_code == 422
    assert error_next_to(page, "allocation_notice_number") == (
        "Ein Zuweisungsbescheid mit dieser Nummer ist bereits erfasst."
    )
    assert error_next_to(page, "allocated_on") == "Das Zuweisungsdatum liegt in der Zukunft."
    assert error_next_to(page, "members-0-date_of_birth").startswith("Dieses Datum gibt es nicht")
    assert error_next_to(page, "members-0-residence_status_expires_on") == (
        "Für diesen Aufenthaltsstatus ist ein Ablaufdatum nötig."
    )
    assert error_next_to(page, "members-1-nationality").startswith("Bitte geben Sie den Ländercode")


async def test_a_notice_number_is_registered_once_however_it_is_typed(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    number = notice()
    saved = await register(browser, f" {number.lower()} ")
    assert saved.status_code == 303
    shown = await browser.get(saved.headers["location"])
    assert f"Die Zuweisung {number} ist erfasst." in shown.text
    again = await register(browser, number)
    assert again.status_code == 422
    assert (
        error_next_to(again, "allocation_notice_number")
        == "Ein Zuweisungsbescheid mit dieser Nummer ist bereits erfasst."
    )


async def test_the_expiry_is_not_called_optional_and_a_past_one_is_pointed_out(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    form_page = await browser.get("/ui/zuweisungen/neu")
    label = re.search(
        r'<label class="kern-label" for="members-0-residence_status_expires_on">(.*?)</label>',
        form_page.text,
        re.S,
    )
    assert label
    assert "optional" not in label.group(1)
    assert "freiwillig" not in label.group(1)
    saved = await register(
        browser, notice(), **{"members-1-residence_status_expires_on": "20.05.2020"}
    )
    assert saved.status_code == 303
    page = await browser.get(saved.headers["location"])
    assert "kern-alert--warning" in page.text
    assert (
        "Bitte prüfen: Der Aufenthaltsstatus von Mitglied 2 ist am 20.05.2020 abgelaufen."
        in page.text
    )


async def test_member_rows_are_added_and_removed_without_script(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    form_page = await browser.get("/ui/zuweisungen/neu")
    assert form_page.text.count('<fieldset class="kern-fieldset member"') == 1
    token = form_token(form_page)
    form = allocation_form(token, notice(), action="add_member")
    added = await browser.post("/ui/zuweisungen/neu", data=form)
    assert added.status_code == 200
    assert added.text.count('<fieldset class="kern-fieldset member"') == 3
    assert 'value="Yusuf"' in added.text
    assert re.search(r'id="members-2-given_name"[^>]*autofocus', added.text)
    assert "kern-error" not in added.text, "adding a row validates nothing yet"

    form = allocation_form(token, notice(), action="remove_member-0")
    removed = await browser.post("/ui/zuweisungen/neu", data=form)
    assert removed.text.count('<fieldset class="kern-fieldset member"') == 1
    assert 'value="Yusuf"' in removed.text
    assert 'value="Amina"' not in removed.text


async def test_forms_without_the_session_token_are_refused(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    page = await browser.post("/ui/zuweisungen/neu", data=allocation_form("forged", notice()))
    assert page.status_code == 400
    assert "Das Formular war veraltet." in page.text


# --- caseworker ------------------------------------------------------------------------


async def known_staff(database: str, subject: str, name: str, teams: list[str]) -> None:
    """A caseworker intake knows from a sign-in (staff_member.signed_in)."""
    db = await asyncpg.connect(asyncpg_dsn(database))
    try:
        await db.execute(
            "INSERT INTO staff_member (subject, name, roles, teams, signed_in_at)"
            " VALUES ($1, $2, '{caseworker}', $3, now()) ON CONFLICT DO NOTHING",
            subject,
            name,
            teams,
        )
    finally:
        await db.close()


async def test_caseworker_assigns_the_household_to_themselves_and_to_known_staff(
    browser: httpx.AsyncClient, intake_database: str
) -> None:
    await known_staff(intake_database, "bernd", "Bernd Ahlers", ["Team Süd"])
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER], name="Anna Becker")
    saved = await register(browser, notice())
    detail_url = saved.headers["location"]
    household_id = detail_url.rsplit("/", 1)[1]
    detail = await browser.get(detail_url)
    assert "Noch keine Fachkraft zugewiesen." in detail.text
    assert f'action="/ui/haushalte/{household_id}/fachkraft"' in detail.text
    assert ">Mir zuweisen<" in detail.text
    # Chosen from the staff known by their sign-in, with name and team; no free text.
    assert '<option value="bernd">Team Süd: Bernd Ahlers (bernd)</option>' in detail.text
    assert 'type="text" value="" autocomplete="off" id="caseworker_id"' not in detail.text

    mine = await browser.post(
        f"/ui/haushalte/{household_id}/fachkraft",
        data={"csrf_token": form_token(detail), "caseworker_id": "anna"},
    )
    assert mine.status_code == 303
    detail = await browser.get(detail_url)
    assert "Zuständige Fachkraft für den Haushalt ist jetzt anna." in detail.text
    assert "Zuständige Fachkraft: <strong>anna</strong> (Sie)" in detail.text
    assert ">Mir zuweisen<" not in detail.text

    for unknown in ("  ", "irgendwer"):
        refused = await browser.post(
            f"/ui/haushalte/{household_id}/fachkraft",
            data={"csrf_token": form_token(detail), "caseworker_id": unknown},
        )
        assert refused.status_code == 422
        assert error_next_to(refused, "caseworker_id") == (
            "Bitte wählen Sie einen Eintrag aus der Liste."
        )

    other = await browser.post(
        f"/ui/haushalte/{household_id}/fachkraft",
        data={"csrf_token": form_token(detail), "caseworker_id": "bernd"},
    )
    assert other.status_code == 303
    detail = await browser.get(detail_url)
    assert "Zuständige Fachkraft: <strong>Bernd Ahlers</strong>" in detail.text
    assert await outbox(intake_database, household_id) == [
        "household.referred_to_housing",
        "household.assigned",
        "caseworker.assigned",
        "caseworker.assigned",
    ]
    mine_only = await browser.get("/ui/", params={"caseworker": "bernd"})
    assert detail_url in mine_only.text


async def test_a_sign_in_tells_the_other_services_once_who_signed_in(
    browser: httpx.AsyncClient, intake_database: str
) -> None:
    subject = f"cw-{uuid.uuid4().hex[:8]}"
    await sign_in(browser, subject=subject, roles=[Role.CASEWORKER], name="Jana Kuhn")
    await browser.get("/ui/")
    await browser.get("/ui/zuweisungen/neu")
    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        rows = await db.fetch(
            "SELECT convert_from(body, 'UTF8')::jsonb -> 'data' AS data FROM outbox_message"
            " WHERE event_type = 'staff_member.signed_in'"
            " AND convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'account_subject' = $1",
            subject,
        )
    finally:
        await db.close()
    assert len(rows) == 1, "once per sign-in, not per page"
    data = json.loads(rows[0]["data"])
    # Name and address sealed with the sign-in's key, staged just before it.
    assert "Jana" not in rows[0]["data"]
    assert subject not in data["email"]
    keys = await db_rows(
        intake_database,
        "SELECT convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'key' AS key FROM outbox_message"
        " WHERE event_type = 'staff_member.key_issued'"
        " AND convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'key_id' = $1",
        data["key_id"],
    )
    [key] = [decode_key(row["key"]) for row in keys]
    key_id = uuid.UUID(data["key_id"])
    assert unseal(key, key_id, data["display_name"]) == "Jana Kuhn"
    assert unseal(key, key_id, data["email"]) == f"{subject}@duelmen.de"
    assert data["roles"] == ["caseworker"]


async def db_rows(database: str, sql: str, *args: object) -> list[asyncpg.Record]:
    db = await asyncpg.connect(asyncpg_dsn(database))
    try:
        return list(await db.fetch(sql, *args))
    finally:
        await db.close()


async def test_unknown_household_is_a_german_404_page(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    missing = await browser.get(f"/ui/haushalte/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert "Seite nicht gefunden" in missing.text
    malformed = await browser.get("/ui/haushalte/nicht-da")
    assert malformed.status_code == 404


# --- list ------------------------------------------------------------------------------


async def test_households_are_searched_and_filtered(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    family = f"Suchname{uuid.uuid4().hex[:6]}"
    number = notice()
    saved = await register(
        browser,
        number,
        allocated_on="01.10.2026",
        expected_arrival_on="08.10.2026",
        **{"members-0-family_name": family, "members-1-family_name": family},
    )
    assert saved.status_code == 303
    detail_url = saved.headers["location"]

    found = await browser.get("/ui/", params={"q": family})
    assert detail_url in found.text
    assert "1 Haushalt gefunden." in found.text
    assert f"{family}, Amina" in found.text

    by_status = await browser.get("/ui/", params={"q": family, "status": "housed"})
    assert "0 Haushalte gefunden." in by_status.text
    in_range = await browser.get(
        "/ui/", params={"q": family, "allocated_from": "01.10.2026", "allocated_to": "2026-10-01"}
    )
    assert detail_url in in_range.text
    out_of_range = await browser.get("/ui/", params={"q": family, "allocated_from": "02.10.2026"})
    assert detail_url not in out_of_range.text
    arriving = await browser.get(
        "/ui/", params={"q": family, "arriving_from": "08.10.2026", "arriving_to": "09.10.2026"}
    )
    assert detail_url in arriving.text
    arriving_later = await browser.get("/ui/", params={"q": family, "arriving_from": "09.10.2026"})
    assert detail_url not in arriving_later.text
    by_caseworker = await browser.get("/ui/", params={"q": family, "caseworker": "nobody"})
    assert detail_url not in by_caseworker.text

    wrong = await browser.get("/ui/", params={"allocated_from": "gestern"})
    assert error_next_to(wrong, "allocated_from").startswith("Bitte geben Sie ein Datum")
    assert 'value="gestern"' in wrong.text

    # A page number below 1 or not a number is the first page.
    for page in ("0", "-2", "zwei"):
        first = await browser.get("/ui/", params={"q": family, "page": page})
        assert first.status_code == 200, page
        assert detail_url in first.text


# --- language, statement, sign-out -------------------------------------------------------


async def test_english_is_offered_as_second_language(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    switched = await browser.get("/ui/sprache/en", params={"next": "/ui/zuweisungen/neu"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/ui/zuweisungen/neu"
    page = await browser.get("/ui/zuweisungen/neu")
    assert '<html lang="en">' in page.text
    assert "Skip to main content" in page.text
    assert "Add another member" in page.text
    assert 'lang="de" hreflang="de">Deutsch</a>' in page.text
    statement = await browser.get("/ui/barrierefreiheit")
    assert "Accessibility statement" in statement.text
    # Elsewhere than this tool is not a place to be sent back to.
    away = await browser.get("/ui/sprache/de", params={"next": "https://example.org/"})
    assert away.headers["location"] == "/ui/"


async def test_accessibility_statement_is_open_to_everyone(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/ui/barrierefreiheit")
    assert page.status_code == 200
    assert '<h1 class="kern-heading-large">Erklärung zur Barrierefreiheit</h1>' in page.text
    assert "BITV NRW" in page.text
    assert "teilweise" in page.text
    assert "Ombudsstelle für barrierefreie Informationstechnik" in page.text
    assert 'href="https://www.lbbp.nrw.de/ombudsstelle"' in page.text
    assert "mailto:barrierefreiheit@duelmen.de" in page.text
    assert "Zuweisung und Betreuung, Unterbringung" in page.text
    assert "25.11.2026" in page.text
    assert 'aria-label="Werkzeuge"' not in page.text, "no navigation before sign-in"


async def test_sign_out_ends_the_session_here_and_at_the_provider(
    browser: httpx.AsyncClient,
) -> None:
    page = await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    out = await browser.post("/ui/abmelden", data={"csrf_token": form_token(page)})
    assert out.status_code == 302
    end_session = httpx.URL(out.headers["location"])
    assert end_session.path.endswith("/protocol/openid-connect/logout")
    assert end_session.params["post_logout_redirect_uri"] == "http://test/ui/abgemeldet"
    async with httpx.AsyncClient() as provider:
        back = await provider.get(str(end_session))
    assert back.status_code == 302
    assert back.headers["location"].startswith("http://test/ui/abgemeldet")
    signed_out = await browser.get(back.headers["location"])
    assert "Sie sind abgemeldet." in signed_out.text
    assert (await browser.get("/ui/")).status_code == 303
