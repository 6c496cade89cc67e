"""Notifications' staff pages in-process: inbox, notification, settings, delivery log, roles.

Notifications are made by the service's own handlers (the `deliver` fixture), as the
consumer makes them; every change a page makes is checked through the API or the table.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import notifications
import pytest
from notifications import domain, pages
from notifications.domain import Channel, DeliveryStatus
from notifications.models import Delivery
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.events.courses import CourseEnrolled, OfferKind
from teilhabe.events.households import CaseworkerAssigned
from teilhabe.events.volunteers import VolunteerMatched
from teilhabe.ui import catalogues
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.sealing import volunteer_registration
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

Deliver = Any  # the conftest fixture: await deliver(*payloads) -> received events
Browser = Callable[..., Any]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def browser(notifications: httpx.AsyncClient) -> AsyncIterator[Browser]:
    """Sign in people with cookies of their own against the same in-process app."""
    async with AsyncExitStack() as clients:

        async def signed_in(
            subject: str, *roles: Role, name: str | None = None
        ) -> httpx.AsyncClient:
            app = notifications.app  # type: ignore[attr-defined]
            client = await clients.enter_async_context(tool_client(app))
            await sign_in(client, subject=subject, roles=roles, name=name)
            return client

        yield signed_in


def enrollment(household_id: uuid.UUID, title: str) -> CourseEnrolled:
    return CourseEnrolled(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title=title,
        course_kind=OfferKind.INTEGRATION_COURSE,
        household_id=household_id,
        member_id=uuid.uuid4(),
    )


async def caseworker_with_notifications(deliver: Deliver, *titles: str) -> str:
    """A caseworker whose inbox holds `caseworker.assigned` and one enrollment per title."""
    caseworker, household = unique("cw"), uuid.uuid4()
    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    for title in titles:
        await deliver(enrollment(household, title))
    return caseworker


def rows(page: httpx.Response) -> list[str]:
    return re.findall(r'<tr class="kern-table__row" data-notification="([^"]+)">', page.text)


def unread_count(page: httpx.Response) -> str:
    found = re.search(r'<p class="kern-body" id="unread-count">\s*(.*?)\s*</p>', page.text, re.S)
    assert found
    return found.group(1)


async def inbox_of(
    client: httpx.AsyncClient, identity: RunningDevProvider, subject: str, role: Role
) -> dict[str, Any]:
    response = await client.get(
        "/inbox", params={"limit": 200}, headers=auth_headers(identity, role, subject=subject)
    )
    return response.json()  # type: ignore[no-any-return]


# --- who may see what --------------------------------------------------------------------


async def test_every_page_declares_who_may_see_it(notifications: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(notifications.app) == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", list(Role))
async def test_everyone_gets_inbox_and_settings_in_german(browser: Browser, role: Role) -> None:
    client = await browser(unique(role.value), role)
    inbox = await client.get("/ui/")
    assert inbox.status_code == 200
    assert "<title>Posteingang – Benachrichtigungen – Teilhabe</title>" in inbox.text
    assert "Sie haben keine ungelesenen Benachrichtigungen." in inbox.text
    assert "Ihr Posteingang ist leer." in inbox.text
    assert 'aria-current="page">Posteingang</a>' in inbox.text
    settings = await client.get("/ui/einstellungen")
    assert settings.status_code == 200
    assert '<h1 class="kern-heading-large">Einstellungen</h1>' in settings.text
    assert "Haushalt zugewiesen: E-Mail" in settings.text
    # The log is offered to administrators only, and refused to everyone else.
    assert ('href="/ui/zustellungen"' in inbox.text) is (role is Role.ADMIN)
    deliveries = await client.get("/ui/zustellungen")
    assert deliveries.status_code == (200 if role is Role.ADMIN else 403)


async def test_the_delivery_log_is_for_administrators_only(
    browser: Browser, deliver: Deliver
) -> None:
    caseworker = await caseworker_with_notifications(deliver, "Alphakurs Nord")
    for role in (Role.CASEWORKER, Role.VOLUNTEER, Role.HOUSING_OFFICER):
        client = await browser(unique(role.value), role)
        refused = await client.get("/ui/zustellungen")
        assert refused.status_code == 403
        assert "Kein Zugriff" in refused.text
        assert "Ihre Rolle gibt Ihnen keinen Zugriff auf diese Seite." in refused.text
        assert "Zustellprotokoll" not in refused.text  # not offered in the navigation either
        assert caseworker not in refused.text
        assert "<table" not in refused.text
        token = form_token(await client.get("/ui/"))
        retry = await client.post(
            f"/ui/zustellungen/{uuid.uuid4()}/erneut-senden", data={"csrf_token": token}
        )
        assert retry.status_code == 403


# --- the inbox -----------------------------------------------------------------------------


async def test_the_inbox_shows_ones_own_notifications_newest_first(
    browser: Browser, deliver: Deliver
) -> None:
    caseworker = await caseworker_with_notifications(deliver, "Alphakurs", "Integrationskurs B1")
    other = await caseworker_with_notifications(deliver, "Sprachcafé Süd")
    client = await browser(caseworker, Role.CASEWORKER)

    inbox = await client.get("/ui/")
    assert "<title>Posteingang (3 ungelesen) – Benachrichtigungen – Teilhabe</title>" in inbox.text
    assert unread_count(inbox) == "Sie haben 3 ungelesene Benachrichtigungen."
    titles = re.findall(
        r'<a class="kern-link" href="/ui/benachrichtigungen/[^"]+"[^>]*>([^<]+)</a>', inbox.text
    )
    assert len(titles) == 3
    assert "Integrationskurs B1" in titles[0]
    assert "Alphakurs" in titles[1]
    assert titles[2].startswith("Sie betreuen jetzt Haushalt")
    # Unread is said in words and set in bold, not shown by colour alone.
    assert inbox.text.count('<strong class="kern-label">ungelesen</strong>') == 3
    assert inbox.text.count('<strong><a class="kern-link"') == 3
    assert re.search(r"<time datetime=\"[^\"]+\">\d\d\.\d\d\.\d{4}, \d\d:\d\d</time>", inbox.text)
    assert "Sprachcafé Süd" not in inbox.text
    assert "Haushalt zugewiesen" not in inbox.text  # event labels are per item
    assert "Für einen Kurs angemeldet" in inbox.text
    # Another's inbox is theirs alone.
    other_client = await browser(other, Role.CASEWORKER)
    assert "Sprachcafé Süd" in (await other_client.get("/ui/")).text


async def test_marking_read_one_by_one_and_all_at_once(
    browser: Browser,
    deliver: Deliver,
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
) -> None:
    caseworker = await caseworker_with_notifications(deliver, "Kurs A", "Kurs B")
    client = await browser(caseworker, Role.CASEWORKER)
    inbox = await client.get("/ui/")
    newest = rows(inbox)[0]

    marked = await client.post(
        f"/ui/benachrichtigungen/{newest}/gelesen",
        data={"csrf_token": form_token(inbox), "unread": "on"},
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/ui/?unread=on"
    unread_view = await client.get(marked.headers["location"])
    assert "Als gelesen markiert: " in unread_view.text
    assert 'role="status"' in unread_view.text
    assert newest not in rows(unread_view)
    assert unread_count(unread_view) == "Sie haben 2 ungelesene Benachrichtigungen."
    assert 'id="unread" name="unread" value="on" checked' in unread_view.text
    api = await inbox_of(notifications, identity, caseworker, Role.CASEWORKER)
    assert [n["read_at"] is not None for n in api["items"]] == [True, False, False]

    # "All as read" covers what had arrived when the page was made, not what came later.
    page = await client.get("/ui/")
    until = re.search(r'name="until" value="([^"]+)"', page.text)
    assert until
    household = uuid.uuid4()
    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    all_read = await client.post(
        "/ui/alle-gelesen", data={"csrf_token": form_token(page), "until": until.group(1)}
    )
    assert all_read.status_code == 303
    after = await client.get(all_read.headers["location"])
    assert "2 Benachrichtigungen sind als gelesen markiert." in after.text
    assert unread_count(after) == "Sie haben 1 ungelesene Benachrichtigung."
    api = await inbox_of(notifications, identity, caseworker, Role.CASEWORKER)
    assert [n["read_at"] is None for n in api["items"]] == [True, False, False, False]

    again = await client.post("/ui/alle-gelesen", data={"csrf_token": form_token(after)})
    after = await client.get(again.headers["location"])
    assert "1 Benachrichtigung ist als gelesen markiert." in after.text
    assert "Alle als gelesen markieren" not in after.text
    unread_only = await client.get("/ui/?unread=on")
    assert "Sie haben alle Benachrichtigungen gelesen." in unread_only.text
    refused = await client.post("/ui/alle-gelesen", data={"csrf_token": "forged"})
    assert refused.status_code == 400
    bad_time = await client.post(
        "/ui/alle-gelesen", data={"csrf_token": form_token(after), "until": "gestern"}
    )
    assert bad_time.status_code == 400


async def test_the_inbox_pages_and_keeps_its_filter(browser: Browser, deliver: Deliver) -> None:
    titles = [f"Kurs {index:02d}" for index in range(pages.PAGE_SIZE + 2)]
    caseworker = await caseworker_with_notifications(deliver, *titles)
    client = await browser(caseworker, Role.CASEWORKER)
    first = await client.get("/ui/?unread=on")
    assert len(rows(first)) == pages.PAGE_SIZE
    assert "Seite 1 von 2" in first.text
    assert 'href="/ui/?unread=on&amp;page=2">Ältere Benachrichtigungen</a>' in first.text
    second = await client.get("/ui/?unread=on&page=2")
    assert len(rows(second)) == 3
    assert 'href="/ui/?unread=on">Neuere Benachrichtigungen</a>' in second.text
    # The link to a notification keeps the view, so "back" returns to it.
    detail = re.search(r'href="(/ui/benachrichtigungen/[^"]+)"', second.text)
    assert detail
    assert detail.group(1).endswith("?unread=on&amp;page=2")
    opened = await client.get(detail.group(1).replace("&amp;", "&"))
    assert 'href="/ui/?unread=on&amp;page=2">Zurück zum Posteingang</a>' in opened.text
    beyond = await client.get("/ui/?page=9")
    assert "Diese Seite des Posteingangs ist leer." in beyond.text
    assert (await client.get("/ui/?page=x")).status_code == 200


# --- one notification ------------------------------------------------------------------


async def test_a_notification_shows_its_text_escaped_with_its_line_breaks(
    browser: Browser, deliver: Deliver
) -> None:
    caseworker = await caseworker_with_notifications(deliver, '<script>alert("x")</script>Kurs')
    client = await browser(caseworker, Role.CASEWORKER)
    inbox = await client.get("/ui/")
    newest = rows(inbox)[0]
    page = await client.get(f"/ui/benachrichtigungen/{newest}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;Kurs" in page.text
    assert "<strong>ungelesen</strong>" in page.text
    assert "Für einen Kurs angemeldet" in page.text
    # Paragraphs as written, lines within one kept.
    assert '<p class="kern-body">Guten Tag,<br>ein Mitglied des Haushalts' in page.text
    assert '<p class="kern-body">-- <br>Diese Nachricht hat Teilhabe' in page.text
    # Opening it changed nothing; the button does.
    assert rows(await client.get("/ui/?unread=on"))[0] == newest
    marked = await client.post(
        f"/ui/benachrichtigungen/{newest}/gelesen",
        data={"csrf_token": form_token(page), "back": "notification"},
    )
    assert marked.headers["location"] == f"/ui/benachrichtigungen/{newest}"
    page = await client.get(marked.headers["location"])
    assert re.search(r"gelesen am \d\d\.\d\d\.\d{4}, \d\d:\d\d", page.text)
    assert "Als gelesen markieren" not in page.text.split("</h1>")[1]


async def test_another_persons_notification_is_not_found(
    browser: Browser,
    deliver: Deliver,
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
) -> None:
    owner = await caseworker_with_notifications(deliver)
    [theirs] = [
        n["id"] for n in (await inbox_of(notifications, identity, owner, Role.CASEWORKER))["items"]
    ]
    intruder = await browser(unique("cw"), Role.CASEWORKER, Role.ADMIN)
    page = await intruder.get(f"/ui/benachrichtigungen/{theirs}")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.text
    assert "Sie betreuen jetzt" not in page.text
    marked = await intruder.post(
        f"/ui/benachrichtigungen/{theirs}/gelesen", data={"csrf_token": form_token(page)}
    )
    assert marked.status_code == 404
    owners = await inbox_of(notifications, identity, owner, Role.CASEWORKER)
    assert owners["items"][0]["read_at"] is None
    assert (await intruder.get(f"/ui/benachrichtigungen/{uuid.uuid4()}")).status_code == 404
    assert (await intruder.get("/ui/benachrichtigungen/kein-uuid")).status_code == 404


# --- settings ------------------------------------------------------------------------------


async def test_a_staff_member_finds_and_edits_their_entry(
    browser: Browser, notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    subject = unique("ho")
    client = await browser(subject, Role.HOUSING_OFFICER, name="Bernd Brandt")
    page = await client.get("/ui/einstellungen")
    # Known from the first page of the tool, before the sign-in's event arrives.
    assert "Sie haben noch keinen Eintrag" not in page.text
    assert "Eintrag speichern" in page.text

    wrong = await client.post(
        "/ui/einstellungen/eintrag",
        data={
            "csrf_token": form_token(page),
            "name": "Bernd B.",
            "email": "bernd@",
            "language": "en",
        },
    )
    assert wrong.status_code == 422
    assert "<title>Fehler: Einstellungen" in wrong.text
    assert (
        error_next_to(wrong, "email")
        == "Bitte geben Sie eine E-Mail-Adresse wie name@duelmen.de ein."
    )
    assert 'href="#email">E-Mail-Adresse: Bitte geben Sie' in wrong.text
    assert 'value="bernd@"' in wrong.text
    assert 'value="Bernd B."' in wrong.text
    assert '<option value="en" selected>' in wrong.text
    headers = auth_headers(identity, Role.HOUSING_OFFICER, subject=subject)
    # The refused form saved nothing: the entry keeps the address of the sign-in.
    me = (await notifications.get("/me", headers=headers)).json()
    assert me["email"] == f"{subject}@duelmen.de"

    french = await client.post(
        "/ui/einstellungen/eintrag",
        data={"csrf_token": form_token(page), "email": "bernd@duelmen.example", "language": "fr"},
    )
    assert error_next_to(french, "language") == "Bitte wählen Sie Deutsch oder Englisch."

    saved = await client.post(
        "/ui/einstellungen/eintrag",
        data={
            "csrf_token": form_token(page),
            "name": "",
            "email": "bernd@duelmen.example",
            "language": "en",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/ui/einstellungen"
    me = (await notifications.get("/me", headers=headers)).json()
    assert (me["name"], me["email"], me["language"], me["roles"]) == (
        "Bernd Brandt",
        "bernd@duelmen.example",
        "en",
        ["housing_officer"],
    )
    page = await client.get("/ui/einstellungen")
    assert "Ihr Eintrag im Verzeichnis ist gespeichert." in page.text
    assert "Sie haben noch keinen Eintrag" not in page.text
    assert 'value="bernd@duelmen.example"' in page.text
    assert "Unterbringung" in page.text  # the role, in words
    assert "Eintrag speichern" in page.text


async def test_a_recipient_sets_quiet_hours_and_a_daily_summary(
    browser: Browser, notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    subject = unique("cw")
    client = await browser(subject, Role.CASEWORKER)
    page = await client.get("/ui/einstellungen")
    assert "Wann E-Mails Sie erreichen" in page.text
    assert 'value="Europe/Berlin"' in page.text
    wrong = await client.post(
        "/ui/einstellungen/zeiten",
        data={
            "csrf_token": form_token(page),
            "time_zone": "Europe/Duelmen",
            "quiet_from": "22:00",
            "quiet_until": "",
            "digest_at": "18:00",
        },
    )
    assert wrong.status_code == 422
    assert error_next_to(wrong, "time_zone") == (
        "Das ist keine Zeitzone. Bitte geben Sie eine wie Europe/Berlin an."
    )
    assert error_next_to(wrong, "quiet_until") == "Eine Ruhezeit braucht einen Beginn und ein Ende."
    assert 'value="Europe/Duelmen"' in wrong.text
    headers = auth_headers(identity, Role.CASEWORKER, subject=subject)
    unchanged = (await notifications.get("/me/delivery-times", headers=headers)).json()
    assert unchanged == {
        "time_zone": "Europe/Berlin",
        "quiet_from": None,
        "quiet_until": None,
        "digest_at": None,
    }

    saved = await client.post(
        "/ui/einstellungen/zeiten",
        data={
            "csrf_token": form_token(page),
            "time_zone": "Europe/Kyiv",
            "quiet_from": "22:00",
            "quiet_until": "07:00",
            "digest_at": "18:00",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/ui/einstellungen#delivery-times"
    times = (await notifications.get("/me/delivery-times", headers=headers)).json()
    assert times == {
        "time_zone": "Europe/Kyiv",
        "quiet_from": "22:00:00",
        "quiet_until": "07:00:00",
        "digest_at": "18:00:00",
    }
    page = await client.get("/ui/einstellungen")
    assert "Ihre Zeiten sind gespeichert." in page.text
    assert 'id="digest_at" name="digest_at" type="time" value="18:00"' in page.text


async def test_channels_are_turned_off_per_occasion(
    browser: Browser, notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    subject = unique("cw")
    client = await browser(subject, Role.CASEWORKER)
    page = await client.get("/ui/einstellungen")
    assert page.text.count('type="checkbox"') == len(domain.EVENT_TYPES) * len(Channel)
    choosable = len(domain.EVENT_TYPES) - len(domain.CRITICAL_EVENT_TYPES)
    assert page.text.count(" checked>") == choosable * len(Channel)
    # A critical occasion is shown ticked, and cannot be unticked.
    assert page.text.count(" checked disabled") == len(domain.CRITICAL_EVENT_TYPES) * len(Channel)
    assert "Mit „immer“ markierte Anlässe lassen sich nicht abschalten" in page.text
    for label in (
        "Haushalt zugewiesen",
        "Fachkraft zugewiesen",
        "Patenschaft für einen Haushalt vermittelt",
    ):
        assert f">{label}: Posteingang</label>" in page.text
        assert f">{label}: E-Mail</label>" in page.text
    form = {
        key: "on"
        for _, _, key in pages.preference_fields()
        if key != "pref-household-assigned-email"
    }
    saved = await client.post(
        "/ui/einstellungen/benachrichtigungen", data={"csrf_token": form_token(page), **form}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/ui/einstellungen#preferences"
    preferences = (
        await notifications.get(
            "/me/preferences", headers=auth_headers(identity, Role.CASEWORKER, subject=subject)
        )
    ).json()
    off = [(p["event_type"], p["channel"]) for p in preferences if not p["enabled"]]
    assert off == [("household.assigned", "email")]
    page = await client.get("/ui/einstellungen")
    assert "Ihre Einstellungen zu Benachrichtigungen sind gespeichert." in page.text
    assert (
        'id="pref-household-assigned-email" name="pref-household-assigned-email" value="on">'
        in page.text
    )
    inbox_box = 'id="pref-household-assigned-inbox" name="pref-household-assigned-inbox"'
    assert f'{inbox_box} value="on" checked>' in page.text


async def test_a_volunteer_sees_their_entry_and_keeps_their_channels(
    browser: Browser,
    deliver: Deliver,
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
) -> None:
    login = unique("vol")
    client = await browser(login, Role.VOLUNTEER)
    page = await client.get("/ui/einstellungen")
    assert "Ihre Anmeldung ist noch mit keinem Eintrag verknüpft." in page.text
    assert 'action="/ui/einstellungen/eintrag"' not in page.text

    volunteer_id = uuid.uuid4()
    await deliver(
        *volunteer_registration(
            volunteer_id,
            "Greta Münster",
            "greta.muenster@example.org",
            preferred_language="en-GB",
            account_subject=login,
        )
    )
    page = await client.get("/ui/einstellungen")
    assert "Greta Münster" in page.text
    assert "greta.muenster@example.org" in page.text
    assert "Englisch" in page.text
    assert "Diese Angaben stammen aus Ihrer Registrierung" in page.text
    assert 'action="/ui/einstellungen/eintrag"' not in page.text
    refused = await client.post(
        "/ui/einstellungen/eintrag", data={"csrf_token": form_token(page), "email": "x@example.org"}
    )
    assert refused.status_code == 403
    assert "Kein Zugriff" in refused.text

    form = {key: "on" for _, channel, key in pages.preference_fields() if channel is Channel.INBOX}
    saved = await client.post(
        "/ui/einstellungen/benachrichtigungen", data={"csrf_token": form_token(page), **form}
    )
    assert saved.status_code == 303
    preferences = (
        await notifications.get(
            "/me/preferences", headers=auth_headers(identity, Role.VOLUNTEER, subject=login)
        )
    ).json()
    assert {p["channel"] for p in preferences if not p["enabled"]} == {"email"}


async def test_an_arabic_notification_reads_right_to_left_in_the_inbox(
    browser: Browser, deliver: Deliver
) -> None:
    login = unique("vol")
    volunteer_id = uuid.uuid4()
    await deliver(
        *volunteer_registration(
            volunteer_id,
            "Layla Haddad",
            "layla@example.org",
            preferred_language="ar",
            account_subject=login,
        )
    )
    await deliver(
        VolunteerMatched(
            match_id=uuid.uuid4(),
            household_id=uuid.uuid4(),
            volunteer_id=volunteer_id,
            matched_on=date(2026, 12, 1),
        )
    )
    client = await browser(login, Role.VOLUNTEER)
    inbox = await client.get("/ui/")
    found = re.search(
        r'<a class="kern-link" href="(/ui/benachrichtigungen/[^"]+)"([^>]*)>', inbox.text
    )
    assert found, inbox.text
    assert found.group(2) == ' lang="ar" dir="rtl"'
    page = await client.get(found.group(1))
    assert '<h1 class="kern-heading-large" lang="ar" dir="rtl">مرافقتكم للأسرة' in page.text
    assert '<div class="message" lang="ar" dir="rtl">' in page.text
    assert "شكرًا جزيلًا على التزامكم!" in page.text
    settings = await client.get("/ui/einstellungen")
    assert "Arabisch" in settings.text


# --- the delivery log ------------------------------------------------------------------------


async def test_an_administrator_filters_the_log_and_sends_a_failed_email_again(
    browser: Browser,
    deliver: Deliver,
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    officer = unique("ho")
    await notifications.put(
        "/me",
        json={"email": f"{officer}@duelmen.example"},
        headers=auth_headers(identity, Role.HOUSING_OFFICER, subject=officer),
    )
    caseworker = unique("cw")
    await deliver(CaseworkerAssigned(household_id=uuid.uuid4(), caseworker_id=officer))
    await deliver(CaseworkerAssigned(household_id=uuid.uuid4(), caseworker_id=caseworker))
    async with sessions() as session, session.begin():
        email_id = await session.scalar(
            update(Delivery)
            .where(Delivery.recipient_id == officer, Delivery.channel == Channel.EMAIL)
            .values(
                status=DeliveryStatus.FAILED,
                attempts=6,
                last_error="550 5.1.1 mailbox unavailable",
                next_attempt_at=None,
            )
            .returning(Delivery.id)
        )
    assert email_id is not None

    admin = await browser(unique("admin"), Role.ADMIN)
    log = await admin.get("/ui/zustellungen")
    assert log.status_code == 200
    assert "<title>Zustellprotokoll – Benachrichtigungen – Teilhabe</title>" in log.text
    assert 'aria-current="page">Zustellprotokoll</a>' in log.text
    failed = await admin.get(f"/ui/zustellungen?status=failed&channel=email&recipient={officer}")
    assert "1 Zustellung gefunden." in failed.text
    assert "550 5.1.1 mailbox unavailable" in failed.text
    assert "fehlgeschlagen" in failed.text
    assert "Fachkraft zugewiesen" in failed.text
    assert f"{officer}@duelmen.example" in failed.text
    assert '<option value="failed" selected>' in failed.text
    assert caseworker not in failed.text
    inbox_only = await admin.get(f"/ui/zustellungen?channel=inbox&recipient={caseworker}")
    assert "1 Zustellung gefunden." in inbox_only.text
    assert "zugestellt" in inbox_only.text
    assert "Erneut senden" not in inbox_only.text
    assert (await admin.get("/ui/zustellungen?status=bogus")).status_code == 200

    retried = await admin.post(
        f"/ui/zustellungen/{email_id}/erneut-senden",
        data={"csrf_token": form_token(failed), "status": "failed", "recipient": officer},
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == f"/ui/zustellungen?status=failed&recipient={officer}"
    after = await admin.get(retried.headers["location"])
    assert f"Die E-Mail an {officer}@duelmen.example wird erneut gesendet." in after.text
    async with sessions() as session:
        delivery = await session.scalar(select(Delivery).where(Delivery.id == email_id))
        assert delivery is not None
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)

    again = await admin.post(
        f"/ui/zustellungen/{email_id}/erneut-senden", data={"csrf_token": form_token(failed)}
    )
    assert again.status_code == 409
    assert "Die E-Mail wurde nicht erneut gesendet" in again.text
    assert "Diese E-Mail ist nicht (mehr) fehlgeschlagen" in again.text
    missing = await admin.post(
        f"/ui/zustellungen/{uuid.uuid4()}/erneut-senden", data={"csrf_token": form_token(failed)}
    )
    assert missing.status_code == 404


# --- texts -----------------------------------------------------------------------------------


def test_every_occasion_has_a_name() -> None:
    assert set(pages.EVENT_TYPE_LABELS) == set(domain.EVENT_TYPES)


def test_every_text_has_a_german_translation() -> None:
    package = Path(notifications.__file__).parent
    template = catalogues.service_messages(package)
    assert len(template) > 50
    assert catalogues.missing(template, catalogues.catalogue_root(package), "de") == []
