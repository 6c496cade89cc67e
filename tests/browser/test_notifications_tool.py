"""The notifications tool in Chromium: inbox, settings and delivery log against real processes.

All five services run (the `tools` fixture) with a real SMTP server: a household
registered at intake's API reaches the housing officers' inboxes through the broker, and
their e-mail through notifications' sender.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
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
    sign_in,
    signed_in,
    tab_to,
)
from tests.support import eventually, household_body, register_households

pytestmark = [pytest.mark.system, pytest.mark.broker]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- data the screens show, made through the APIs ----------------------------------------


async def put_me(tools: Tools, subject: str, role: Role, email: str) -> None:
    async with httpx.AsyncClient(base_url=tools.notifications.url) as client:
        response = await client.put(
            "/me",
            json={"email": email, "language": "de"},
            headers=tools.system.headers(role, subject=subject),
        )
    assert response.status_code == 200, response.text


async def api_inbox(tools: Tools, subject: str, role: Role) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=tools.notifications.url) as client:
        response = await client.get(
            "/inbox",
            params={"limit": 200},
            headers=tools.system.headers(role, subject=subject),
        )
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def notified(
    tools: Tools, subject: str, role: Role, text: str = "", *, event_type: str = ""
) -> dict[str, Any]:
    """The person's notification whose title contains `text` (of `event_type`), once there."""

    def wanted(item: dict[str, Any]) -> bool:
        return text in item["title"] and event_type in ("", item["event_type"])

    async def arrived() -> dict[str, Any] | None:
        return next((item for item in await api_inbox(tools, subject, role) if wanted(item)), None)

    found: dict[str, Any] = await eventually(arrived, timeout=60, interval=0.3)
    return found


