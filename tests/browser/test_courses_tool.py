"""The courses staff tool in Chromium: offers, enrolling, the waitlist, by mouse and keyboard.

Households come from intake's API and reach courses as `household.assigned` events, as
in production; courses never learns names, so the pages show "Person 1" of a household.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from teilhabe.auth import Role

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


@dataclass(frozen=True)
class Household:
    """A household as courses knows it: its notice number and members in its own order."""

    number: str
    member_ids: list[str]  # Person 1 (adult), Person 2 (school child), as intake registers them


async def households(tools: Tools, count: int) -> list[Household]:
    """Register households at intake's API; return them once courses knows their members."""
    numbers = [notice() for _ in range(count)]
    await register_households(tools.intake, tools.system.headers(Role.CASEWORKER), numbers)
    found = []
    for number in numbers:

        async def known(number: str = number) -> list[Any]:
            return await tools.system.query_all(
                "courses",
                "SELECT member_id FROM person WHERE allocation_notice_number = $1"
                " ORDER BY position",
                number,
            )

        rows = await eventually(known)
        found.append(Household(number, [str(row["member_id"]) for row in rows]))
    return found


async def new_course(tools: Tools, **overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "integration_course",
        "provider": "VHS Dülmen-Haltern am See-Havixbeck",
        "title": f"Integrationskurs A1 {uuid.uuid4().hex[:6]}",
        "level": "A1",
        "starts_on": "2027-01-04",
        "ends_on": "2027-06-30",
        "weekly_times": "Mo–Fr 8:30–12:45",
        "place": "Bildungszentrum, Königswall 1, 48249 Dülmen",
        "seats": 1,
        **overrides,
    }
    async with httpx.AsyncClient(base_url=tools.courses.url) as client:
        response = await client.post(
            "/courses", json=body, headers=tools.system.headers(Role.COURSE_COORDINATOR)
        )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def enroll_by_api(tools: Tools, course_id: str, member_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=tools.courses.url) as client:
        response = await client.post(
            f"/courses/{course_id}/enrollments",
            json={"member_id": member_id},
            headers=tools.system.headers(Role.COURSE_COORDINATOR),
        )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def withdraw_by_api(tools: Tools, enrollment_id: str) -> None:
    async with httpx.AsyncClient(base_url=tools.courses.url) as client:
        response = await client.post(
            f"/enrollments/{enrollment_id}/withdraw",
            headers=tools.system.headers(Role.COURSE_COORDINATOR),
        )
    assert response.status_code == 200, response.text


def row(page: Page, table: str, number: str) -> Any:
    return page.locator(f'#{table} tr[data-household="{number}"]')


def main(page: Page) -> Any:
    return page.get_by_role("main")


# --- the coordinator's flow by mouse ------------------------------------------------------


