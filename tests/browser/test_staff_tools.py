"""The staff tools in Chromium: real processes, real provider, mouse and keyboard, axe-core."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from teilhabe.auth import Role
from teilhabe.clock import today

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
    sign_in,
    signed_in,
    tab_to,
)
from tests.support import eventually, register_households

pytestmark = [pytest.mark.system, pytest.mark.broker]


# --- data the screens show, made through the APIs ----------------------------------------


async def new_site(tools: Tools, units: list[dict[str, Any]]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=tools.housing.url) as client:
        response = await client.post(
            "/sites",
            json={
                "name": f"Übergangswohnheim Nord {uuid.uuid4().hex[:4]}",
                "kind": "communal_housing",
                "address": "Lüdinghauser Straße 12, 48249 Dülmen",
                "units": units,
            },
            headers=tools.system.headers(Role.HOUSING_OFFICER),
        )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def queued_household(tools: Tools, number: str) -> str:
    """Register a household at intake's API; returns its id once housing has queued it."""
    [household_id] = await register_households(
        tools.intake, tools.system.headers(Role.CASEWORKER), [number]
    )
    await wait_for_queue(tools, number)
    return household_id


async def wait_for_queue(tools: Tools, number: str) -> None:
    async def queued() -> bool:
        async with httpx.AsyncClient(base_url=tools.housing.url) as client:
            response = await client.get(
                "/waiting-queue", headers=tools.system.headers(Role.HOUSING_OFFICER)
            )
        return number in response.text

    await eventually(queued)


