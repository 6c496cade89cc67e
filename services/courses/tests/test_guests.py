"""Community offers that locals and volunteers join as guests: the minimum of data, seats
shared with allocated people, deleted after the offer ends (retention as data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import asyncpg
import httpx
from courses.retention import RETENTION
from teilhabe.auth import Role
from teilhabe.clock import on_day, today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.households import AgeGroup
from teilhabe.retention import run as retention_run
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import caseworker, coordinator, enroll, new_course, people

__all__ = ["caseworker", "coordinator"]  # fixtures, re-exported for pytest


def cafe(**overrides: object) -> dict[str, object]:
    return {
        "kind": "community",
        "title": "Begegnungscafé Mittwoch",
        "provider": "Caritas Dülmen",
        "level": None,
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=60)).isoformat(),
        "weekly_times": "Mi 15:00–17:00",
        "place": "Gemeindehaus St. Viktor, Kirchplatz 3, 48249 Dülmen",
        "languages": ["de", "ar", "uk"],
        "childcare": True,
        **overrides,
    }


async def sql(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def run_guest_retention(database_url: str, now: datetime | None = None) -> int:
    """One retention run of the guest rule, as the retention timer runs it."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await retention_run.remove_slice(
                session, RETENTION.rule("guest"), now=now or datetime.now(UTC)
            )
    finally:
        await engine.dispose()


async def test_a_local_joins_a_begegnungscafe_with_a_name_and_a_contact_only(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, **cafe(seats=3))
    assert (course["languages"], course["childcare"]) == (["de", "ar", "uk"], True)
    url = f"/courses/{course['id']}/guests"

    # Nothing beyond the minimum is taken.
    more = {"name": "Jutta Brinkmann", "contact": "0151 2345678", "date_of_birth": "1961-04-02"}
    assert (await courses.post(url, json=more, headers=coordinator)).status_code == 422
    joined = await courses.post(
        url, json={"name": "Jutta Brinkmann", "contact": "0151 2345678"}, headers=coordinator
    )
    assert joined.status_code == 201, joined.text
    guest = joined.json()
    columns = await sql(
        courses_database,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'guest'",
    )
    assert {row["column_name"] for row in columns} == {
        "id",
        "course_id",
        "name",
        "contact",
        "added_by",
        "joined_at",
    }

    # A guest and allocated people share the seats.
    adult, second = await people(courses_database, AgeGroup.ADULT, AgeGroup.ADULT)
    assert (await enroll(courses, caseworker, course["id"], adult)).json()["status"] == "enrolled"
    second_guest = await courses.post(
        url, json={"name": "Ömer Yıldız", "contact": "oemer@example.org"}, headers=coordinator
    )
    assert second_guest.status_code == 201
    full = await courses.post(
        url, json={"name": "Max Vogt", "contact": "max@example.org"}, headers=coordinator
    )
    assert full.status_code == 409
    assert "seat" in full.text
    waiting = (await enroll(courses, caseworker, course["id"], second)).json()
    assert waiting["status"] == "waitlisted"

    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (detail["enrolled"], detail["free"], detail["waitlisted"]) == (3, 0, 1)
    assert [(g["name"], g["contact"]) for g in detail["guests"]] == [
        ("Jutta Brinkmann", "0151 2345678"),
        ("Ömer Yıldız", "oemer@example.org"),
    ]
    assert next(g["id"] for g in detail["guests"]) == guest["id"]

    # Leaving deletes the guest at once; the seat goes to the waitlist.
    left = await courses.delete(f"/guests/{guest['id']}", headers=coordinator)
    assert left.status_code == 204
    assert await sql(courses_database, "SELECT 1 FROM guest WHERE id = $1", guest["id"]) == []
    assert (await courses.delete(f"/guests/{guest['id']}", headers=coordinator)).status_code == 404
    after = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert [g["name"] for g in after["guests"]] == ["Ömer Yıldız"]
    assert after["waitlist"][0]["seat_offer"]["status"] == "open"
    # The waiting person was offered the seat, not enrolled: the audit says so.
    actions = await sql(
        courses_database,
        "SELECT a.actor, a.action FROM audit_entry a JOIN person p"
        " ON a.resource_id = p.household_id::text"
        " WHERE p.member_id = $1 AND a.resource_type = 'household' ORDER BY a.id",
        second,
    )
    assert [(a["actor"], a["action"]) for a in actions][-2:] == [
        ("coord-petra", "offer_seat"),  # the guest left
        ("coord-petra", "read"),  # the course page after
    ]


