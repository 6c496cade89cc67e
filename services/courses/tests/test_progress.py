"""From enrolment to completion: sessions, attendance per session, completion, withdrawal."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
from teilhabe.db import asyncpg_dsn
from teilhabe.events.households import AgeGroup

from .test_api import (  # the suite's helpers: a course, people and enrolments
    caseworker,
    coordinator,
    enroll,
    new_course,
    people,
    staged_events,
)

__all__ = ["caseworker", "coordinator"]  # fixtures, re-exported for pytest

SESSION = {
    "starts_at": "2026-12-07T08:30:00+01:00",
    "ends_at": "2026-12-07T12:45:00+01:00",
    "topic": "Lektion 1",
}


async def test_attendance_is_recorded_per_session_and_published_per_change(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=2)
    first, second, third = await people(courses_database, *[AgeGroup.ADULT] * 3)
    a = (await enroll(courses, caseworker, course["id"], first)).json()
    b = (await enroll(courses, caseworker, course["id"], second)).json()
    waiting = (await enroll(courses, caseworker, course["id"], third)).json()
    assert waiting["status"] == "waitlisted"

    added = await courses.post(
        f"/courses/{course['id']}/sessions", json=SESSION, headers=coordinator
    )
    assert added.status_code == 201, added.text
    held = added.json()
    backwards = {**SESSION, "ends_at": SESSION["starts_at"]}
    refused = await courses.post(
        f"/courses/{course['id']}/sessions", json=backwards, headers=coordinator
    )
    assert refused.status_code == 422
    assert "ends_at" in refused.text

    url = f"/sessions/{held['id']}/attendance"
    empty = (await courses.get(url, headers=coordinator)).json()
    assert [(p["enrollment_id"], p["attendance"]) for p in empty["participants"]] == [
        (a["id"], None),
        (b["id"], None),
    ]

    entries = [
        {"enrollment_id": a["id"], "attendance": "present"},
        {"enrollment_id": b["id"], "attendance": "excused"},
    ]
    recorded = await courses.put(url, json={"entries": entries}, headers=coordinator)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["session"]["recorded"] == 2
    # Corrected: one change, one event; the unchanged entry publishes nothing again.
    entries[1]["attendance"] = "absent"
    again = await courses.put(url, json={"entries": entries}, headers=coordinator)
    assert [p["attendance"] for p in again.json()["participants"]] == ["present", "absent"]

    # Somebody on the waitlist holds no seat: nothing to attend, nothing changes.
    stranger = await courses.put(
        url,
        json={"entries": [{"enrollment_id": waiting["id"], "attendance": "present"}]},
        headers=coordinator,
    )
    assert stranger.status_code == 422
    assert "entries" in stranger.text

    events = [(t, d) for t, d in await staged_events(courses_database, course["id"])]
    attendance = [
        (d["member_id"], d["attendance"], d["held_on"])
        for t, d in events
        if t == "course.attendance_recorded"
    ]
    assert attendance == [
        (first, "present", "2026-12-07"),
        (second, "excused", "2026-12-07"),
        (second, "absent", "2026-12-07"),
    ]

    listed = (await courses.get(f"/courses/{course['id']}/sessions", headers=coordinator)).json()
    assert [(s["id"], s["topic"], s["recorded"]) for s in listed] == [(held["id"], "Lektion 1", 2)]
    # Another coordinator's session is as unknown as a missing one.
    other = await courses.get(f"/sessions/{uuid.uuid4()}/attendance", headers=coordinator)
    assert other.status_code == 404


async def test_completion_with_result_and_withdrawal_publish_their_events(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=1)
    first, second = await people(courses_database, *[AgeGroup.ADULT] * 2)
    a = (await enroll(courses, caseworker, course["id"], first)).json()
    b = (await enroll(courses, caseworker, course["id"], second)).json()

    on_waitlist = await courses.post(
        f"/enrollments/{b['id']}/complete", json={}, headers=coordinator
    )
    assert on_waitlist.status_code == 409
    assert on_waitlist.json()["type"] == "urn:teilhabe:problem:not-enrolled"

    done = await courses.post(
        f"/enrollments/{a['id']}/complete", json={"result": "B1"}, headers=coordinator
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["result"]) == ("completed", "B1")
    twice = await courses.post(f"/enrollments/{a['id']}/complete", json={}, headers=coordinator)
    assert twice.json()["type"] == "urn:teilhabe:problem:already-completed"
    late = await courses.post(f"/enrollments/{a['id']}/withdraw", headers=coordinator)
    assert late.json()["type"] == "urn:teilhabe:problem:already-completed"

    left = await courses.post(f"/enrollments/{b['id']}/withdraw", headers=coordinator)
    assert left.status_code == 200, left.text

    events = await staged_events(courses_database, course["id"])
    completed = [d for t, d in events if t == "course.completed"]
    withdrawn = [d for t, d in events if t == "course.withdrawn"]
    assert [(d["member_id"], d["result"]) for d in completed] == [(first, "B1")]
    assert [(d["member_id"], d["was_waitlisted"]) for d in withdrawn] == [(second, True)]
    # No name, no case note: references, the offer and what became of the seat.
    assert set(withdrawn[0]) == {
        "enrollment_id",
        "course_id",
        "course_title",
        "course_kind",
        "household_id",
        "member_id",
        "withdrawn_on",
        "was_waitlisted",
    }

    # The caseworker enrols but does not record progress; that stays with the coordinators.
    refused = await courses.post(f"/enrollments/{a['id']}/complete", json={}, headers=caseworker)
    assert refused.status_code == 403

    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        actions = await db.fetch("SELECT DISTINCT action FROM audit_entry")
    finally:
        await db.close()
    assert "complete" in {row["action"] for row in actions}