async def api_deliveries(tools: Tools, **filters: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=tools.notifications.url) as client:
        response = await client.get(
            "/deliveries",
            params={**filters, "limit": 200},
            headers=tools.system.headers(Role.ADMIN, subject="admin-api"),
        )
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def household(tools: Tools, number: str, *, members: int = 2) -> str:
    """A household registered at intake's API; returns its id."""
    if members == 2:
        [household_id] = await register_households(
            tools.intake, tools.system.headers(Role.CASEWORKER), [number]
        )
        return household_id
    async with httpx.AsyncClient(base_url=tools.intake.url) as client:
        response = await client.post(
            "/households",
            json=household_body(number, members=members),
            headers=tools.system.headers(Role.CASEWORKER),
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def assign_caseworker(tools: Tools, household_id: str, caseworker: str) -> None:
    async with httpx.AsyncClient(base_url=tools.intake.url) as client:
        response = await client.put(
            f"/households/{household_id}/caseworker",
            json={"caseworker_id": caseworker},
            headers=tools.system.headers(Role.CASEWORKER),
        )
    assert response.status_code == 200, response.text


async def matched_volunteer(tools: Tools, login: str) -> None:
    """A volunteer with a login, matched to a new household without minors."""
    coordinator = tools.system.headers(Role.VOLUNTEER_COORDINATOR)
    async with httpx.AsyncClient(base_url=tools.volunteers.url, headers=coordinator) as client:
        registered = await client.post(
            "/volunteers",
            json={
                "display_name": "Greta Münster",
                "email": f"{login}@example.org",
                "preferred_language": "de",
                "subject": login,
            },
        )
        assert registered.status_code == 201, registered.text
        number = notice()
        household_id = await household(tools, number, members=1)

        async def matched() -> bool:
            response = await client.post(
                "/matches",
                json={
                    "volunteer_id": registered.json()["id"],
                    "household_id": household_id,
                    "started_on": date.today().isoformat(),
                },
            )
            # 422 until volunteers has heard of the household from intake's event.
            assert response.status_code in (201, 422), response.text
            return response.status_code == 201

        await eventually(matched, timeout=60, interval=0.5)


async def mark_failed(tools: Tools, address: str, number: str) -> str:
    """Mark the sent e-mail to `address` about household `number` failed, as a 550 would."""
    delivery_id = await tools.system.query(
        "notifications",
        "UPDATE delivery SET status = 'failed', attempts = 6, next_attempt_at = NULL, "
        "sent_at = NULL, last_error = '550 5.1.1 <' || address || '>: mailbox unavailable' "
        "WHERE channel = 'email' AND address = $1 AND status = 'sent' "
        "AND title LIKE '%' || $2 || '%' RETURNING id",
        address,
        number,
    )
    assert delivery_id is not None
    return str(delivery_id)


def mails(tools: Tools, address: str, number: str) -> list[Any]:
    """The e-mails the SMTP server received for `address` about household `number`."""
    return [m for m in tools.mailbox.to(address) if number in str(m["Subject"])]


# --- what a page shows ---------------------------------------------------------------------


async def unread_count(page: Page) -> int:
    text = await page.locator("#unread-count").inner_text()
    found = re.search(r"\d+", text)
    return int(found.group(0)) if found else 0


async def wait_in_inbox(page: Page, url: str, title: str) -> None:
    """Reload the inbox until the notification named `title` is listed."""

    async def listed() -> bool:
        await page.goto(url)
        return await page.get_by_role("link", name=title).count() > 0

    await eventually(listed, timeout=60, interval=0.5)


async def log_offered(page: Page) -> bool:
    """Whether the tool's navigation offers the delivery log."""
    return await sections(page).get_by_role("link", name="Zustellprotokoll").count() == 1


def status_message(page: Page, text: str | re.Pattern[str]) -> Any:
    return page.get_by_role("status").filter(has_text=text)


# --- the housing officer's flow ------------------------------------------------------------


async def test_officer_saves_settings_is_notified_reads_and_gets_the_email(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    officer, other = unique("ho"), unique("cw")
    address = f"{officer}@duelmen.example"
    home = f"{tools.notifications.url}/ui/"
    page = await signed_in(new_context, home, subject=officer, roles=[Role.HOUSING_OFFICER])
    await expect(page.get_by_role("heading", level=1)).to_have_text("Posteingang")

    await sections(page).get_by_role("link", name="Einstellungen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Einstellungen")
    # Known from the sign-in: the entry holds the address the identity provider gave.
    await expect(page.get_by_label("E-Mail-Adresse")).to_have_value(f"{officer}@duelmen.de")
    await page.get_by_label("E-Mail-Adresse").fill(address)
    await page.get_by_label("Sprache der Benachrichtigungen").select_option("de")
    await screenshot(page, "notifications-settings-entry-from-sign-in")
    await page.get_by_role("button", name="Eintrag speichern").click()
    await expect(
        status_message(page, "Ihr Eintrag im Verzeichnis ist gespeichert.")
    ).to_be_visible()
    await expect(page.get_by_label("E-Mail-Adresse")).to_have_value(address)
    await expect(page.get_by_role("button", name="Eintrag speichern")).to_be_visible()

    number = notice()
    await household(tools, number)
    title = f"Neue Zuweisung: Haushalt {number}"
    await wait_in_inbox(page, home, title)
    before = await unread_count(page)
    assert before >= 1
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    await expect(row).to_contain_text("ungelesen")
    await expect(row.locator("strong a")).to_have_text(title)  # bold, not by colour alone
    await expect(row.locator("time")).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4}, \d\d:\d\d$"))
    await screenshot(page, "notifications-inbox-new-allocation")

    await page.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.locator("#read-state")).to_have_text("ungelesen")
    await expect(page.get_by_role("region", name="Nachricht")).to_contain_text(
        "Der Haushalt steht jetzt in der Warteschlange für eine Unterkunft."
    )
    notification_url = page.url
    await screenshot(page, "notifications-notification-unread")
    await page.get_by_role("button", name="Als gelesen markieren").click()
    await expect(status_message(page, f"Als gelesen markiert: {title}")).to_be_visible()
    await expect(page.locator("#read-state")).to_contain_text("gelesen am")
    await screenshot(page, "notifications-notification-read")
    await check_axe(page, axe_report, "notifications notification read (housing_officer)")

    await page.get_by_role("link", name="Zurück zum Posteingang").click()
    assert await unread_count(page) == before - 1
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    await expect(row.locator("td").first).to_have_text("gelesen")

    [mail] = await eventually(lambda: mails(tools, address, number), timeout=60)
    assert str(mail["Subject"]) == title
    assert "Warteschlange" in mail.get_body(preferencelist=("plain",)).get_content()

    # Someone else sees neither the notification nor, by its address, its text.
    second = await signed_in(new_context, home, subject=other, roles=[Role.CASEWORKER])
    await expect(second.get_by_role("heading", level=1)).to_have_text("Posteingang")
    assert await second.get_by_role("link", name=title).count() == 0
    assert number not in await second.content()
    response = await second.goto(notification_url)
    assert response is not None
    assert response.status == 404
    await expect(second.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    assert number not in await second.content()
    await screenshot(second, "notifications-other-persons-notification-404")


async def test_turning_off_email_for_an_occasion_is_saved_and_shown_again(
    tools: Tools, new_context: Callable[[], Any]
) -> None:
    officer = unique("ho")
    address = f"{officer}@duelmen.example"
    await put_me(tools, officer, Role.HOUSING_OFFICER, address)
    page = await signed_in(
        new_context,
        f"{tools.notifications.url}/ui/einstellungen",
        subject=officer,
        roles=[Role.HOUSING_OFFICER],
    )
    email_box = page.get_by_label("Haushalt zugewiesen: E-Mail", exact=True)
    await expect(email_box).to_be_checked()
    await email_box.uncheck()
    await page.get_by_role("button", name="Einstellungen speichern").click()
    await expect(
        status_message(page, "Ihre Einstellungen zu Benachrichtigungen sind gespeichert.")
    ).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Haushalt zugewiesen: E-Mail", exact=True)).not_to_be_checked()
    await expect(page.get_by_label("Haushalt zugewiesen: Posteingang", exact=True)).to_be_checked()
    await expect(page.get_by_label("Haushalt eingezogen: E-Mail", exact=True)).to_be_checked()
    await screenshot(page, "notifications-settings-email-off")

    # The next allocation reaches the inbox only.
    number = notice()
    await household(tools, number)
    found = await notified(tools, officer, Role.HOUSING_OFFICER, number)
    mine = await api_deliveries(tools, recipient_id=officer)
    # The inbox row is the notification: the same id, and its event names the e-mail's.
    [event_id] = [d["event_id"] for d in mine if d["id"] == found["id"]]
    assert [d["channel"] for d in mine if d["event_id"] == event_id] == ["inbox"]
    assert tools.mailbox.to(address) == []


# --- the inbox by keyboard alone -----------------------------------------------------------


async def test_the_inbox_works_with_the_keyboard_alone(
    tools: Tools, new_context: Callable[[], Any]
) -> None:
    officer = unique("ho")
    await put_me(tools, officer, Role.HOUSING_OFFICER, f"{officer}@duelmen.example")
    first, second = notice(), notice()
    await household(tools, first)
    await household(tools, second)
    await notified(tools, officer, Role.HOUSING_OFFICER, first)
    await notified(tools, officer, Role.HOUSING_OFFICER, second)

    page = await (await new_context()).new_page()
    home = f"{tools.notifications.url}/ui/"
    await keyboard_sign_in(page, home, officer, Role.HOUSING_OFFICER)
    await page.keyboard.press("Tab")
    assert (await focused(page))["text"] == "Zum Inhalt springen"
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "inhalt"
    # Relative: allocations of other tests may reach this officer too.
    before = await unread_count(page)
    assert before >= 2

    # Open one, mark it read, go back.
    await tab_to(page, by_text(f"Neue Zuweisung: Haushalt {first}"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Neue Zuweisung: Haushalt {first}"
    )
    await tab_to(page, by_text("Als gelesen markieren"))
    await page.keyboard.press("Enter")
    await expect(status_message(page, "Als gelesen markiert")).to_be_visible()
    await tab_to(page, by_text("Zurück zum Posteingang"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Posteingang")
    assert await unread_count(page) == before - 1

    # Only the unread ones; mark one read from the list, then all the rest.
    await tab_to(page, by_id("unread"))
    await page.keyboard.press("Space")
    await tab_to(page, by_text("Anzeigen"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r".*\?unread=on$"))
    assert await page.get_by_role("link", name=f"Neue Zuweisung: Haushalt {first}").count() == 0
    second_title = f"Neue Zuweisung: Haushalt {second}"
    # The button's hidden context names the notification (innerText spaces it apart).
    await tab_to(
        page,
        lambda current: (
            current.get("text", "").startswith("Als gelesen markieren")
            and second_title in current.get("text", "")
        ),
    )
    await page.keyboard.press("Enter")
    await expect(status_message(page, f"Als gelesen markiert: {second_title}")).to_be_visible()
    await expect(page.locator("#unread")).to_be_checked()  # the filter is kept
    assert await page.get_by_role("link", name=second_title).count() == 0
    assert await unread_count(page) == before - 2

    third = notice()
    await household(tools, third)
    await notified(tools, officer, Role.HOUSING_OFFICER, third)
    await page.reload()
    await tab_to(page, by_text("Alle als gelesen markieren"))
    await page.keyboard.press("Enter")
    await expect(
        status_message(
            page, re.compile(r"\d+ Benachrichtigung(en)? (ist|sind) als gelesen markiert")
        )
    ).to_be_visible()
    assert await unread_count(page) == 0
    await expect(page.get_by_text("Sie haben alle Benachrichtigungen gelesen.")).to_be_visible()


# --- every page, every role that may see it: axe-core ------------------------------------


async def test_every_page_passes_axe_for_every_role_that_may_see_it(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    ui = f"{tools.notifications.url}/ui"
    checks = PageChecks(axe_report)

    # A staff role: a housing officer, from the entry the sign-in made to a notification.
    officer = unique("ho")
    address = f"{officer}@duelmen.example"
    page = await signed_in(new_context, f"{ui}/", subject=officer, roles=[Role.HOUSING_OFFICER])
    tag = "housing_officer"
    await checks.visit(page, f"{ui}/", f"notifications-inbox-empty-{tag}")
    await checks.visit(page, f"{ui}/einstellungen", f"notifications-settings-entry-{tag}")
    await page.get_by_label("E-Mail-Adresse").fill("bernd@")
    await page.get_by_role("button", name="Eintrag speichern").click()
    await checks.refused(page, f"notifications-settings-errors-{tag}")
    await expect(page.locator("#email-error")).to_contain_text(
        "Bitte geben Sie eine E-Mail-Adresse"
    )
    await expect(page.get_by_label("E-Mail-Adresse")).to_have_value("bernd@")
    await page.get_by_label("E-Mail-Adresse").fill(address)
    await page.get_by_role("button", name="Eintrag speichern").click()
    await expect(status_message(page, "gespeichert")).to_be_visible()
    await checks.check(page, f"notifications-settings-saved-{tag}")
    number = notice()
    await household(tools, number)
    found = await notified(tools, officer, Role.HOUSING_OFFICER, number)
    await eventually(lambda: mails(tools, address, number), timeout=60)
    await checks.visit(page, f"{ui}/", f"notifications-inbox-{tag}")
    await checks.visit(page, f"{ui}/?unread=on", f"notifications-inbox-unread-{tag}")
    await checks.visit(
        page, f"{ui}/benachrichtigungen/{found['id']}", f"notifications-notification-{tag}"
    )
    assert not await log_offered(page)
    await checks.visit(
        page, f"{ui}/zustellungen", f"notifications-delivery-log-forbidden-{tag}", status=403
    )
    await checks.visit(
        page, f"{ui}/webhooks", f"notifications-webhooks-forbidden-{tag}", status=403
    )
    assert address not in await page.content()
    assert await page.get_by_role("table").count() == 0
    await checks.visit(
        page, f"{ui}/benachrichtigungen/{uuid.uuid4()}", f"notifications-404-{tag}", status=404
    )
    await checks.visit(page, f"{ui}/barrierefreiheit", f"notifications-accessibility-{tag}")
    await checks.visit(page, f"{ui}/sprache/en?next=/ui/", f"notifications-inbox-en-{tag}")
    await checks.visit(page, f"{ui}/einstellungen", f"notifications-settings-en-{tag}")
    await page.goto(f"{ui}/sprache/de?next=/ui/")

    # A volunteer: their entry from the registration, read-only; their match in the inbox.
    login = unique("vol")
    page = await signed_in(new_context, f"{ui}/", subject=login, roles=[Role.VOLUNTEER])
    tag = "volunteer"
    await checks.visit(page, f"{ui}/einstellungen", f"notifications-settings-not-linked-{tag}")
    await matched_volunteer(tools, login)
    # Titled by the household's notice number once notifications knows the household,
    # by a short reference if the match overtook the allocation: found by its type.
    match = await notified(tools, login, Role.VOLUNTEER, event_type="volunteer.matched")
    await checks.visit(page, f"{ui}/", f"notifications-inbox-{tag}")
    await checks.visit(
        page, f"{ui}/benachrichtigungen/{match['id']}", f"notifications-notification-{tag}"
    )
    await checks.visit(
        page,
        f"{ui}/benachrichtigungen/{found['id']}",
        f"notifications-other-persons-notification-{tag}",
        status=404,
    )
    assert number not in await page.content()
    await checks.visit(page, f"{ui}/einstellungen", f"notifications-settings-{tag}")
    await expect(page.locator("#entry")).to_contain_text("Greta Münster")
    assert await page.get_by_role("button", name="Eintrag speichern").count() == 0
    await page.get_by_label("Patenschaft für einen Haushalt vermittelt: E-Mail").uncheck()
    await page.get_by_role("button", name="Einstellungen speichern").click()
    await expect(status_message(page, "gespeichert")).to_be_visible()
    await checks.check(page, f"notifications-settings-saved-{tag}")
    await checks.visit(
        page, f"{ui}/zustellungen", f"notifications-delivery-log-forbidden-{tag}", status=403
    )
    assert login not in (await page.locator("main").inner_text())

    # A partner agency: an inbox and settings, no entry of its own yet.
    page = await signed_in(new_context, f"{ui}/", subject=unique("agency"), roles=[Role.AGENCY])
    await checks.visit(page, f"{ui}/", "notifications-inbox-agency")
    await checks.visit(page, f"{ui}/einstellungen", "notifications-settings-agency")

    # An administrator: their own inbox, the delivery log, sending a failed e-mail again.
    admin = unique("admin")
    failed_id = await mark_failed(tools, address, number)
    context = await new_context()
    page = await context.new_page()
    await sign_in(page, f"{ui}/", subject=admin, roles=[Role.ADMIN])
    tag = "admin"
    await assign_caseworker(tools, found["household_id"], admin)
    own = await notified(tools, admin, Role.ADMIN, "Sie betreuen jetzt Haushalt")
    await checks.visit(page, f"{ui}/", f"notifications-inbox-{tag}")
    assert await log_offered(page)
    await checks.visit(
        page, f"{ui}/benachrichtigungen/{own['id']}", f"notifications-notification-{tag}"
    )
    await checks.visit(page, f"{ui}/einstellungen", f"notifications-settings-entry-{tag}")
    await page.get_by_label("E-Mail-Adresse").fill("root@@duelmen")
    await page.get_by_role("button", name="Eintrag speichern").click()
    await checks.refused(page, f"notifications-settings-errors-{tag}")
    # The partner agencies and what they hear of; a subscription refused at its fields.
    await checks.visit(page, f"{ui}/partnerbehoerden", f"notifications-agencies-{tag}")
    await checks.submit_with_errors(page, "Abonnieren", f"notifications-agencies-errors-{tag}")
    await checks.visit(page, f"{ui}/zustellungen", f"notifications-delivery-log-{tag}")
    filtered = f"{ui}/zustellungen?status=failed&channel=email&recipient={officer}"
    await checks.visit(page, filtered, f"notifications-delivery-log-failed-{tag}")
    row = page.locator(f'tr[data-delivery="{failed_id}"]')
    await expect(row).to_contain_text("fehlgeschlagen")
    await expect(row).to_contain_text("550 5.1.1")
    stale = await context.new_page()  # the same log in a second tab, soon out of date
    await stale.goto(filtered)

    await row.get_by_role("button", name=re.compile(r"^Erneut senden")).click()
    await expect(
        status_message(page, f"Die E-Mail an {address} wird erneut gesendet.")
    ).to_be_visible()
    await checks.check(page, f"notifications-delivery-log-retried-{tag}")
    await (
        stale.locator(f'tr[data-delivery="{failed_id}"]')
        .get_by_role("button", name=re.compile(r"^Erneut senden"))
        .click()
    )
    await checks.refused(stale, f"notifications-delivery-log-retry-refused-{tag}")
    await expect(stale.locator("[data-error-summary]")).to_contain_text(
        "Die E-Mail wurde nicht erneut gesendet"
    )

    await eventually(lambda: len(mails(tools, address, number)) == 2, timeout=60)
    await checks.visit(
        page,
        f"{ui}/zustellungen?recipient={officer}&channel=email",
        f"notifications-delivery-log-resent-{tag}",
    )
    await expect(page.locator(f'tr[data-delivery="{failed_id}"] td[data-status]')).to_have_text(
        "zugestellt"
    )
    # Webhooks to agencies: the log and the form to send a time range once more, refused
    # when empty (every error at its field, the summary focused).
    await checks.visit(page, f"{ui}/webhooks", f"notifications-webhooks-{tag}")
    await expect(page.locator("#webhook-count")).to_be_visible()
    await page.get_by_role("button", name="Noch einmal senden", exact=True).click()
    await checks.refused(page, f"notifications-webhooks-range-errors-{tag}")
    await expect(page.locator("[data-error-summary]")).to_contain_text("Endpunkt")
    await checks.visit(page, f"{ui}/barrierefreiheit", f"notifications-accessibility-{tag}")

    failing = [check for check in axe_report.checks if check["violations"]]
    assert failing == []
    assert len(checks.checked) >= 30, checks.checked