async def test_guests_join_only_offers_open_to_them_and_only_their_coordinators_see_them(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    identity: RunningDevProvider,
) -> None:
    body = {"name": "Jutta Brinkmann", "contact": "0151 2345678"}
    course = await new_course(courses, coordinator)  # an integration course
    refused = await courses.post(f"/courses/{course['id']}/guests", json=body, headers=coordinator)
    assert refused.status_code == 409
    assert "allocated people only" in refused.text
    open_ended = await new_course(courses, coordinator, **cafe(ends_on=None, seats=5))
    refused = await courses.post(
        f"/courses/{open_ended['id']}/guests", json=body, headers=coordinator
    )
    assert refused.status_code == 409
    assert "end date" in refused.text

    community = await new_course(courses, coordinator, **cafe(seats=5))
    url = f"/courses/{community['id']}/guests"
    assert (await courses.post(url, json=body, headers=caseworker)).status_code == 403
    other = auth_headers(identity, Role.COURSE_COORDINATOR, subject="coord-x", teams=["Kurse Süd"])
    assert (await courses.post(url, json=body, headers=other)).status_code == 404
    guest = (await courses.post(url, json=body, headers=coordinator)).json()
    assert (await courses.delete(f"/guests/{guest['id']}", headers=other)).status_code == 404
    assert (await courses.delete(f"/guests/{guest['id']}", headers=caseworker)).status_code == 403
    catalogue = (await courses.get("/courses?kind=community", headers=caseworker)).json()
    assert "Jutta" not in str(catalogue), "the catalogue holds no guest"


async def test_a_guests_data_is_deleted_the_day_after_the_offer_ends(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    ended = await new_course(courses, coordinator, **cafe(seats=5))
    ongoing = await new_course(courses, coordinator, **cafe(seats=5, title="Nachbarschaftsfest"))
    for course, name in ((ended, "Jutta Brinkmann"), (ongoing, "Ömer Yıldız")):
        joined = await courses.post(
            f"/courses/{course['id']}/guests",
            json={"name": name, "contact": "0151 2345678"},
            headers=coordinator,
        )
        assert joined.status_code == 201
    # The first offer ended yesterday; the second ends today (its guests stay till tomorrow).
    await sql(
        courses_database,
        "UPDATE course SET starts_on = $2, ends_on = $2 WHERE id = $1",
        ended["id"],
        today() - timedelta(days=1),
    )
    await sql(
        courses_database,
        "UPDATE course SET starts_on = $2, ends_on = $2 WHERE id = $1",
        ongoing["id"],
        today(),
    )
    assert await run_guest_retention(courses_database) == 1
    kept = await sql(
        courses_database,
        "SELECT name FROM guest WHERE course_id = ANY($1::uuid[])",
        [ended["id"], ongoing["id"]],
    )
    assert [row["name"] for row in kept] == ["Ömer Yıldız"]
    # The offer itself and its counts stay (kept three years, without the guest).
    detail = (await courses.get(f"/courses/{ended['id']}", headers=coordinator)).json()
    assert (detail["guests"], detail["enrolled"]) == ([], 0)


async def test_the_day_after_the_offer_ended_begins_at_midnight_in_duelmen(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    # Half an hour before and after midnight in Berlin, when it is still the day before
    # in UTC (the server's zone here): the guest stays, then goes.
    course = await new_course(courses, coordinator, **cafe(seats=5))
    joined = await courses.post(
        f"/courses/{course['id']}/guests",
        json={"name": "Hedwig Lammers", "contact": "02594 12345"},
        headers=coordinator,
    )
    assert joined.status_code == 201
    ended_on = date(2026, 3, 10)
    await sql(
        courses_database,
        "UPDATE course SET starts_on = $2, ends_on = $2 WHERE id = $1",
        course["id"],
        ended_on,
    )

    async def guests() -> list[str]:
        rows = await sql(
            courses_database, "SELECT name FROM guest WHERE course_id = $1", course["id"]
        )
        return [row["name"] for row in rows]

    await run_guest_retention(courses_database, on_day(ended_on, time(23, 30)))
    assert await guests() == ["Hedwig Lammers"]
    await run_guest_retention(courses_database, on_day(ended_on + timedelta(days=1), time(0, 30)))
    assert await guests() == []
