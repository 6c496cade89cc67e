"""A caseworker's calendar feed: an address of their own, shown once; their appointments
and open follow-ups as iCalendar; no names unless they chose so; a new address ends the
old one, and every fetch is audited."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
from icalendar import Calendar
from intake.models import audit_log, calendar_feed
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.events.staff import StaffEntry, StaffMemberSignedIn, announcement
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_api import allocation

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


async def _address(browser: httpx.AsyncClient, *, names: bool) -> str:
    page = await browser.get("/ui/kalender")
    assert page.status_code == 200
    data = {"csrf_token": form_token(page)} | ({"names": "on"} if names else {})
    issued = await browser.post("/ui/kalender", data=data)
    assert issued.status_code == 200, issued.text
    [address] = re.findall(r'<code id="feed-address">([^<]+)</code>', issued.text)
    return address


def _entries(body: bytes) -> list[dict[str, str]]:
    calendar = Calendar.from_ical(body)
    return [
        {key: str(event.get(key, "")) for key in ("SUMMARY", "LOCATION", "DESCRIPTION", "UID")}
        | {"START": event.decoded("DTSTART").isoformat()}
        for event in calendar.walk("VEVENT")
    ]


async def test_the_feed_shows_my_appointments_and_follow_ups_without_names_unless_chosen(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: object,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    subject = f"cw-cal-{uuid.uuid4().hex[:6]}"
    me = auth_headers(identity, Role.CASEWORKER, subject=subject, teams=(NORTH,))
    # Intake knows its staff from their sign-ins; the feed reads with those roles and teams.
    await deliver(  # type: ignore[operator]
        *announcement(
            StaffEntry(
                account_subject=subject, display_name="Cal", roles=("caseworker",), teams=(NORTH,)
            )
        )
    )
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    other = (await intake.post("/households", json=allocation(), headers=me)).json()
    ahead = (today() + timedelta(days=3)).isoformat()
    made = await intake.post(
        f"/households/{household['id']}/appointments",
        json={"starts_at": f"{ahead}T09:30:00+01:00", "place": "Rathaus, Raum 3"},
        headers=me,
    )
    assert made.status_code == 201, made.text
    follow_up = await intake.post(
        f"/households/{other['id']}/follow-ups",
        json={"due_on": ahead, "reason": "Schulanmeldung des Sohnes besprechen"},
        headers=me,
    )
    assert follow_up.status_code == 201, follow_up.text
    # Someone else's appointment is not in my feed.
    colleague = auth_headers(identity, Role.CASEWORKER, subject="cw-cal-other", teams=(NORTH,))
    await intake.post(
        f"/households/{household['id']}/appointments",
        json={"starts_at": f"{ahead}T11:00:00+01:00", "place": "Anderswo"},
        headers=colleague,
    )

    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject=subject, roles=[Role.CASEWORKER], teams=(NORTH,))
        address = await _address(browser, names=False)
        assert address.startswith("http://test/kalender/")
        assert address.endswith(".ics")
        path = address.removeprefix("http://test")
        feed = await intake.get(path)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        # Registering starts follow-ups of its own (school duty): these two are the test's.
        ours = {
            f"appointment-{made.json()['id']}@teilhabe",
            f"follow-up-{follow_up.json()['id']}@teilhabe",
        }
        entries = sorted(
            (e for e in _entries(feed.content) if e["UID"] in ours), key=lambda e: e["SUMMARY"]
        )
        assert [e["SUMMARY"] for e in entries] == ["Termin", "Wiedervorlage"]
        assert entries[0]["LOCATION"] == "Rathaus, Raum 3"
        assert entries[0]["START"].startswith(f"{ahead}T08:30:00")  # in UTC
        assert entries[1]["START"] == ahead
        text = feed.text
        for secret in ("Haddad", "Amina", household["allocation_notice_number"], "Schulanmeldung"):
            assert secret not in text

        # Chosen: names and notice numbers; the reason still stays in intake.
        page = await browser.get("/ui/kalender")
        chosen = await browser.post(
            "/ui/kalender/namen", data={"csrf_token": form_token(page), "show_names": "on"}
        )
        assert chosen.status_code == 303
        named = await intake.get(path)
        summaries = sorted(e["SUMMARY"] for e in _entries(named.content) if e["UID"] in ours)
        assert summaries == [
            f"Termin – Haddad, Amina ({household['allocation_notice_number']})",
            f"Wiedervorlage – Haddad, Amina ({other['allocation_notice_number']})",
        ]
        assert "Schulanmeldung" not in named.text

        # A new address: the old one answers 404, the new one works.
        renewed = await _address(browser, names=False)
        assert (await intake.get(path)).status_code == 404
        assert (await intake.get(renewed.removeprefix("http://test"))).status_code == 200
        page = await browser.get("/ui/kalender")
        assert "Zuletzt abgerufen" in page.text
        stopped = await browser.post(
            "/ui/kalender/widerrufen", data={"csrf_token": form_token(page)}
        )
        assert stopped.status_code == 303
        assert (await intake.get(renewed.removeprefix("http://test"))).status_code == 404

    async with sessions() as session:
        # Kept hashed only: the token is in no row.
        hashes = list(await session.scalars(select(calendar_feed.c.token_hash)))
        assert renewed.rsplit("/", 1)[1].removesuffix(".ics") not in hashes
        reads = set(
            await session.execute(
                select(audit_log.c.resource_type, audit_log.c.resource_id).where(
                    audit_log.c.actor == subject, audit_log.c.action == "read"
                )
            )
        )
    assert ("appointment", made.json()["id"]) in reads
    assert ("follow_up", follow_up.json()["id"]) in reads


async def test_a_feed_of_someone_who_is_no_caseworker_any_more_answers_404(
    intake: httpx.AsyncClient, deliver: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from intake import calendar_feed as feeds
    from teilhabe.auth import Principal

    subject = f"cw-gone-{uuid.uuid4().hex[:6]}"
    async with sessions() as session:
        token = await feeds.issue(
            session=session,
            principal=Principal(subject=subject, roles=frozenset({Role.CASEWORKER})),
            show_names=False,
        )
    assert (await intake.get(f"/kalender/{token}.ics")).status_code == 404  # not known
    await deliver(  # type: ignore[operator]
        StaffMemberSignedIn(account_subject=subject, roles=("caseworker",), teams=(SOUTH,))
    )
    assert (await intake.get(f"/kalender/{token}.ics")).status_code == 200
    await deliver(  # type: ignore[operator]
        StaffMemberSignedIn(account_subject=subject, roles=("housing_officer",), teams=(SOUTH,))
    )
    assert (await intake.get(f"/kalender/{token}.ics")).status_code == 404
    assert (await intake.get("/kalender/not-a-token.ics")).status_code == 404
