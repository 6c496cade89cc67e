"""The volunteers tool in Chromium: registry, clearance, matching, the volunteer's own page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from teilhabe.auth import Role
from teilhabe.clock import on_day, today

from tests.browser.helpers import (
    AxeReport,
    PageChecks,
    Tools,
    by_id,
    by_text,
    check_axe,
    focused,
    keyboard_sign_in,
    notice,
    screenshot,
    sections,
    signed_in,
    tab_to,
)
from tests.support import eventually, register_households

pytestmark = [pytest.mark.system, pytest.mark.broker]


# --- data the screens show, made through the APIs ----------------------------------------


def unique() -> str:
    return uuid.uuid4().hex[:6]


def german(days_from_today: int = 0) -> str:
    return (today() + timedelta(days=days_from_today)).strftime("%d.%m.%Y")


def coordinator_headers(tools: Tools) -> dict[str, str]:
    return tools.system.headers(Role.VOLUNTEER_COORDINATOR, subject="vk-ines")


async def known_household(tools: Tools, number: str) -> str:
    """A household with a child (intake's test family), once volunteers has received it."""
    [household_id] = await register_households(
        tools.intake, tools.system.headers(Role.CASEWORKER), [number]
    )

    async def received() -> bool:
        async with httpx.AsyncClient(base_url=tools.volunteers.url) as client:
            response = await client.get(
                f"/households/{household_id}/suggested-mentors",
                headers=coordinator_headers(tools),
            )
        return response.status_code == 200

    await eventually(received)
    return household_id


async def volunteer_by_api(
    tools: Tools, *, languages: list[str], subject: str | None = None, cleared: bool = True
) -> dict[str, Any]:
    """A volunteer registered through the API, with an inspected clearance if `cleared`."""
    async with httpx.AsyncClient(
        base_url=tools.volunteers.url, headers=coordinator_headers(tools)
    ) as client:
        response = await client.post(
            "/volunteers",
            json={
                "display_name": f"Hanna Overbeck {unique()}",
                "email": f"hanna.{unique()}@example.org",
                "languages": languages,
                "skills": ["Behördengänge"],
                "available_weekdays": ["mon"],
                "subject": subject,
            },
        )
        assert response.status_code == 201, response.text
        volunteer: dict[str, Any] = response.json()
        if cleared:
            clearance = await client.put(
                f"/volunteers/{volunteer['id']}/clearance",
                json={
                    "inspected_on": today().isoformat(),
                    "issued_on": (today() - timedelta(days=14)).isoformat(),
                    "relevant_conviction": False,
                },
            )
            assert clearance.status_code == 200, clearance.text
    return volunteer


async def match_by_api(tools: Tools, volunteer_id: str, household_id: str) -> str:
    async with httpx.AsyncClient(base_url=tools.volunteers.url) as client:
        response = await client.post(
            "/matches",
            json={
                "volunteer_id": volunteer_id,
                "household_id": household_id,
                "started_on": today().isoformat(),
            },
            headers=coordinator_headers(tools),
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def shift_by_api(tools: Tools) -> str:
    """A facility's shift next week, with children (a clearance needed), 3 slots."""
    async with httpx.AsyncClient(
        base_url=tools.volunteers.url, headers=coordinator_headers(tools)
    ) as client:
        facility = await client.post(
            "/facilities", json={"name": f"Begegnungscafé {unique()}", "kind": "cafe"}
        )
        assert facility.status_code == 201, facility.text
        starts = on_day(today() + timedelta(days=7)).replace(hour=15)
        shift = await client.post(
            "/shifts",
            json={
                "facility_id": facility.json()["id"],
                "title": "Kinderbetreuung",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "slots": 3,
                "needs_clearance": True,
            },
        )
        assert shift.status_code == 201, shift.text
    return str(shift.json()["id"])


# --- the coordinator's flow ----------------------------------------------------------


async def test_coordinator_registers_filters_is_refused_records_clearance_and_matches(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    number = notice()
    household_id = await known_household(tools, number)
    name, skill, login = f"Jutta Brinkmann {unique()}", f"Nachhilfe {unique()}", f"jutta-{unique()}"

    url = f"{tools.volunteers.url}/ui/"
    page = await signed_in(new_context, url, subject="ines", roles=[Role.VOLUNTEER_COORDINATOR])
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ehrenamtliche")
    await screenshot(page, "volunteers-registry")

    await sections(page).get_by_role("link", name="Neu registrieren").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ehrenamtliche Person registrieren"
    )
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("E-Mail-Adresse").fill(f"jutta.{unique()}@example.org")
    await page.get_by_label("Telefon").fill("02594 12345")
    await page.get_by_label("Gesprochene Sprachen").fill("fa, de")
    await page.get_by_label("Fähigkeiten und Interessen").fill(f"Behördengänge, {skill}")
    await page.get_by_role("group", name="Meist verfügbar am").get_by_label("Dienstag").check()
    await page.get_by_label("Hinweis zur Verfügbarkeit").fill("nachmittags")
    await page.get_by_label("Kennung").fill(login)
    await screenshot(page, "volunteers-register-filled")
    await page.get_by_role("button", name="Registrieren", exact=True).click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await expect(page.get_by_role("status")).to_contain_text(f"{name} ist als ehrenamtlich")
    await expect(page.locator("[data-languages]")).to_have_text("Persisch (Farsi), Deutsch")

    # The registry, filtered by language and skill, finds them; the filter is kept.
    await sections(page).get_by_role("link", name="Ehrenamtliche").click()
    await page.get_by_label("Sprache").select_option("fa")
    await page.get_by_label("Fähigkeit").fill(skill)
    await page.get_by_role("button", name="Filter anwenden").click()
    await expect(page.get_by_role("status")).to_have_text("1 ehrenamtliche Person gefunden.")
    await expect(page.get_by_label("Sprache")).to_have_value("fa")
    await expect(page.get_by_label("Fähigkeit")).to_have_value(skill)
    await screenshot(page, "volunteers-registry-filtered")
    await page.get_by_role("link", name=name).click()

    # Without a clearance the household with a child is refused, in plain German.
    await page.get_by_label("Haushalt (Nummer des Zuweisungsbescheids)").fill(number)
    await page.get_by_role("button", name="Patenschaft beginnen").click()
    await expect(page.locator("[data-error-summary]")).to_be_focused()
    await expect(page.locator("#allocation_notice_number-error")).to_contain_text(
        "Zu diesem Haushalt gehören Minderjährige."
    )
    await expect(page.get_by_label("Haushalt (Nummer des Zuweisungsbescheids)")).to_have_value(
        number
    )
    await screenshot(page, "volunteers-match-refused")
    await check_axe(page, axe_report, "volunteers match refused (volunteer_coordinator)")

    await page.get_by_label("Ausstellungsdatum des Führungszeugnisses").fill(german(-20))
    await page.get_by_label("Nein, keine einschlägige Verurteilung eingetragen").check()
    await page.get_by_role("button", name="Führungszeugnis erfassen").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Das eingesehene Führungszeugnis ist erfasst."
    )
    await expect(page.locator("[data-minors]")).to_have_text("ja")
    await screenshot(page, "volunteers-clearance-recorded")

    # Now the household page suggests them, and makes them its mentor.
    await sections(page).get_by_role("link", name="Haushalte").click()
    await page.get_by_label("Nummer des Zuweisungsbescheids").fill(number)
    await page.get_by_role("button", name="Suchen").click()
    await page.get_by_role("link", name=number, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Haushalt {number}")
    await page.get_by_label(re.compile(rf"^{re.escape(name)} – spricht")).check()
    await page.get_by_role("button", name="Patenschaft eintragen").click()
    await expect(page.get_by_role("status")).to_contain_text(
        f"{name} ist jetzt Patin oder Pate des Haushalts {number}."
    )
    await expect(page.locator("[data-mentors]")).to_contain_text(name)
    assert page.url.endswith(f"/ui/haushalte/{household_id}")
    await screenshot(page, "volunteers-household-matched")

    await page.get_by_role("link", name="Zurück zur Liste der Haushalte").click()
    await expect(page.locator(f'tr[data-household="{number}"] [data-mentors]')).to_have_text(name)
    await screenshot(page, "volunteers-households")


# --- matching by keyboard alone ------------------------------------------------------


async def test_matching_works_with_the_keyboard_alone(
    tools: Tools, new_context: Callable[[], Any]
) -> None:
    number = notice()
    household_id = await known_household(tools, number)
    volunteer = await volunteer_by_api(tools, languages=["fa", "ar"])

    page = await (await new_context()).new_page()
    await keyboard_sign_in(page, f"{tools.volunteers.url}/ui/", "kira", Role.VOLUNTEER_COORDINATOR)
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"] == "Zum Inhalt springen"
    await tab_to(page, by_text("Haushalte"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Haushalte")
    await tab_to(page, by_id("q"))
    await page.keyboard.type(number)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text("1 Haushalt gefunden.")
    await tab_to(page, by_text(number))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Haushalt {number}")

    radio = await tab_to(page, lambda current: current.get("name") == "volunteer_id")
    while radio["value"] != volunteer["id"]:
        await page.keyboard.press("ArrowDown")
        radio = await focused(page)
    await page.keyboard.press("Space")
    await tab_to(page, by_id("started_on"))
    assert (await focused(page))["value"] == german()
    await tab_to(page, by_text("Patenschaft eintragen"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text(
        f"{volunteer['display_name']} ist jetzt Patin oder Pate des Haushalts {number}."
    )
    assert page.url.endswith(f"/ui/haushalte/{household_id}")

    # On to the mentor's page, and end the mentorship there.
    await tab_to(page, by_text(volunteer["display_name"]))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(volunteer["display_name"])
    await tab_to(page, lambda current: current.get("id", "").startswith("ended_on-"))
    await page.keyboard.press("Control+A")
    await page.keyboard.type(german(7))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Die Patenschaft ist beendet.")
    await expect(page.locator(f'tr[data-match="{number}"]')).to_contain_text(german(7))


# --- the volunteer's own page --------------------------------------------------------


async def test_a_volunteer_sees_only_their_own_page_and_mentorship(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    number = notice()
    household_id = await known_household(tools, number)
    login = f"vera-{unique()}"
    me = await volunteer_by_api(tools, languages=["fa"], subject=login)
    other = await volunteer_by_api(tools, languages=["fa"])
    await match_by_api(tools, me["id"], household_id)
    await match_by_api(tools, other["id"], household_id)

    page = await signed_in(
        new_context, f"{tools.volunteers.url}/ui/", subject=login, roles=[Role.VOLUNTEER]
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mein Engagement")
    assert page.url.endswith("/ui/mein-engagement")
    await expect(page.locator("[data-own-name]")).to_have_text(me["display_name"])
    await expect(page.locator(f'tr[data-match="{number}"]')).to_contain_text(german())
    # A volunteer's own pages: their engagement, the shifts to sign up for, help asked of them.
    await expect(sections(page).get_by_role("link")).to_have_text(
        ["Mein Engagement", "Schichten", "Hilfeanfragen"]
    )
    content = await page.content()
    assert other["display_name"] not in content
    assert "Führungszeugnis" not in content
    await screenshot(page, "volunteers-own-page")
    await check_axe(page, axe_report, "volunteers own page (volunteer)")

    for path in (
        "haushalte",
        f"haushalte/{household_id}",
        f"ehrenamtliche/{other['id']}",
        f"ehrenamtliche/{me['id']}",
        "ehrenamtliche/neu",
    ):
        response = await page.goto(f"{tools.volunteers.url}/ui/{path}")
        assert response is not None
        assert response.status == 403, path
        await expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
        assert other["display_name"] not in await page.content()
        assert await page.get_by_role("table").count() == 0
    await screenshot(page, "volunteers-forbidden-volunteer")


# --- every page, every role that may see it: axe-core -----------------------------------


async def test_every_page_passes_axe_for_every_role_that_may_see_it(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    number = notice()
    household_id = await known_household(tools, number)
    login = f"vera-{unique()}"
    mentor = await volunteer_by_api(tools, languages=["fa", "de"], subject=login)
    await volunteer_by_api(tools, languages=["fa"])
    await match_by_api(tools, mentor["id"], household_id)
    uncleared = await volunteer_by_api(tools, languages=["ar"], cleared=False)
    shift_id = await shift_by_api(tools)
    base = f"{tools.volunteers.url}/ui"
    checks = PageChecks(axe_report, base=base)

    for role in (Role.VOLUNTEER_COORDINATOR,):
        tag = role.value
        page = await signed_in(new_context, f"{base}/", subject=f"{tag}-1", roles=[role])
        await checks.visit(page, "/", f"volunteers-registry-{tag}")
        await checks.visit(page, "/?language=fa&skill=Beh%C3%B6rden", f"volunteers-filtered-{tag}")
        await checks.visit(page, "/?language=xx", f"volunteers-filtered-empty-{tag}")
        await checks.visit(page, "/ehrenamtliche/neu", f"volunteers-new-{tag}")
        await checks.submit_with_errors(page, "Registrieren", f"volunteers-new-errors-{tag}")
        await page.get_by_label("E-Mail-Adresse").fill("keine-adresse")
        await page.get_by_label("Gesprochene Sprachen").fill("Arabisch")
        await checks.submit_with_errors(page, "Registrieren", f"volunteers-new-errors-typed-{tag}")

        await checks.visit(page, f"/ehrenamtliche/{mentor['id']}", f"volunteers-detail-{tag}")
        await page.get_by_label("Eingesehen am").fill("")
        await checks.submit_with_errors(
            page, "Führungszeugnis erfassen", f"volunteers-clearance-errors-{tag}"
        )
        await page.get_by_label("Ausstellungsdatum des Führungszeugnisses").fill(german(-200))
        await page.get_by_label("Eingesehen am").fill(german())
        await page.get_by_label("Ja, eine einschlägige Verurteilung ist eingetragen").check()
        await checks.submit_with_errors(
            page, "Führungszeugnis erfassen", f"volunteers-clearance-too-old-{tag}"
        )
        await checks.submit_with_errors(
            page, "Patenschaft beginnen", f"volunteers-match-errors-{tag}"
        )
        await page.locator('input[id^="ended_on-"]').fill(german(-400))
        await checks.submit_with_errors(
            page, f"Patenschaft beenden für Haushalt {number}", f"volunteers-end-errors-{tag}"
        )
        await checks.visit(page, f"/ehrenamtliche/{uncleared['id']}", f"volunteers-uncleared-{tag}")
        spare = await volunteer_by_api(tools, languages=["uk"])
        await checks.visit(page, f"/ehrenamtliche/{spare['id']}", f"volunteers-cleared-{tag}")
        await page.get_by_role("button", name="Angaben zum Führungszeugnis jetzt löschen").click()
        await expect(page.get_by_role("status")).to_contain_text("sind gelöscht")
        await expect(page.locator("[data-minors]")).to_have_text("nein")
        await checks.check(page, f"volunteers-clearance-deleted-{tag}")

        await checks.visit(page, "/haushalte", f"volunteers-households-{tag}")
        await checks.visit(page, f"/haushalte?q={number}", f"volunteers-households-search-{tag}")
        await checks.visit(page, f"/haushalte/{household_id}", f"volunteers-household-{tag}")
        await page.get_by_label("Patenschaft beginnt am").fill("")
        await checks.submit_with_errors(
            page, "Patenschaft eintragen", f"volunteers-household-errors-{tag}"
        )
        await checks.visit(page, f"/haushalte/{uuid.uuid4()}", f"volunteers-404-{tag}", status=404)
        await checks.visit(page, "/schichten", f"volunteers-shifts-{tag}")
        await checks.submit_with_errors(page, "Schicht planen", f"volunteers-shifts-errors-{tag}")
        await checks.visit(page, f"/schichten/{shift_id}", f"volunteers-shift-{tag}")
        await checks.visit(page, "/hilfeanfragen", f"volunteers-help-requests-{tag}")
        await checks.submit_with_errors(
            page, "Anfrage senden", f"volunteers-help-requests-errors-{tag}"
        )
        await checks.visit(page, "/barrierefreiheit", f"volunteers-accessibility-{tag}")
        await checks.visit(page, "/kennzahlen", f"volunteers-figures-{tag}")
        await checks.visit(page, "/mein-engagement", f"volunteers-own-forbidden-{tag}", status=403)
        await checks.visit(page, "/sprache/en?next=/ui/", f"volunteers-registry-en-{tag}")
        await checks.visit(page, f"/haushalte/{household_id}", f"volunteers-household-en-{tag}")
        await page.goto(f"{base}/sprache/de?next=/ui/")

    page = await signed_in(new_context, f"{base}/", subject=login, roles=[Role.VOLUNTEER])
    await checks.visit(page, "/mein-engagement", "volunteers-own-volunteer")
    await checks.visit(page, "/", "volunteers-start-redirects-volunteer")
    assert page.url.endswith("/ui/mein-engagement")
    await checks.visit(page, "/haushalte", "volunteers-forbidden-households-volunteer", status=403)
    await checks.visit(page, "/barrierefreiheit", "volunteers-accessibility-volunteer")
    await checks.visit(page, "/schichten", "volunteers-shifts-volunteer")
    await checks.visit(page, f"/schichten/{shift_id}", "volunteers-shift-volunteer")
    await page.get_by_role("button", name="Für diese Schicht eintragen").click()
    await expect(page.get_by_role("status")).to_contain_text("eingetragen")
    await checks.check(page, "volunteers-shift-signed-up-volunteer")
    await checks.visit(page, "/hilfeanfragen", "volunteers-help-requests-volunteer")
    await checks.visit(page, "/mein-engagement", "volunteers-own-with-shift-volunteer")
    await page.get_by_role("button", name="Kalenderadresse holen").click()
    await expect(page.locator("#feed-address")).to_contain_text("/kalender/")
    await checks.check(page, "volunteers-own-calendar-volunteer")

    page = await signed_in(
        new_context, f"{base}/", subject=f"neu-{unique()}", roles=[Role.VOLUNTEER]
    )
    await checks.visit(page, "/mein-engagement", "volunteers-own-no-record-volunteer")
    await expect(page.get_by_role("main")).to_contain_text("noch keine Registrierung")

    page = await signed_in(new_context, f"{base}/", subject="anna", roles=[Role.CASEWORKER])
    await checks.visit(page, "/hilfeanfragen", "volunteers-help-requests-caseworker")
    # A request of theirs, with its download links and the button to withdraw it.
    await page.get_by_label("Was gebraucht wird", exact=True).fill("Dolmetschen beim Jobcenter")
    await page.get_by_label("Tag", exact=True).fill(german(3))
    await page.get_by_label("Von", exact=True).fill("10:00")
    await page.get_by_label("Bis", exact=True).fill("11:00")
    await page.get_by_role("button", name="Anfrage senden").click()
    await expect(page.get_by_role("status").first).to_contain_text("Anfrage")
    await expect(page.locator("[data-downloads]")).to_contain_text("Excel")
    await checks.check(page, "volunteers-help-request-asked-caseworker")
    await page.get_by_role("button", name=re.compile("^Zurückziehen")).first.click()
    await expect(page.get_by_role("status").first).to_contain_text("zurückgezogen")
    await checks.check(page, "volunteers-help-request-withdrawn-caseworker")
    await checks.visit(page, "/", "volunteers-forbidden-caseworker", status=403)
    assert mentor["display_name"] not in await page.content()
    assert await page.get_by_role("table").count() == 0
    await checks.visit(
        page, f"/ehrenamtliche/{mentor['id']}", "volunteers-detail-caseworker", status=403
    )
    assert mentor["display_name"] not in await page.content()

    failing = [check for check in axe_report.checks if check["violations"]]
    assert failing == []
    assert len(checks.checked) >= 30, checks.checked
