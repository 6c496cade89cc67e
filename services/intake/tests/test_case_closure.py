"""Closing a case through the API: the § 12a check, once only, the event, the reminders
stopped; the residence obligation recorded and lifted; an allocation's school-duty and
integration-course follow-ups and school-place requests."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from datetime import date, time, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
from intake.models import (
    Appointment,
    FollowUp,
    Referral,
    ResidenceObligation,
    audit_log,
    messaging,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import on_day, today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_api import allocation

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


def ui_date(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d.%m.%Y}"


async def test_a_case_closes_once_and_not_as_moved_away_while_bound_to_the_city(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-close", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}"
    member = household["members"][0]["id"]
    ends = today() + timedelta(days=30)

    recorded = await intake.put(
        f"{path}/members/{member}/residence-obligation",
        json={"bound_until": ends.isoformat(), "recognised_on": "2024-06-01"},
        headers=me,
    )
    assert recorded.status_code == 200, recorded.text
    too_long = await intake.put(
        f"{path}/members/{member}/residence-obligation",
        json={"bound_until": "2028-01-01", "recognised_on": "2024-06-01"},
        headers=me,
    )
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["bound_until"]
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    assert (await intake.get(f"{path}/residence-obligations", headers=south)).status_code == 404
    [listed] = (await intake.get(f"{path}/residence-obligations", headers=me)).json()
    assert listed["bound_until"] == ends.isoformat()

    closing = {"reason": "moved_away", "closed_on": today().isoformat()}
    refused = await intake.post(f"{path}/closure", json=closing, headers=me)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    assert (await intake.post(f"{path}/closure", json=closing, headers=south)).status_code == 404
    ahead = await intake.post(
        f"{path}/closure",
        json={"reason": "other", "closed_on": (today() + timedelta(days=1)).isoformat()},
        headers=me,
    )
    assert ahead.status_code == 422

    lifted = await intake.post(
        f"{path}/members/{member}/residence-obligation/lifting",
        json={"lifted_on": today().isoformat(), "reason": "training"},
        headers=me,
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lift_reason"] == "training"
    closed = await intake.post(f"{path}/closure", json=closing, headers=me)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closure_reason"] == "moved_away"
    again = await intake.post(f"{path}/closure", json=closing, headers=me)
    assert again.status_code == 422

    outbox, timers = messaging.outbox, messaging.timers
    async with sessions() as session:
        events = [
            json.loads(body)
            for body in await session.scalars(
                select(outbox.c.body).where(outbox.c.event_type == "household.case_closed")
            )
        ]
        pending = set(
            await session.scalars(
                select(timers.c.kind).where(
                    timers.c.key.in_([m["id"] for m in household["members"]])
                )
            )
        )
    closures = [e for e in events if e["data"]["household_id"] == household["id"]]
    assert [c["data"]["reason"] for c in closures] == ["moved_away"]
    assert "Haddad" not in str(closures)
    assert pending == set(), "no reminders for a closed case"


async def test_an_allocation_starts_school_duty_and_integration_course_follow_ups(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-arrival", teams=(NORTH,))
    body = allocation()
    body["members"][0]["residence_status"] = "aufenthaltserlaubnis"
    household = (await intake.post("/households", json=body, headers=me)).json()
    adult, child = (m["id"] for m in household["members"])
    async with sessions() as session:
        follow_ups = {
            f.member_id.hex: f
            for f in await session.scalars(
                select(FollowUp).where(FollowUp.household_id == household["id"])
            )
        }
        outbox = messaging.outbox
        requests = [
            event["data"]
            for event in (
                json.loads(body)
                for body in await session.scalars(
                    select(outbox.c.body).where(outbox.c.event_type == "school_place.requested")
                )
            )
            if event["data"]["household_id"] == household["id"]
        ]
    school = follow_ups[child.replace("-", "")]
    assert "§ 34 Abs. 6 SchulG NRW" in school.reason
    assert school.assignee == "cw-arrival"
    assert school.due_on == today() + timedelta(days=7)
    assert "verpflichtet" in follow_ups[adult.replace("-", "")].reason
    [request] = requests
    assert request["member_id"] == child
    assert request["languages"] == ["ar"]
    assert "Yusuf" not in str(request)


async def test_a_closed_case_takes_nothing_new_and_its_open_follow_ups_are_done(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-closed", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}"
    member = household["members"][0]["id"]
    due = (today() + timedelta(days=3)).isoformat()
    set_ = await intake.post(
        f"{path}/follow-ups", json={"due_on": due, "reason": "Schulanmeldung"}, headers=me
    )
    assert set_.status_code == 201, set_.text
    follow_up = set_.json()["id"]

    closed = await intake.post(
        f"{path}/closure",
        json={"reason": "naturalised", "closed_on": today().isoformat()},
        headers=me,
    )
    assert closed.status_code == 200, closed.text

    # Every open follow-up (the one set here, those the allocation started) is done, as
    # the case closed, and none of them reminds anyone any more.
    listed = (await intake.get(f"{path}/follow-ups", headers=me)).json()
    assert listed
    assert {f["done_on"] for f in listed} == {today().isoformat()}
    assert {f["done_reason"] for f in listed} == {"case_closed"}
    assert {f["done_by"] for f in listed} == {"cw-closed"}
    async with sessions() as session:
        pending = list(
            await session.scalars(
                select(messaging.timers.c.key).where(
                    messaging.timers.c.key.in_([f["id"] for f in listed])
                )
            )
        )
    assert follow_up in {f["id"] for f in listed}
    assert pending == []

    # Nothing new for the household or its members: the same refusal for each.
    ahead = (today() + timedelta(days=7)).isoformat()
    attempts = [
        (f"{path}/follow-ups", {"due_on": due, "reason": "Nachfrage"}),
        (f"{path}/appointments", {"starts_at": f"{ahead}T09:30:00+01:00", "place": "Rathaus"}),
        (f"{path}/referrals", {"member_id": member, "target": "doctor", "purpose": "Impfung"}),
    ]
    for url, body in attempts:
        refused = await intake.post(url, json=body, headers=me)
        assert refused.status_code == 409, (url, refused.text)
        assert refused.json()["detail"] == "the case is closed"
        assert refused.json()["type"] == "urn:teilhabe:problem:case-closed"
    obligation = await intake.put(
        f"{path}/members/{member}/residence-obligation",
        json={"bound_until": ahead, "recognised_on": "2024-06-01"},
        headers=me,
    )
    assert obligation.status_code == 409
    assert obligation.json()["detail"] == "the case is closed"
    # Out of scope it stays not found, closed or not.
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    other = await intake.post(f"{path}/follow-ups", json=attempts[0][1], headers=south)
    assert other.status_code == 404
    async with sessions() as session:
        counts = [
            await session.scalar(select(func.count()).where(model.household_id == household["id"]))
            for model in (Appointment, Referral, ResidenceObligation)
        ]
    assert counts == [0, 0, 0]

    # The staff pages go through the same use cases and say so in German.
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="cw-closed", roles=[Role.CASEWORKER], teams=[NORTH])
        page = await browser.get(f"/ui/haushalte/{household['id']}/wiedervorlagen")
        assert "da der Fall abgeschlossen wurde" in page.text
        refused_page = await browser.post(
            f"/ui/haushalte/{household['id']}/wiedervorlagen",
            data={"csrf_token": form_token(page), "due_on": ui_date(due), "reason": "Nachfrage"},
        )
        assert refused_page.status_code == 422
        assert "Der Fall ist abgeschlossen: Es kann nichts" in refused_page.text


async def test_closing_a_case_cancels_its_appointments_ahead_and_leaves_those_past(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-termine", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}"
    ahead = (today() + timedelta(days=7)).isoformat()
    made = await intake.post(
        f"{path}/appointments",
        json={"starts_at": f"{ahead}T09:30:00+01:00", "place": "Rathaus, Zimmer 12"},
        headers=me,
    )
    assert made.status_code == 201, made.text
    coming = made.json()["id"]
    # One that took place yesterday (the API makes appointments ahead only).
    async with sessions() as session, session.begin():
        held = Appointment(
            household_id=uuid.UUID(household["id"]),
            starts_at=on_day(today() - timedelta(days=1), time(10, 0)),
            place="Sozialamt",
            caseworker="cw-termine",
            created_by="cw-termine",
        )
        session.add(held)
    past = str(held.id)
    ui = f"/ui/haushalte/{household['id']}"
    cancel_past = f'action="{ui}/termine/{past}/absagen"'
    # While the case is open, the closure page closes it, and an appointment that took
    # place may still be cancelled (the API takes it: it did not take place after all).
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="cw-termine", roles=[Role.CASEWORKER], teams=[NORTH])
        number = household["allocation_notice_number"]
        closing = await browser.get(f"{ui}/abschluss")
        assert f"<title>Fall des Haushalts {number} abschließen" in closing.text
        assert f'action="{ui}/abschluss"' in closing.text
        assert cancel_past in (await browser.get(f"{ui}/termine")).text

    closed = await intake.post(
        f"{path}/closure",
        json={"reason": "moved_away", "closed_on": today().isoformat()},
        headers=me,
    )
    assert closed.status_code == 200, closed.text

    listed = {a["id"]: a for a in (await intake.get(f"{path}/appointments", headers=me)).json()}
    assert listed[coming]["cancelled_at"] is not None
    assert listed[coming]["cancel_reason"] == "case_closed"
    assert listed[past]["cancelled_at"] is None, "what took place stays as it was"
    assert listed[past]["cancel_reason"] is None
    async with sessions() as session:
        timers = list(
            await session.scalars(
                select(messaging.timers.c.key).where(
                    messaging.timers.c.key.in_([coming, past]),
                    messaging.timers.c.fired_at.is_(None),
                )
            )
        )
        audited = list(
            await session.scalars(
                select(audit_log.c.actor).where(
                    audit_log.c.resource_type == "appointment",
                    audit_log.c.resource_id == coming,
                    audit_log.c.action == "update",
                )
            )
        )
    assert timers == [], "nothing reminds of a cancelled appointment"
    assert audited == ["cw-termine"]
    # Off the caseworker's week on the start page, and cancelled on the household's page.
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        start = await sign_in(browser, subject="cw-termine", roles=[Role.CASEWORKER], teams=[NORTH])
        assert "Rathaus, Zimmer 12" not in start.text
        page = await browser.get(f"{ui}/termine")
        assert "abgesagt, da der Fall abgeschlossen wurde" in page.text
        # A closed case's appointments stay as they are: no "Absagen", not even for the
        # one that took place, and cancelling it anyway is refused as the API refuses it.
        assert "/absagen" not in page.text
        assert "Absagen" not in page.text
        refused_page = await browser.post(
            f"{ui}/termine/{past}/absagen", data={"csrf_token": form_token(page)}
        )
        assert refused_page.status_code == 409
        assert "Der Fall ist abgeschlossen: Seine Termine bleiben" in refused_page.text
        # The closure page says the case is closed, since when and why, instead of the form.
        closure_page = await browser.get(f"{ui}/abschluss")
        assert closure_page.status_code == 200
        title = f"Fall des Haushalts {number} abgeschlossen"
        assert f"<title>{title}" in closure_page.text
        assert ("1", title) in re.findall(r"<h(\d)[^>]*>([^<]*)</h\d>", closure_page.text)
        assert "abschließen" not in closure_page.text
        assert f'action="{ui}/abschluss"' not in closure_page.text
        assert f"Der Fall wurde am {today():%d.%m.%Y} abgeschlossen" in closure_page.text
        assert_outlined(closure_page)
    refused = await intake.post(f"{path}/appointments/{past}/cancellation", headers=me)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "urn:teilhabe:problem:case-closed"
    listed = {a["id"]: a for a in (await intake.get(f"{path}/appointments", headers=me)).json()}
    assert listed[past]["cancelled_at"] is None


class _Outline(HTMLParser):
    """The headings and sections of a page, as a screen reader's outline has them."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.sections: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if given.get("id"):
            self.ids.add(str(given["id"]))
        if tag == "section":
            section = {"labelledby": given.get("aria-labelledby"), "headed": False, "content": 0}
            self.sections.append(section)
            self._open.append(section)
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = []
            if self._open:
                self._open[-1]["headed"] = True
        elif self._open and tag in {"p", "ul", "li", "table", "form", "div", "article"}:
            self._open[-1]["content"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._open:
            self._open.pop()
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)