async def place_by_api(tools: Tools, household_id: str, unit_id: str) -> str:
    async with httpx.AsyncClient(base_url=tools.housing.url) as client:
        response = await client.post(
            "/placements",
            json={"household_id": household_id, "unit_id": unit_id, "moved_in_on": "2026-11-25"},
            headers=tools.system.headers(Role.HOUSING_OFFICER),
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def close_by_api(tools: Tools, unit_id: str) -> None:
    async with httpx.AsyncClient(base_url=tools.housing.url) as client:
        response = await client.post(
            f"/units/{unit_id}/closures",
            json={
                "starts_on": today().isoformat(),
                "ends_on": (today() + timedelta(days=3)).isoformat(),
                "reason": "repair",
            },
            headers=tools.system.headers(Role.HOUSING_OFFICER),
        )
    assert response.status_code == 201, response.text


async def free_beds(page: Page, site: str, unit: str) -> str:
    return (await page.locator(f'tr[data-unit="{site}/{unit}"] td[data-free]').inner_text()).strip()


async def occupied_beds(page: Page, site: str, unit: str) -> str:
    row = page.locator(f'tr[data-unit="{site}/{unit}"] td[data-occupied]')
    return (await row.inner_text()).strip()


async def reserved_beds(page: Page, site: str, unit: str) -> str:
    row = page.locator(f'tr[data-unit="{site}/{unit}"] td[data-reserved]')
    return (await row.inner_text()).strip()


async def reserve_by_api(tools: Tools, household_id: str, unit_id: str) -> str:
    async with httpx.AsyncClient(base_url=tools.housing.url) as client:
        response = await client.post(
            "/reservations",
            json={"household_id": household_id, "unit_id": unit_id},
            headers=tools.system.headers(Role.HOUSING_OFFICER),
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


# --- the housing officer's flow ----------------------------------------------------------


async def test_housing_officer_places_a_household_and_sees_the_board_change(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    site = await new_site(tools, [{"name": "A1", "beds": 4}, {"name": "A2", "beds": 2}])
    number = notice()
    await queued_household(tools, number)

    page = await signed_in(
        new_context, f"{tools.housing.url}/ui/", subject="bernd", roles=[Role.HOUSING_OFFICER]
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Belegung")
    assert await free_beds(page, site["name"], "A1") == "4"
    await screenshot(page, "housing-board-before")

    # The allocation notice came before the people: reserve their beds.
    await sections(page).get_by_role("link", name="Warteliste").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Warteliste")
    await page.get_by_role("link", name=f"Betten reservieren für Haushalt {number}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Betten für Haushalt {number} reservieren"
    )
    unit_a1 = page.get_by_label(re.compile(rf"^{re.escape(site['name'])}, Wohneinheit A1:"))
    await unit_a1.check()
    await screenshot(page, "housing-reserve-form")
    await page.get_by_role("button", name="Betten reservieren").click()
    # The first status is the confirmation; the queue's count is one too.
    await expect(page.get_by_role("status").first).to_contain_text(
        f"Für Haushalt {number} sind 2 Betten in {site['name']}, Wohneinheit A1 reserviert."
    )
    await expect(
        page.locator(f'tr[data-household="{number}"] td[data-reservation]')
    ).to_contain_text(f"Reserviert: {site['name']}, Wohneinheit A1 (2 Betten)")
    await screenshot(page, "housing-waiting-queue-reserved")
    await sections(page).get_by_role("link", name="Belegung").click()
    assert await reserved_beds(page, site["name"], "A1") == "2"
    assert await free_beds(page, site["name"], "A1") == "2"

    # They have arrived: the place form offers the reserved unit.
    await sections(page).get_by_role("link", name="Warteliste").click()
    await page.get_by_role("link", name=f"Unterbringen Haushalt {number}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Haushalt {number} unterbringen"
    )
    await expect(unit_a1).to_be_checked()
    await page.get_by_label("Einzug am").fill("25.11.2026")
    await page.get_by_role("button", name="Haushalt unterbringen").click()

    await expect(
        page.get_by_role("status").filter(has_text=f"Haushalt {number} ist in")
    ).to_be_visible()
    assert await occupied_beds(page, site["name"], "A1") == "2"
    assert await reserved_beds(page, site["name"], "A1") == "0"
    assert await free_beds(page, site["name"], "A1") == "2"
    await screenshot(page, "housing-board-after-placing")
    await check_axe(page, axe_report, "housing board after placing (housing_officer)")

    await page.get_by_role("link", name=f"Auszug erfassen von Haushalt {number}").click()
    await page.get_by_label("Grund des Auszugs").select_option("private_housing")
    await page.get_by_label("Auszug am").fill("30.11.2026")
    await page.get_by_role("button", name="Auszug erfassen").click()
    await expect(
        page.get_by_role("status").filter(has_text="Auszug erfasst: 2 Betten")
    ).to_be_visible()
    assert await free_beds(page, site["name"], "A1") == "4"


# --- the caseworker's flow ---------------------------------------------------------------


async def fill_member(page: Page, index: int, values: dict[str, str]) -> None:
    prefix = f"#members-{index}-"
    for name in ("given_name", "family_name", "date_of_birth", "nationality", "languages"):
        await page.locator(prefix + name).fill(values[name])
    await page.locator(prefix + "sex").select_option(values["sex"])
    await page.locator(prefix + "residence_status").select_option(values["residence_status"])
    await page.locator(prefix + "residence_status_expires_on").fill(values["expires"])


async def test_caseworker_registers_an_allocation_and_assigns_themselves(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    number = notice()
    page = await signed_in(
        new_context, f"{tools.intake.url}/ui/", subject="anna", roles=[Role.CASEWORKER]
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Haushalte")
    await page.get_by_role("link", name="Zuweisung erfassen", exact=True).click()

    await page.get_by_label("Nummer des Zuweisungsbescheids").fill(number)
    await page.get_by_label("Zugewiesen am").fill("20.11.2026")
    await page.get_by_label("Erwartete Ankunft").fill("27.11.2026")
    member = {
        "given_name": "Amina",
        "family_name": "Haddad",
        "date_of_birth": "14.03.1988",
        "sex": "female",
        "nationality": "SYR",
        "languages": "ar, en",
        "residence_status": "aufenthaltsgestattung",
        "expires": "20.05.2027",
    }
    await fill_member(page, 0, member)
    await page.get_by_role("button", name="Weiteres Mitglied hinzufügen").click()
    await expect(page.locator("#members-1-given_name")).to_be_focused()
    await expect(page.locator("#members-0-given_name")).to_have_value("Amina")
    await fill_member(
        page, 1, {**member, "given_name": "Yusuf", "date_of_birth": "02.07.2016", "sex": "male"}
    )
    await screenshot(page, "intake-register-allocation")
    await page.get_by_role("button", name="Zuweisung erfassen").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Haushalt Haddad")
    await expect(page.get_by_role("status")).to_contain_text(f"Die Zuweisung {number} ist erfasst.")
    await page.get_by_role("button", name="Mir zuweisen").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Zuständige Fachkraft für den Haushalt ist jetzt anna."
    )
    await expect(page.locator("#caseworker-heading + p")).to_contain_text(
        "Zuständige Fachkraft: anna (Sie)"
    )
    await screenshot(page, "intake-household-assigned")
    await check_axe(page, axe_report, "intake household after assigning (caseworker)")

    await page.get_by_role("link", name="Zurück zur Liste der Haushalte").click()
    await page.get_by_role("link", name="Nur meine Haushalte").click()
    await expect(page.get_by_role("link", name="Haddad, Amina")).to_be_visible()
    # The allocation went out as an event: housing queues the household.
    await wait_for_queue(tools, number)


# --- both flows by keyboard alone --------------------------------------------------------


async def type_into(page: Page, element_id: str, text: str) -> None:
    await tab_to(page, by_id(element_id))
    await page.keyboard.type(text)


async def test_both_flows_work_with_the_keyboard_alone(
    tools: Tools, new_context: Callable[[], Any]
) -> None:
    site = await new_site(tools, [{"name": "K1", "beds": 3}])
    number = notice()

    # Caseworker: skip link, register an allocation, assign to self.
    page = await (await new_context()).new_page()
    await keyboard_sign_in(page, f"{tools.intake.url}/ui/", "kai", Role.CASEWORKER)
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"] == "Zum Inhalt springen"
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "inhalt"
    await tab_to(page, by_text("Neue Zuweisung erfassen"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Zuweisung erfassen")

    await type_into(page, "allocation_notice_number", number)
    await type_into(page, "allocated_on", "20.11.2026")
    await type_into(page, "members-0-given_name", "Omid")
    await type_into(page, "members-0-family_name", "Rahimi")
    await type_into(page, "members-0-date_of_birth", "01.02.1990")
    await tab_to(page, by_id("members-0-sex"))
    await page.keyboard.type("m")
    await type_into(page, "members-0-nationality", "AFG")
    await tab_to(page, by_id("members-0-residence_status"))
    await page.keyboard.type("Dul")
    await type_into(page, "members-0-residence_status_expires_on", "01.06.2027")
    await expect(page.locator("#members-0-sex")).to_have_value("male")
    await expect(page.locator("#members-0-residence_status")).to_have_value("duldung")
    # Enter in a text field saves (the form's default button), it does not add a row.
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Haushalt Rahimi")

    await tab_to(page, by_text("Mir zuweisen"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("ist jetzt kai")

    # Housing officer: waiting queue, place into the unit, see the board.
    await wait_for_queue(tools, number)
    page = await (await new_context()).new_page()
    await keyboard_sign_in(page, f"{tools.housing.url}/ui/", "hanna", Role.HOUSING_OFFICER)
    await tab_to(page, by_text("Warteliste"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Warteliste")
    await tab_to(page, by_text(f"Unterbringen Haushalt {number}"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Haushalt {number} unterbringen"
    )
    radio = await tab_to(page, lambda current: current.get("name") == "unit_id")
    while radio["value"] != site["units"][0]["id"]:
        await page.keyboard.press("ArrowDown")
        radio = await focused(page)
    await page.keyboard.press("Space")
    await tab_to(page, by_text("Haushalt unterbringen"))
    await page.keyboard.press("Enter")
    await expect(
        page.get_by_role("status").filter(has_text=f"Haushalt {number} ist in")
    ).to_be_visible()
    assert await occupied_beds(page, site["name"], "K1") == "1"
    assert await free_beds(page, site["name"], "K1") == "2"


# --- every page, every role that may see it: axe-core -----------------------------------


async def test_every_page_passes_axe_for_every_role_that_may_see_it(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    site = await new_site(
        tools, [{"name": "W1", "beds": 4}, {"name": "W2", "beds": 2, "accessible": True}]
    )
    housed_number, waiting_number, expected_number = notice(), notice(), notice()
    housed_id = await queued_household(tools, housed_number)
    waiting_id = await queued_household(tools, waiting_number)
    expected_id = await queued_household(tools, expected_number)
    placement_id = await place_by_api(tools, housed_id, site["units"][0]["id"])
    # A reservation, so that the queue shows one with its button and the board counts it.
    await reserve_by_api(tools, expected_id, site["units"][0]["id"])
    checks = PageChecks(axe_report)
    async with httpx.AsyncClient(base_url=tools.intake.url) as client:
        read = await client.get(
            f"/households/{housed_id}", headers=tools.system.headers(Role.CASEWORKER)
        )
    member_id = read.json()["members"][0]["id"]
    # A closed case: its pages show since when instead of the forms it would refuse.
    [closed_id] = await register_households(
        tools.intake, tools.system.headers(Role.CASEWORKER), [notice()]
    )
    async with httpx.AsyncClient(base_url=tools.intake.url) as client:
        closing = await client.post(
            f"/households/{closed_id}/closure",
            json={"reason": "other", "closed_on": today().isoformat()},
            headers=tools.system.headers(Role.CASEWORKER),
        )
        assert closing.status_code == 200, closing.text

    intake_url, housing_url = f"{tools.intake.url}/ui", f"{tools.housing.url}/ui"
    # A caseworker of the household's team, and a team lead who also places households.
    staff = {
        Role.CASEWORKER: [Role.CASEWORKER],
        Role.TEAM_LEAD: [Role.CASEWORKER, Role.TEAM_LEAD, Role.HOUSING_OFFICER],
    }
    for role, roles in staff.items():
        page = await (await new_context()).new_page()
        await page.goto(f"{intake_url}/")
        if role is Role.CASEWORKER:
            await checks.check(page, "provider-sign-in")
            await checks.visit(
                page, f"{intake_url}/barrierefreiheit", "intake-accessibility-anonymous"
            )
            await page.goto(f"{intake_url}/")
        await sign_in(page, f"{intake_url}/", subject=f"{role.value}-1", roles=roles)
        tag = role.value
        await checks.visit(page, f"{intake_url}/", f"intake-households-{tag}")
        await checks.visit(
            page, f"{intake_url}/?q=Karimi&status=awaiting", f"intake-filtered-{tag}"
        )
        await checks.visit(
            page, f"{intake_url}/?allocated_from=gestern", f"intake-filter-error-{tag}"
        )
        await checks.visit(page, f"{intake_url}/haushalte/{housed_id}", f"intake-household-{tag}")
        await page.get_by_role("button", name="Fachkraft zuweisen").click()
        await checks.check(page, f"intake-assign-error-{tag}")
        # The household over time: a member added, one corrected, given a status, removed.
        new_member = f"{intake_url}/haushalte/{housed_id}/mitglieder/neu"
        await checks.visit(page, new_member, f"intake-new-member-{tag}")
        await checks.submit_with_errors(
            page, "Mitglied hinzufügen", f"intake-new-member-errors-{tag}"
        )
        member = f"{intake_url}/haushalte/{housed_id}/mitglieder/{member_id}"
        await checks.visit(page, member, f"intake-member-{tag}")
        await checks.submit_with_errors(page, "Mitglied entfernen", f"intake-member-errors-{tag}")
        if role is Role.CASEWORKER:  # the residence obligation (§ 12a AufenthG)
            await page.goto(member)
            await checks.submit_with_errors(
                page, "Wohnsitzauflage speichern", f"intake-obligation-errors-{tag}"
            )
            await page.get_by_label("An die Stadt gebunden bis").fill(
                f"{today() + timedelta(days=400):%d.%m.%Y}"
            )
            await page.get_by_role("button", name="Wohnsitzauflage speichern").click()
            await expect(page.locator("[data-obligation]")).to_contain_text("An die Stadt gebunden")
            await checks.check(page, f"intake-member-obligation-{tag}")
            await checks.submit_with_errors(
                page, "Wohnsitzauflage aufheben", f"intake-obligation-lift-errors-{tag}"
            )
        if role is Role.CASEWORKER:  # case notes: the household's own team only
            notes = f"{intake_url}/haushalte/{housed_id}/vermerke"
            await checks.visit(page, notes, f"intake-notes-{tag}")
            await checks.submit_with_errors(page, "Vermerk speichern", f"intake-notes-errors-{tag}")
            await page.get_by_label("Kategorie").select_option("beratung")
            await page.get_by_label("Vermerk", exact=True).fill("Erstgespräch geführt")
            await page.get_by_role("button", name="Vermerk speichern").click()
            await page.get_by_role("link", name=re.compile("^Ändern oder ergänzen")).click()
            await checks.check(page, f"intake-note-{tag}")
            await checks.submit_with_errors(page, "Nachtrag speichern", f"intake-note-errors-{tag}")
        consents = f"{intake_url}/haushalte/{housed_id}/einwilligungen"
        await checks.visit(page, consents, f"intake-consents-{tag}")
        await checks.submit_with_errors(
            page, "Einwilligung erfassen", f"intake-consents-errors-{tag}"
        )
        appointments = f"{intake_url}/haushalte/{housed_id}/termine"
        await checks.visit(page, appointments, f"intake-appointments-{tag}")
        await checks.submit_with_errors(
            page, "Termin vereinbaren", f"intake-appointments-errors-{tag}"
        )
        follow_ups = f"{intake_url}/haushalte/{housed_id}/wiedervorlagen"
        await checks.visit(page, follow_ups, f"intake-follow-ups-{tag}")
        await checks.submit_with_errors(
            page, "Wiedervorlage anlegen", f"intake-follow-ups-errors-{tag}"
        )
        if role is Role.CASEWORKER:  # a closed case, read-only
            closed = f"{intake_url}/haushalte/{closed_id}"
            pages = ("/abschluss", "", "/termine", "/wiedervorlagen", "/vermittlungen", "/vermerke")
            for suffix in pages:
                await checks.visit(page, closed + suffix, f"intake-closed{suffix}-{tag}")
            await expect(page.locator("[data-case-closed]")).to_contain_text("abgeschlossen")
        await checks.visit(page, f"{intake_url}/zuweisungen/neu", f"intake-new-allocation-{tag}")
        await checks.submit_with_errors(
            page, "Zuweisung erfassen", f"intake-new-allocation-errors-{tag}"
        )
        await checks.visit(page, f"{intake_url}/barrierefreiheit", f"intake-accessibility-{tag}")
        await checks.visit(
            page, f"{intake_url}/haushalte/{uuid.uuid4()}", f"intake-404-{tag}", status=404
        )
        await checks.visit(
            page, f"{intake_url}/sprache/en?next=/ui/", f"intake-households-en-{tag}"
        )
        await checks.visit(page, f"{intake_url}/barrierefreiheit", f"intake-accessibility-en-{tag}")
        await page.goto(f"{intake_url}/sprache/de?next=/ui/")
        if role is Role.TEAM_LEAD:
            # One sign-in serves every tool: the provider remembers the person.
            await (
                page.get_by_role("navigation", name="Werkzeuge")
                .get_by_role("link", name="Unterbringung")
                .click()
            )
            await expect(page.get_by_role("heading", level=1)).to_have_text("Belegung")
            assert page.url.startswith(housing_url)
            # The household's protection needs, recorded in housing from intake's page.
            await checks.visit(
                page, f"{housing_url}/haushalte/{housed_id}/schutzbedarf", f"housing-needs-{tag}"
            )
            await page.goto(f"{intake_url}/")
        await page.get_by_role("button", name="Abmelden").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Abgemeldet")
        await checks.check(page, f"intake-signed-out-{tag}")

    for role in (Role.HOUSING_OFFICER,):
        page = await signed_in(
            new_context, f"{housing_url}/", subject=f"{role.value}-1", roles=[role]
        )
        tag = role.value
        await checks.visit(page, f"{housing_url}/", f"housing-board-{tag}")
        await checks.visit(page, f"{housing_url}/warteliste", f"housing-waiting-queue-{tag}")
        place = f"{housing_url}/warteliste/{waiting_id}/unterbringen"
        await checks.visit(page, place, f"housing-place-{tag}")
        await page.get_by_label("Einzug am").fill("")
        await checks.submit_with_errors(
            page, "Haushalt unterbringen", f"housing-place-errors-{tag}"
        )
        priority = f"{housing_url}/warteliste/{waiting_id}/vorrang"
        await checks.visit(page, priority, f"housing-priority-{tag}")
        await checks.submit_with_errors(page, "Vorrang geben", f"housing-priority-errors-{tag}")
        reserve = f"{housing_url}/warteliste/{waiting_id}/reservieren"
        await checks.visit(page, reserve, f"housing-reserve-{tag}")
        await checks.submit_with_errors(page, "Betten reservieren", f"housing-reserve-errors-{tag}")
        move_out = f"{housing_url}/belegungen/{placement_id}/auszug"
        await checks.visit(page, move_out, f"housing-move-out-{tag}")
        await checks.submit_with_errors(page, "Auszug erfassen", f"housing-move-out-errors-{tag}")
        transfer = f"{housing_url}/belegungen/{placement_id}/umzug"
        await checks.visit(page, transfer, f"housing-transfer-{tag}")
        await checks.submit_with_errors(page, "Umzug erfassen", f"housing-transfer-errors-{tag}")
        await checks.visit(page, f"{housing_url}/standorte", f"housing-sites-{tag}")
        await checks.submit_with_errors(page, "Standort erfassen", f"housing-sites-errors-{tag}")
        await checks.visit(page, f"{housing_url}/standorte/{site['id']}", f"housing-site-{tag}")
        await checks.submit_with_errors(
            page, "Wohneinheit hinzufügen", f"housing-site-errors-{tag}"
        )
        # The unit the household lives in, closed: the screen names it for a transfer.
        closed_unit = site["units"][0]["id"]
        await close_by_api(tools, closed_unit)
        closures = f"{housing_url}/einheiten/{closed_unit}/sperrungen"
        await checks.visit(page, closures, f"housing-closures-{tag}")
        await checks.submit_with_errors(
            page, "Sperrung eintragen", f"housing-closures-errors-{tag}"
        )
        await checks.visit(page, f"{housing_url}/", f"housing-board-closed-{tag}")
        await checks.visit(page, f"{housing_url}/barrierefreiheit", f"housing-accessibility-{tag}")

    trail = f"{intake_url}/zugriffsprotokoll"
    page = await signed_in(new_context, trail, subject="dpo-1", roles=[Role.DATA_PROTECTION])
    await checks.visit(page, trail, "intake-audit-trail-data_protection")
    record = f"resource_type=household&resource_id={housed_id}"
    await checks.visit(page, f"{trail}?{record}", "intake-audit-trail-record-data_protection")
    await checks.visit(
        page,
        f"{housing_url}/zugriffsprotokoll?{record}",
        "housing-audit-trail-record-data_protection",
    )
    await checks.visit(
        page,
        f"{trail}?resource_type=household",
        "intake-audit-trail-error-data_protection",
        status=422,
    )
    # Erasure requests: the officer's way into intake, from its start page.
    await checks.visit(page, f"{intake_url}/", "intake-erasure-requests-data_protection")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Löschanträge")
    await checks.submit_with_errors(
        page, "Löschung beantragen", "intake-erasure-requests-errors-data_protection"
    )
    # Of a household no service knows: every service confirms, having erased nothing.
    await page.get_by_label("Wessen Daten").select_option("household")
    await page.get_by_label("Kennung").fill(str(uuid.uuid4()))
    await page.get_by_label("Grund").fill("Antrag nach Art. 17 DSGVO")
    await page.get_by_role("button", name="Löschung beantragen", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Löschantrag vom")
    await checks.check(page, "intake-erasure-request-data_protection")

    page = await signed_in(new_context, f"{intake_url}/", subject="vera", roles=[Role.VOLUNTEER])
    await checks.visit(page, f"{intake_url}/", "intake-forbidden-volunteer", status=403)
    await checks.visit(page, f"{housing_url}/", "housing-forbidden-volunteer", status=403)

    failing = [check for check in axe_report.checks if check["violations"]]
    assert failing == []
    assert len(checks.checked) >= 40, checks.checked


async def test_a_signed_in_volunteer_sees_no_household_list(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    number = notice()
    await register_households(tools.intake, tools.system.headers(Role.CASEWORKER), [number])
    page = await signed_in(
        new_context, f"{tools.intake.url}/ui/", subject="vera", roles=[Role.VOLUNTEER]
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
    assert await page.get_by_role("table").count() == 0
    assert number not in await page.content()
    assert await sections(page).count() == 0
    response = await page.goto(f"{tools.intake.url}/ui/zuweisungen/neu")
    assert response is not None
    assert response.status == 403
    await screenshot(page, "intake-volunteer-no-access")