async def test_coordinator_creates_a_course_fills_it_and_the_waitlist_moves_up(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    first, second = await households(tools, 2)
    title = f"Integrationskurs A1 vormittags {uuid.uuid4().hex[:6]}"

    page = await signed_in(
        new_context, f"{tools.courses.url}/ui/", subject="petra", roles=[Role.COURSE_COORDINATOR]
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kursangebot")
    await screenshot(page, "courses-catalogue")

    await sections(page).get_by_role("link", name="Neues Angebot").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Neues Angebot")
    await page.get_by_label("Art des Angebots").select_option("integration_course")
    await page.get_by_label("Titel").fill(title)
    await page.get_by_label("Träger").fill("VHS Dülmen-Haltern am See-Havixbeck")
    await page.get_by_label("Niveau").fill("A1")
    await page.get_by_label("Beginn", exact=True).fill("04.01.2027")
    await page.get_by_label("Ende – freiwillig").fill("30.06.2027")
    await page.get_by_label("Zeiten pro Woche").fill("Mo–Fr 8:30–12:45 Uhr")
    await page.get_by_label("Ort").fill("Bildungszentrum, Königswall 1, 48249 Dülmen")
    await page.get_by_label("Plätze").fill("1")
    await screenshot(page, "courses-new-offer-filled")
    await page.get_by_role("button", name="Angebot anlegen").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.get_by_role("status")).to_have_text(f"Das Angebot „{title}“ ist angelegt.")
    await expect(page.locator('[data-total="seats"]')).to_have_text("1 von 1 frei")
    await screenshot(page, "courses-course-created")

    # The first person gets the seat.
    await main(page).get_by_role("link", name="Person anmelden").click()
    await page.get_by_label("Zuweisungsnummer").fill(first.number)
    await page.get_by_role("button", name="Haushalt suchen").click()
    await expect(page.get_by_role("group", name="Wer soll angemeldet werden?")).to_be_visible()
    await screenshot(page, "courses-enrol-household-found")
    await page.get_by_label(re.compile(r"^Person 1: Erwachsen")).check()
    await page.get_by_role("button", name="Anmelden", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(
        f"Person 1 des Haushalts {first.number} ist für „{title}“ angemeldet."
    )
    await expect(row(page, "participants", first.number)).to_contain_text("Person 1")

    # The course is full: the second person goes onto the waitlist, at position 1.
    await main(page).get_by_role("link", name="Person anmelden").click()
    await expect(page.get_by_role("main")).to_contain_text("Alle Plätze sind belegt")
    await page.get_by_label("Zuweisungsnummer").fill(second.number)
    await page.get_by_label("Zuweisungsnummer").press("Enter")
    await page.get_by_label(re.compile(r"^Person 1: Erwachsen")).check()
    await page.get_by_role("button", name="Anmelden", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(
        f"Alle Plätze in „{title}“ sind belegt: Person 1 des Haushalts {second.number}"
        " steht auf Platz 1 der Warteliste."
    )
    waiting = row(page, "waitlist", second.number)
    await expect(waiting.locator("[data-position]")).to_have_text("1")
    await expect(waiting).to_contain_text("Erwachsen")
    await expect(row(page, "participants", first.number)).to_have_count(1)
    await screenshot(page, "courses-course-with-waitlist")
    await check_axe(page, axe_report, "courses course with waitlist (course_coordinator)")

    # Withdrawing the participant offers the seat to the first on the waitlist, who takes it.
    await page.get_by_role(
        "button", name=f"Vom Kurs abmelden Person 1, Haushalt {first.number}"
    ).click()
    await expect(page.get_by_role("status")).to_contain_text(
        f"Person 1 des Haushalts {first.number} ist abgemeldet. Der frei gewordene Platz"
        f" wird Person 1 des Haushalts {second.number} von der Warteliste angeboten"
    )
    await expect(row(page, "waitlist", second.number)).to_contain_text("angeboten bis")
    await check_axe(page, axe_report, "courses course with a seat offer (course_coordinator)")
    await page.get_by_role(
        "button", name=f"Platz annehmen Person 1, Haushalt {second.number}"
    ).click()
    await expect(page.get_by_role("status")).to_have_text(
        f"Person 1 des Haushalts {second.number} hat den Platz angenommen und ist angemeldet."
    )
    await expect(row(page, "participants", second.number)).to_contain_text("Person 1")
    await expect(row(page, "participants", first.number)).to_have_count(0)
    await expect(page.locator("#waitlist")).to_have_count(0)
    await expect(page.get_by_role("main")).to_contain_text("Es wartet niemand.")
    await screenshot(page, "courses-course-after-withdrawal")

    # The catalogue counts the same.
    await page.get_by_role("link", name="Zurück zum Kursangebot").click()
    await page.get_by_label("Art des Angebots").select_option("integration_course")
    await page.get_by_role("button", name="Anzeigen").click()
    await expect(page.get_by_label("Art des Angebots")).to_have_value("integration_course")
    course_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title))
    await expect(course_row.locator("[data-free]")).to_have_text("0")
    await expect(course_row.locator("[data-waitlisted]")).to_have_text("0")
    await screenshot(page, "courses-catalogue-filtered")


# --- the enrol flow by keyboard alone ----------------------------------------------------


async def test_enrolling_works_with_the_keyboard_alone(
    tools: Tools, new_context: Callable[[], Any]
) -> None:
    [family] = await households(tools, 1)
    course = await new_course(
        tools, kind="leisure", title=f"Schwimmen für alle {uuid.uuid4().hex[:6]}", seats=3
    )
    course_url = f"{tools.courses.url}/ui/kurse/{course['id']}"

    page = await (await new_context()).new_page()
    await keyboard_sign_in(page, course_url, "kai", Role.COURSE_COORDINATOR)
    await expect(page.get_by_role("heading", level=1)).to_have_text(course["title"])
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"] == "Zum Inhalt springen"
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "inhalt"
    await tab_to(page, by_text("Person anmelden"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Person für")

    await tab_to(page, by_id("allocation_notice_number"))
    await page.keyboard.type(family.number)
    await page.keyboard.press("Enter")  # the search form's only button
    await expect(page.get_by_role("group", name="Wer soll angemeldet werden?")).to_be_visible()

    # Arrow keys move within the radio group: the second member, a school child.
    radio = await tab_to(page, lambda current: current.get("name") == "member_id")
    while radio["value"] != family.member_ids[1]:
        await page.keyboard.press("ArrowDown")
        radio = await focused(page)
    await page.keyboard.press("Space")
    await tab_to(page, by_text("Anmelden"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(
        f"Person 2 des Haushalts {family.number} ist für „{course['title']}“ angemeldet."
    )
    await expect(row(page, "participants", family.number)).to_contain_text("Schulkind")

    await tab_to(page, by_text(f"Vom Kurs abmelden Person 2, Haushalt {family.number}"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Der Platz ist wieder frei.")
    await expect(page.get_by_role("main")).to_contain_text("Es ist noch niemand angemeldet.")


# --- every page, every role that may see it: axe-core -----------------------------------


async def test_every_page_passes_axe_for_every_role_that_may_see_it(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    checks = PageChecks(axe_report)
    courses_url = f"{tools.courses.url}/ui"

    for role in (Role.COURSE_COORDINATOR,):
        tag = role.value
        taken, waiting = await households(tools, 2)
        course = await new_course(tools, seats=1)
        seated = await enroll_by_api(tools, course["id"], taken.member_ids[0])
        await enroll_by_api(tools, course["id"], waiting.member_ids[0])
        course_url = f"{courses_url}/kurse/{course['id']}"
        enrol_url = f"{course_url}/anmelden"

        page = await signed_in(new_context, f"{courses_url}/", subject=f"{tag}-1", roles=[role])
        await checks.visit(page, f"{courses_url}/", f"courses-catalogue-{tag}")
        await checks.visit(
            page, f"{courses_url}/?kind=integration_course", f"courses-filtered-{tag}"
        )
        await checks.visit(page, f"{courses_url}/?kind=leisure&page=9", f"courses-empty-page-{tag}")
        await checks.visit(page, f"{courses_url}/kurse/neu", f"courses-new-offer-{tag}")
        await checks.submit_with_errors(page, "Angebot anlegen", f"courses-new-offer-errors-{tag}")
        await page.locator("#starts_on").fill("01.02.2027")
        await page.locator("#ends_on").fill("01.01.2027")
        await checks.submit_with_errors(
            page, "Angebot anlegen", f"courses-new-offer-rule-error-{tag}"
        )

        await checks.visit(page, course_url, f"courses-course-{tag}")
        await expect(row(page, "participants", taken.number)).to_contain_text("Person 1")
        await expect(row(page, "waitlist", waiting.number).locator("[data-position]")).to_have_text(
            "1"
        )
        # School and Kita places: the list, a request's page with its form's refusal, then
        # an outcome recorded (the household's school child, requested by intake).
        child = taken.member_ids[1]

        async def requested(child: str = child) -> list[Any]:
            return await tools.system.query_all(
                "courses",
                "SELECT 1 FROM school_place_request WHERE member_id = $1",
                uuid.UUID(child),
            )

        await eventually(requested)
        await checks.visit(page, f"{courses_url}/schulplaetze", f"courses-school-places-{tag}")
        await expect(page.locator(f'#school-places tr[data-member="{child}"]')).to_contain_text(
            "Schulkind"
        )
        await checks.visit(
            page, f"{courses_url}/schulplaetze/{child}", f"courses-school-place-{tag}"
        )
        await page.locator("#outcome").select_option("placed")
        await checks.submit_with_errors(
            page, "Ergebnis erfassen", f"courses-school-place-errors-{tag}"
        )
        await page.locator("#institution").select_option("school")
        await page.locator("#institution_name").fill("Grundschule Mitte")
        await page.get_by_role("button", name="Ergebnis erfassen").click()
        await expect(page.locator(".kern-alert[role=status]")).to_have_text(
            "Das Ergebnis ist erfasst: Platz gefunden."
        )
        await checks.check(page, f"courses-school-places-after-{tag}")
        # Calendars: the offer's, and a participant's page with theirs, each address issued.
        await checks.visit(page, f"{course_url}/kalender", f"courses-course-calendar-{tag}")
        await page.get_by_role("button", name="Adresse ausstellen").click()
        await expect(page.locator("#feed-address")).to_contain_text("/kalender/")
        await checks.check(page, f"courses-course-calendar-issued-{tag}")
        participant_url = f"{courses_url}/teilnehmende/{taken.member_ids[0]}"
        await checks.visit(page, participant_url, f"courses-participant-{tag}")
        await expect(page.locator("#participant-offers")).to_contain_text(course["title"])
        await page.get_by_role("button", name="Adresse ausstellen").click()
        await expect(page.locator("#feed-address")).to_contain_text("/kalender/")
        await checks.check(page, f"courses-participant-calendar-issued-{tag}")
        # Work: the list, a participant's work page and its forms' refusals at their fields.
        await checks.visit(page, f"{courses_url}/arbeit", f"courses-work-{tag}")
        work_url = f"{courses_url}/arbeit/personen/{taken.member_ids[0]}"
        await checks.visit(page, work_url, f"courses-work-person-{tag}")
        await checks.submit_with_errors(
            page, "Arbeitserlaubnis erfassen", f"courses-work-permit-errors-{tag}"
        )
        await page.locator("#started_on").fill("02.11.2026")
        await page.locator("#employer_category").select_option("care")
        await page.locator("#hours_per_week").fill("19,5")
        await checks.submit_with_errors(page, "Beginn erfassen", f"courses-work-no-permit-{tag}")
        await expect(page.locator("#started_on-error")).to_contain_text("Arbeitserlaubnis")
        # Work opportunities: the list, a new one (errors, then created), and the
        # participant proposed for it from their work page, then the placement's page.
        await checks.visit(page, f"{courses_url}/arbeit/angebote", f"courses-opportunities-{tag}")
        await checks.visit(
            page, f"{courses_url}/arbeit/angebote/neu", f"courses-new-opportunity-{tag}"
        )
        await checks.submit_with_errors(
            page, "Arbeitsangebot anlegen", f"courses-new-opportunity-errors-{tag}"
        )
        await page.locator("#kind").select_option("job_readiness")
        await page.locator("#title").fill("Berufsorientierung Handwerk")
        await page.locator("#employer_category").select_option("craft")
        await page.locator("#hours_per_week").fill("20")
        await page.locator("#place").fill("Innenstadt")
        await page.locator("#postcode").fill("48249")
        await page.locator("#seats").fill("4")
        await page.locator("#starts_on").fill("01.12.2026")
        await page.get_by_role("button", name="Arbeitsangebot anlegen").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Berufsorientierung Handwerk"
        )
        await checks.check(page, f"courses-opportunity-{tag}")
        await page.goto(work_url)
        await page.locator("#opportunity_id").select_option(index=1)
        await page.locator("#proposed_on").fill("01.12.2026")
        await page.get_by_role("button", name="Vorschlagen").click()
        await page.locator("#placements a").first.click()
        await checks.check(page, f"courses-placement-{tag}")
        await checks.submit_with_errors(page, "Beginn erfassen", f"courses-placement-errors-{tag}")
        # Sessions and the attendance at one: the forms' errors, then a session recorded.
        await checks.visit(page, f"{course_url}/termine", f"courses-sessions-{tag}")
        await checks.submit_with_errors(page, "Termin anlegen", f"courses-sessions-errors-{tag}")
        await page.locator("#day").fill("07.12.2026")
        await page.locator("#starts_at").fill("8:30")
        await page.locator("#ends_at").fill("12:45")
        await page.get_by_role("button", name="Termin anlegen").click()
        await page.get_by_role("link", name=re.compile(r"^Anwesenheit erfassen")).click()
        await checks.check(page, f"courses-attendance-{tag}")
        await checks.submit_with_errors(
            page, "Anwesenheit erfassen", f"courses-attendance-errors-{tag}"
        )
        await checks.visit(
            page, f"{courses_url}/anmeldungen/{seated['id']}/abschluss", f"courses-complete-{tag}"
        )
        await page.goto(course_url)
        # Withdrawn meanwhile by someone else: the stale button says so.
        await withdraw_by_api(tools, seated["id"])
        await page.get_by_role(
            "button", name=f"Vom Kurs abmelden Person 1, Haushalt {taken.number}"
        ).click()
        await expect(page.locator("[data-error-summary]")).to_be_focused()
        await expect(page.locator("[data-error-summary]")).to_contain_text(
            "Diese Anmeldung war bereits zurückgenommen."
        )
        await checks.check(page, f"courses-withdraw-error-{tag}")

        await checks.visit(page, enrol_url, f"courses-enrol-{tag}")
        await checks.submit_with_errors(
            page, "Haushalt suchen", f"courses-enrol-search-empty-{tag}"
        )
        await page.get_by_label("Zuweisungsnummer").fill("BRA-0000-UNBEKANNT")
        await checks.submit_with_errors(
            page, "Haushalt suchen", f"courses-enrol-search-unknown-{tag}"
        )
        await page.get_by_label("Zuweisungsnummer").fill(taken.number)
        await page.get_by_role("button", name="Haushalt suchen").click()
        await checks.check(page, f"courses-enrol-household-{tag}")
        await checks.submit_with_errors(page, "Anmelden", f"courses-enrol-nobody-chosen-{tag}")
        await page.get_by_label(re.compile(r"^Person 2: Schulkind")).check()
        await checks.submit_with_errors(page, "Anmelden", f"courses-enrol-not-eligible-{tag}")
        await expect(page.locator("#member_id-error")).to_contain_text("Erwachsen")

        # A community offer: the guest form, its errors, and the course page with a guest.
        cafe = await new_course(
            tools,
            seats=1,
            kind="community",
            title=f"Begegnungscafé {uuid.uuid4().hex[:6]}",
            starts_on="2026-12-01",
            ends_on="2099-12-31",
        )
        cafe_url = f"{courses_url}/kurse/{cafe['id']}"
        await checks.visit(page, f"{cafe_url}/gaeste/neu", f"courses-guest-form-{tag}")
        await checks.submit_with_errors(page, "Gast aufnehmen", f"courses-guest-errors-{tag}")
        await page.get_by_label("Name").fill("Jutta Brinkmann")
        await page.get_by_label("Kontakt").fill("0151 2345678")
        await page.get_by_role("button", name="Gast aufnehmen").click()
        await expect(page.locator("#guests")).to_contain_text("Jutta Brinkmann")
        await checks.check(page, f"courses-course-with-guest-{tag}")

        await checks.visit(
            page, f"{courses_url}/kurse/{uuid.uuid4()}", f"courses-404-{tag}", status=404
        )
        await checks.visit(page, f"{courses_url}/barrierefreiheit", f"courses-accessibility-{tag}")
        await checks.visit(page, f"{courses_url}/kennzahlen", f"courses-figures-{tag}")
        await checks.visit(page, f"{courses_url}/arbeit/kennzahlen", f"courses-work-figures-{tag}")
        await checks.visit(
            page, f"{courses_url}/sprache/en?next=/ui/", f"courses-catalogue-en-{tag}"
        )
        await checks.visit(page, course_url, f"courses-course-en-{tag}")
        await page.goto(f"{courses_url}/sprache/de?next=/ui/")

    # A caseworker finds a person of their household and records the permit status.
    [family] = await households(tools, 1)
    page = await signed_in(
        new_context, f"{courses_url}/arbeit", subject="caseworker-work", roles=[Role.CASEWORKER]
    )
    await checks.visit(
        page,
        f"{courses_url}/arbeit?allocation_notice_number={family.number}",
        "courses-work-find-caseworker",
    )
    await page.locator("[data-found] a").first.click()
    await page.locator("#status").select_option("permitted")
    await page.get_by_role("button", name="Arbeitserlaubnis erfassen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Arbeitserlaubnis ist erfasst.")
    await expect(page.locator("#permit-history")).to_contain_text("Erwerbstätigkeit gestattet")
    await checks.check(page, "courses-work-person-caseworker")
    await checks.visit(page, f"{courses_url}/arbeit/kennzahlen", "courses-work-figures-caseworker")
    # The course offer, read only: what there is to advise a household on.
    await checks.visit(page, f"{courses_url}/", "courses-catalogue-caseworker")
    await checks.visit(
        page, f"{courses_url}/?kind=integration_course", "courses-filtered-caseworker"
    )
    # Enrolling a person of their household: the page, the household found, and back on
    # the course offer with the confirmation (the course's participants are not theirs).
    offer = await new_course(tools, seats=1)
    await checks.visit(
        page, f"{courses_url}/kurse/{offer['id']}/anmelden", "courses-enrol-caseworker"
    )
    await expect(page.get_by_role("link", name="Zurück zum Angebot")).to_have_attribute(
        "href", "/ui/"
    )
    await page.get_by_label("Zuweisungsnummer").fill(family.number)
    await page.get_by_role("button", name="Haushalt suchen").click()
    await checks.check(page, "courses-enrol-household-caseworker")
    await page.get_by_label(re.compile(r"^Person 1: Erwachsen")).check()
    await page.get_by_role("button", name="Anmelden", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="angemeldet")).to_have_text(
        f"Person 1 des Haushalts {family.number} ist für „{offer['title']}“ angemeldet."
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kursangebot")
    await checks.check(page, "courses-enrolled-caseworker")

    failing = [entry for entry in axe_report.checks if entry["violations"]]
    assert failing == []
    assert len(checks.checked) == 54, checks.checked


# --- who may not see it ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.VOLUNTEER])
async def test_other_roles_get_403_and_see_no_participant(
    role: Role, tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    [family] = await households(tools, 1)
    course = await new_course(tools)
    await enroll_by_api(tools, course["id"], family.member_ids[0])
    courses_url = f"{tools.courses.url}/ui"

    page = await signed_in(new_context, f"{courses_url}/", subject=f"{role.value}-2", roles=[role])
    course_url = f"/kurse/{course['id']}"
    refused = [course_url, f"{course_url}/termine", "/kurse/neu"]
    if role == Role.CASEWORKER:
        # Caseworkers start on the course offer: no way to a course's participants nor
        # to creating offers from there, only to enrolling the people in their care.
        await expect(page.get_by_role("heading", level=1)).to_have_text("Kursangebot")
        await page.goto(f"{courses_url}/?kind=integration_course")
        assert await main(page).locator("[data-course]").count() > 0
        links = main(page).locator('a[href*="/kurse/"]')
        hrefs = [await link.get_attribute("href") or "" for link in await links.all()]
        assert hrefs, "the enrol actions"
        assert all(href.endswith("/anmelden") for href in hrefs), hrefs
        assert family.number not in await main(page).inner_text()
    else:
        await expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
        assert await sections(page).count() == 0
        refused[1:1] = [f"{course_url}/anmelden"]
        refused.insert(0, "/")
    for path in refused:
        response = await page.goto(courses_url + path)
        assert response is not None
        assert response.status == 403, path
        assert await page.get_by_role("table").count() == 0
        content = await main(page).inner_text()
        assert family.number not in content
        assert course["title"] not in await page.content()
    await check_axe(page, axe_report, f"courses-forbidden-{role.value}")
    await screenshot(page, f"courses-forbidden-{role.value}")
