"""A freed seat is offered to the next on the waitlist with a deadline: accepted, declined
or expired (a durable timer), each waiting person is offered it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import httpx
from courses.config import CoursesSettings
from courses.timers import TIMERS
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.households import AgeGroup
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import caseworker, coordinator, enroll, new_course, people, staged_events

__all__ = ["caseworker", "coordinator"]  # fixtures, re-exported for pytest

# The deadline comes, as the clock would bring it: the offer's timer is due now.
DUE_NOW = (
    "UPDATE timer SET due_at = now(), run_at = now() - interval '1 second' "
    "WHERE kind = 'seat_offer_expiry' AND key = $1"
)


async def sql(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def fire_due_timers(database_url: str) -> int:
    """What the timer worker does when it wakes: fire every timer that is due."""
    settings = CoursesSettings(database_url=database_url)
    engine = create_engine(database_url, pool_size=1)
    worker = TimerWorker(
        TimerOptions.from_settings(settings),
        session_factory=create_session_factory(engine),
        handlers=TIMERS,
    )
    fired = 0
    while (batch := await worker.fire_due()) > 0:
        fired += batch
        if batch < settings.timer_batch_size:
            break
    await engine.dispose()
    return fired


async def waitlist(
    courses: httpx.AsyncClient, headers: dict[str, str], course_id: str
) -> list[tuple[str, str | None]]:
    detail = (await courses.get(f"/courses/{course_id}", headers=headers)).json()
    return [
        (w["member_id"], w["seat_offer"]["status"] if w["seat_offer"] else None)
        for w in detail["waitlist"]
    ]


async def full_course(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    database: str,
    waiting: int,
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    course = await new_course(courses, coordinator, seats=1)
    seated, *queue = await people(database, *[AgeGroup.ADULT] * (waiting + 1))
    holder = (await enroll(courses, caseworker, course["id"], seated)).json()
    for member in queue:
        assert (await enroll(courses, caseworker, course["id"], member)).status_code == 201
    return course, holder, queue


async def test_a_freed_seat_goes_to_the_first_then_the_second_when_the_deadline_passes(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course, holder, (first, second) = await full_course(
        courses, coordinator, caseworker, courses_database, waiting=2
    )
    withdrawn = await courses.post(f"/enrollments/{holder['id']}/withdraw", headers=coordinator)
    [offer] = withdrawn.json()["offered"]
    assert offer["member_id"] == first
    [timer] = await sql(
        courses_database,
        "SELECT due_at FROM timer WHERE kind = 'seat_offer_expiry' AND key = $1",
        offer["id"],
    )
    [row] = await sql(
        courses_database, "SELECT offered_at, expires_at FROM seat_offer WHERE id = $1", offer["id"]
    )
    assert row["expires_at"] - row["offered_at"] == timedelta(hours=72)
    assert timer["due_at"] == row["expires_at"]
    assert await waitlist(courses, coordinator, course["id"]) == [(first, "open"), (second, None)]
    # Offered, not yet taken: a newcomer waits behind them.
    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (detail["enrolled"], detail["free"], detail["waitlisted"]) == (0, 1, 2)

    # The deadline passes unanswered: the second in line is offered the seat.
    await sql(courses_database, DUE_NOW, offer["id"])
    assert await fire_due_timers(courses_database) == 1
    assert await fire_due_timers(courses_database) == 0, "a second worker run changes nothing"
    assert await waitlist(courses, coordinator, course["id"]) == [(second, "open")]
    late = await courses.post(f"/seat-offers/{offer['id']}/accept", headers=caseworker)
    assert late.status_code == 409
    assert late.json()["type"] == "urn:teilhabe:problem:offer-expired"

    # The second declines: nobody is left to offer the seat to; it stays free.
    [second_offer] = await sql(
        courses_database,
        "SELECT id FROM seat_offer WHERE status = 'open' AND course_id = $1",
        course["id"],
    )
    declined = await courses.post(f"/seat-offers/{second_offer['id']}/decline", headers=caseworker)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    await sql(courses_database, DUE_NOW, str(second_offer["id"]))
    assert await fire_due_timers(courses_database) == 0, "the declined offer's timer is gone"
    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (detail["enrolled"], detail["free"], detail["waitlist"]) == (0, 1, [])

    events = [(t, d["member_id"]) for t, d in await staged_events(courses_database, course["id"])]
    offers = [e for e in events if e[0].startswith("course.seat_")]
    assert offers == [
        ("course.seat_offered", first),
        ("course.seat_offer_expired", first),
        ("course.seat_offered", second),
        ("course.seat_offer_declined", second),
    ], "each offered exactly once"
    # Refs only: who and which, no name nor note (courses holds none anyway).
    offered = next(
        d
        for t, d in await staged_events(courses_database, course["id"])
        if t == "course.seat_offered"
    )
    assert set(offered) == {
        "offer_id",
        "enrollment_id",
        "course_id",
        "course_title",
        "course_kind",
        "household_id",
        "member_id",
        "expires_at",
    }


async def test_the_caseworker_accepts_on_the_persons_behalf_and_others_cannot(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
    identity: RunningDevProvider,
) -> None:
    course, holder, (first, second) = await full_course(
        courses, coordinator, caseworker, courses_database, waiting=2
    )
    [offer] = (
        await courses.post(f"/enrollments/{holder['id']}/withdraw", headers=coordinator)
    ).json()["offered"]
    listed = (await courses.get("/seat-offers", headers=caseworker)).json()
    assert offer["id"] in [o["id"] for o in listed]
    other_team = auth_headers(identity, Role.CASEWORKER, subject="cw-x", teams=["Süd"])
    assert offer["id"] not in [
        o["id"] for o in (await courses.get("/seat-offers", headers=other_team)).json()
    ]
    for stranger in (
        other_team,
        auth_headers(identity, Role.COURSE_COORDINATOR, subject="coord-x", teams=["Kurse Süd"]),
    ):
        refused = await courses.post(f"/seat-offers/{offer['id']}/accept", headers=stranger)
        assert refused.status_code == 404
    agency = auth_headers(identity, Role.AGENCY, subject="vhs")
    assert (
        await courses.post(f"/seat-offers/{offer['id']}/accept", headers=agency)
    ).status_code == 403

    accepted = await courses.post(f"/seat-offers/{offer['id']}/accept", headers=caseworker)
    assert accepted.status_code == 200, accepted.text
    again = await courses.post(f"/seat-offers/{offer['id']}/decline", headers=caseworker)
    assert again.status_code == 409
    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert [p["member_id"] for p in detail["participants"]] == [first]
    assert [(w["member_id"], w["seat_offer"]) for w in detail["waitlist"]] == [(second, None)]
    await sql(courses_database, DUE_NOW, offer["id"])
    assert await fire_due_timers(courses_database) == 0, "an accepted offer has no timer left"

    # Withdrawn while offered: the offer ends with the place, the seat goes on.
    [holder_now] = detail["participants"]
    [next_offer] = (
        await courses.post(
            f"/enrollments/{holder_now['enrollment_id']}/withdraw", headers=coordinator
        )
    ).json()["offered"]
    assert next_offer["member_id"] == second
    waiting = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    gone = await courses.post(
        f"/enrollments/{waiting['waitlist'][0]['enrollment_id']}/withdraw", headers=coordinator
    )
    assert gone.json()["offered"] == []
    [state] = await sql(
        courses_database, "SELECT status FROM seat_offer WHERE id = $1", next_offer["id"]
    )
    assert state["status"] == "void"
    assert await sql(courses_database, "SELECT 1 FROM timer WHERE key = $1", next_offer["id"]) == []