def assert_outlined(page: httpx.Response) -> None:
    """One h1, no heading level skipped, every section named by a heading of its own and
    holding more than that heading."""
    outline = _Outline()
    outline.feed(page.text)
    levels = [level for level, _ in outline.headings]
    assert levels.count(1) == 1, outline.headings
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, outline.headings
    assert all(text for _, text in outline.headings), outline.headings
    for section in outline.sections:
        assert section["headed"], section
        assert section["labelledby"] in outline.ids, section
        assert section["content"] > 0, f"an empty section: {section}"


async def test_a_closed_case_shows_its_records_and_says_since_when_instead_of_the_forms(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-akte", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}"
    member = household["members"][0]["id"]
    due = (today() + timedelta(days=3)).isoformat()
    for url, body in (
        (f"{path}/follow-ups", {"due_on": due, "reason": "Schulanmeldung"}),
        (f"{path}/referrals", {"member_id": member, "target": "doctor", "purpose": "Impfung"}),
        (
            f"{path}/notes",
            {"category": "beratung", "noted_on": today().isoformat(), "text": "Erstgespräch"},
        ),
    ):
        made = await intake.post(url, json=body, headers=me)
        assert made.status_code == 201, (url, made.text)
    closed = await intake.post(
        f"{path}/closure", json={"reason": "other", "closed_on": today().isoformat()}, headers=me
    )
    assert closed.status_code == 200, closed.text
    # A case note is something new too, refused like the rest.
    note = await intake.post(
        f"{path}/notes",
        json={"category": "beratung", "noted_on": today().isoformat(), "text": "Nachtrag"},
        headers=me,
    )
    assert note.status_code == 409
    assert note.json()["type"] == "urn:teilhabe:problem:case-closed"

    since = f"Der Fall ist seit dem {today():%d.%m.%Y} abgeschlossen."
    ui = f"/ui/haushalte/{household['id']}"
    # Each page: the form that would be refused is gone, the notice is there, and what
    # is on record can still be read.
    pages = {
        f"{ui}/wiedervorlagen": (f'action="{ui}/wiedervorlagen"', "Schulanmeldung"),
        f"{ui}/termine": (f'action="{ui}/termine"', "Termine"),
        f"{ui}/vermittlungen": (f'action="{ui}/vermittlungen"', "Impfung"),
        f"{ui}/vermerke": (f'action="{ui}/vermerke"', "Erstgespräch"),
        f"{ui}/mitglieder/{member}": (
            f'action="{ui}/mitglieder/{member}/wohnsitzauflage"',
            "Es ist keine Wohnsitzauflage erfasst.",
        ),
    }
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="cw-akte", roles=[Role.CASEWORKER], teams=[NORTH])
        for url, (form, kept) in pages.items():
            page = await browser.get(url)
            assert page.status_code == 200, url
            assert form not in page.text, url
            assert since in page.text, url
            assert kept in page.text, url
            assert_outlined(page)
        household_page = await browser.get(ui)
        assert f"Abgeschlossen am {today():%d.%m.%Y}." in household_page.text
        assert "Fall abschließen</a>" not in household_page.text
        assert_outlined(household_page)
        # The follow-up is done, as the case closed; its page still offers no button.
        follow_ups = await browser.get(f"{ui}/wiedervorlagen")
        assert "da der Fall abgeschlossen wurde" in follow_ups.text
        assert "Erledigt<span" not in follow_ups.text

        # An open case has its forms, and its pages the same outline.
        other = (await intake.post("/households", json=allocation(), headers=me)).json()
        for suffix in ("wiedervorlagen", "termine", "vermittlungen", "vermerke"):
            page = await browser.get(f"/ui/haushalte/{other['id']}/{suffix}")
            assert f'action="/ui/haushalte/{other["id"]}/{suffix}"' in page.text
            assert "seit dem" not in page.text
            assert_outlined(page)
