"""Calendar feeds of an offer and of a participant: iCalendar that validates, at secret
addresses kept hashed, reissued and stopped, each fetch audited, and nothing in them the
holder may not see (no person in an offer's feed; only the person's own seats in theirs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from courses.erasure import erase
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.erasure import ErasureSubject
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_api import (
    caseworker,
    coordinator,
    enroll,
    household_assigned,
    new_course,
)
from .test_api import deliver as deliver_households

__all__ = ["caseworker", "coordinator"]  # fixtures, re-exported for pytest


async def session_of(
    courses: httpx.AsyncClient, headers: dict[str, str], course_id: str, days: int, topic: str
) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    response = await courses.post(
        f"/courses/{course_id}/sessions",
        json={
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "topic": topic,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def entries(body: bytes) -> dict[str, tuple[str, str, timedelta]]:
    """UID → (summary, location, duration) of each event, as a calendar client reads them."""
    calendar = Calendar.from_ical(body)
    return {
        str(event["UID"]): (
            str(event["SUMMARY"]),
            str(event["LOCATION"]),
            event.decoded("DTEND") - event.decoded("DTSTART"),
        )
        for event in calendar.walk("VEVENT")
    }


async def audited_reads(database_url: str, actor: str) -> list[tuple[str, str]]:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await db.fetch(
            "SELECT resource_type, resource_id FROM audit_entry"
            " WHERE actor = $1 AND action = 'read' ORDER BY id",
            actor,
        )
    finally:
        await db.close()
    return [(row["resource_type"], row["resource_id"]) for row in rows]


async def test_an_offers_feed_holds_its_sessions_and_no_person(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator)
    first = await session_of(courses, coordinator, course["id"], 7, "Begrüßung")
    second = await session_of(courses, coordinator, course["id"], 8, "Zahlen und Uhrzeit")
    family = household_assigned(AgeGroup.ADULT)
    await deliver_households(courses_database, family)
    member = str(family.members[0].member_id)
    assert (await enroll(courses, caseworker, course["id"], member)).status_code == 201

    issued = await courses.post(f"/courses/{course['id']}/calendar", headers=coordinator)
    assert issued.status_code == 200, issued.text
    path = urlsplit(issued.json()["url"]).path
    assert path.startswith("/kalender/")
    feed = await courses.get(path)  # a calendar client sends the address, no token
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    assert entries(feed.content) == {
        f"course-session-{first['id']}@teilhabe": (
            f"{course['title']}: Begrüßung",
            course["place"],
            timedelta(hours=3),
        ),
        f"course-session-{second['id']}@teilhabe": (
            f"{course['title']}: Zahlen und Uhrzeit",
            course["place"],
            timedelta(hours=3),
        ),
    }
    body = feed.content.decode()
    for secret in (member, str(family.household_id), family.allocation_notice_number):
        assert secret not in body
    # Kept hashed: the token is nowhere in the database.
    token = path.removeprefix("/kalender/").removesuffix(".ics")
    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        kept = await db.fetchval("SELECT count(*) FROM calendar_feed WHERE token_hash = $1", token)
    finally:
        await db.close()
    assert kept == 0
    # Each fetch is audited: the offer's feed read these sessions.
    assert sorted(await audited_reads(courses_database, f"course:{course['id']}")) == sorted(
        [("course_session", first["id"]), ("course_session", second["id"])]
    )

    # Only the offer's coordinators issue it; a new address ends the old one; stopping ends it.
    other = auth_headers(identity, Role.COURSE_COORDINATOR, subject="coord-other", teams=["Süd"])
    assert (
        await courses.post(f"/courses/{course['id']}/calendar", headers=other)
    ).status_code == 404
    assert (
        await courses.post(f"/courses/{course['id']}/calendar", headers=caseworker)
    ).status_code == 403
    again = await courses.post(f"/courses/{course['id']}/calendar", headers=coordinator)
    assert (await courses.get(path)).status_code == 404
    new_path = urlsplit(again.json()["url"]).path
    assert (await courses.get(new_path)).status_code == 200
    stopped = await courses.delete(f"/courses/{course['id']}/calendar", headers=coordinator)
    assert stopped.status_code == 204
    assert (await courses.get(new_path)).status_code == 404
    assert (await courses.get("/kalender/guessed.ics")).status_code == 404


async def test_a_participants_feed_holds_only_the_sessions_of_their_own_seats(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    seated_in = await new_course(courses, coordinator, seats=1)
    full = await new_course(courses, coordinator, seats=1)
    someone_elses = await new_course(courses, coordinator, seats=1)
    mine = await session_of(courses, coordinator, seated_in["id"], 7, "Einstufung")
    waiting_for = await session_of(courses, coordinator, full["id"], 7, "Start")
    theirs = await session_of(courses, coordinator, someone_elses["id"], 7, "Start")
    family, neighbours = household_assigned(AgeGroup.ADULT), household_assigned(AgeGroup.ADULT)
    await deliver_households(courses_database, family, neighbours)
    person, neighbour = str(family.members[0].member_id), str(neighbours.members[0].member_id)
    assert (await enroll(courses, caseworker, seated_in["id"], person)).status_code == 201
    assert (await enroll(courses, caseworker, full["id"], neighbour)).status_code == 201
    assert (await enroll(courses, caseworker, full["id"], person)).json()["status"] == "waitlisted"
    assert (await enroll(courses, caseworker, someone_elses["id"], neighbour)).status_code == 201

    issued = await courses.post(f"/persons/{person}/calendar", headers=caseworker)
    assert issued.status_code == 200, issued.text
    path = urlsplit(issued.json()["url"]).path
    feed = await courses.get(path)
    assert feed.status_code == 200
    found = entries(feed.content)
    assert set(found) == {f"course-session-{mine['id']}@teilhabe"}
    assert found[f"course-session-{mine['id']}@teilhabe"][0] == f"{seated_in['title']}: Einstufung"
    body = feed.content.decode()
    for secret in (
        person,
        neighbour,
        str(family.household_id),
        family.allocation_notice_number,
        full["title"],
        someone_elses["title"],
        waiting_for["id"],
        theirs["id"],
    ):
        assert secret not in body
    assert await audited_reads(courses_database, f"person:{person}") == [
        ("course_session", mine["id"])
    ]

    # Their caseworkers and the coordinators of their offers issue it; no one else.
    assert (
        await courses.post(f"/persons/{person}/calendar", headers=coordinator)
    ).status_code == 200
    assert (await courses.get(path)).status_code == 404, "the new address ended the old one"
    stranger = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=["Süd"])
    assert (await courses.post(f"/persons/{person}/calendar", headers=stranger)).status_code == 404
    unrelated = auth_headers(identity, Role.COURSE_COORDINATOR, subject="coord-x", teams=["X"])
    assert (await courses.post(f"/persons/{person}/calendar", headers=unrelated)).status_code == 404
    agency = auth_headers(identity, Role.AGENCY)
    assert (await courses.post(f"/persons/{person}/calendar", headers=agency)).status_code == 403
    assert (
        await courses.delete(f"/persons/{person}/calendar", headers=caseworker)
    ).status_code == 204


@pytest.fixture
async def browser(courses: httpx.AsyncClient) -> Any:
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="coord-petra", roles=[Role.COURSE_COORDINATOR])
        yield client


async def test_the_pages_show_an_address_once_and_stop_it(
    browser: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator)
    await session_of(courses, coordinator, course["id"], 7, "Begrüßung")
    family = household_assigned(AgeGroup.ADULT)
    await deliver_households(courses_database, family)
    member = str(family.members[0].member_id)
    assert (await enroll(courses, caseworker, course["id"], member)).status_code == 201

    detail = await browser.get(f"/ui/kurse/{course['id']}")
    assert f"/ui/kurse/{course['id']}/kalender" in detail.text
    assert f"/ui/teilnehmende/{member}" in detail.text
    for page_path in (f"/ui/kurse/{course['id']}/kalender", f"/ui/teilnehmende/{member}"):
        page = await browser.get(page_path)
        assert page.status_code == 200
        assert "Es gibt keine Kalenderadresse." in page.text
        issued = await browser.post(
            f"{page_path.removesuffix('/kalender')}/kalender",
            data={"csrf_token": form_token(page)},
        )
        assert issued.status_code == 200
        address = issued.text.split('<code id="feed-address">')[1].split("</code>")[0]
        feed = await courses.get(urlsplit(address).path)
        assert feed.status_code == 200
        assert Calendar.from_ical(feed.content).walk("VEVENT")
        # Shown once: the page shows it no more.
        shown = await browser.get(page_path)
        assert address not in shown.text
        assert "Ausgestellt am" in shown.text
        stopped = await browser.post(
            f"{page_path.removesuffix('/kalender')}/kalender/beenden",
            data={"csrf_token": form_token(shown)},
        )
        assert stopped.status_code == 303
        assert (await courses.get(urlsplit(address).path)).status_code == 404
    participant = await browser.get(f"/ui/teilnehmende/{member}")
    assert course["title"] in participant.text
    assert family.allocation_notice_number in participant.text


async def test_an_erased_persons_feed_goes_with_them(
    courses: httpx.AsyncClient,
    caseworker: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    courses_database: str,
) -> None:
    family = household_assigned(AgeGroup.ADULT)
    await deliver_households(courses_database, family)
    person = family.members[0].member_id
    issued = await courses.post(f"/persons/{person}/calendar", headers=caseworker)
    path = urlsplit(issued.json()["url"]).path
    assert (await courses.get(path)).status_code == 200
    async with sessions() as session, session.begin():
        await erase(session, ErasureSubject.HOUSEHOLD, family.household_id)
    assert (await courses.get(path)).status_code == 404
    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        left = await db.fetchval(
            "SELECT count(*) FROM calendar_feed WHERE holder = $1", f"person:{person}"
        )
    finally:
        await db.close()
    assert left == 0
