"""The courses API against its own PostgreSQL database, in-process."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from courses.handlers import HANDLERS
from courses.models import Person
from sqlalchemy import func, select
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import TEST_TEAM, auth_headers


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.COURSE_COORDINATOR, subject="coord-petra")


@pytest.fixture
def caseworker(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.CASEWORKER, subject="cw-anna")


def household_assigned(*age_groups: AgeGroup) -> HouseholdAssigned:
    household_id = uuid.uuid4()
    return HouseholdAssigned(
        household_id=household_id,
        allocation_notice_number=f"BRA-{household_id.hex[:6]}",
        allocated_on=date(2026, 11, 20),
        member_count=len(age_groups),
        minor_count=sum(group is not AgeGroup.ADULT for group in age_groups),
        members=tuple(
            AllocatedMember(member_id=uuid.uuid4(), age_group=group, languages=("ar", "en"))
            for group in age_groups
        ),
        team=TEST_TEAM,
    )


async def deliver(database_url: str, *payloads: HouseholdAssigned) -> None:
    """Hand events to the consumer's handler in one transaction, as the consumer does."""
    events = [
        ReceivedEvent(envelope=new_event(p, source="/teilhabe/intake"), payload=p) for p in payloads
    ]
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await HANDLERS[HouseholdAssigned](session, events)  # as the consumer routes it
    await engine.dispose()


async def people(database_url: str, *age_groups: AgeGroup) -> list[str]:
    """Member ids of one newly allocated household, known to courses."""
    event = household_assigned(*age_groups)
    await deliver(database_url, event)
    return [str(member.member_id) for member in event.members]


async def new_course(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "integration_course",
        "provider": "VHS Dülmen-Haltern am See-Havixbeck",
        "title": f"Integrationskurs {uuid.uuid4().hex[:6]}",
        "level": "A1",
        "starts_on": "2026-12-01",
        "ends_on": "2027-06-30",
        "weekly_times": "Mo–Fr 8:30–12:45",
        "place": "Bildungszentrum, Königswall 1, 48249 Dülmen",
        "seats": 3,
        **overrides,
    }
    response = await client.post("/courses", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def enroll(
    client: httpx.AsyncClient, headers: dict[str, str], course_id: str, member_id: str
) -> httpx.Response:
    return await client.post(
        f"/courses/{course_id}/enrollments", json={"member_id": member_id}, headers=headers
    )


async def staged_events(database_url: str, course_id: str) -> list[tuple[str, dict[str, Any]]]:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await db.fetch(
            "SELECT event_type, body FROM outbox_message"
            " WHERE convert_from(body, 'UTF8') LIKE $1 ORDER BY id",
            f"%{course_id}%",
        )
    finally:
        await db.close()
    return [(row["event_type"], json.loads(row["body"])["data"]) for row in rows]


async def test_coordinator_creates_and_staff_list_courses(
    courses: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    course = await new_course(courses, coordinator, seats=12)
    assert (course["seats"], course["enrolled"], course["free"], course["waitlisted"]) == (
        12,
        0,
        12,
        0,
    )
    kita = await new_course(
        courses,
        coordinator,
        kind="kita_place",
        provider="Kita St. Viktor",
        title="Kita-Platz Ü3",
        level=None,
        ends_on=None,
        weekly_times=None,
        seats=2,
    )
    for role in (Role.COURSE_COORDINATOR, Role.CASEWORKER, Role.AGENCY):
        listed = await courses.get(
            "/courses",
            params={"kind": "kita_place", "limit": 200},
            headers=auth_headers(identity, role),
        )
        assert listed.status_code == 200, (role, listed.text)
        ids = [item["id"] for item in listed.json()["items"]]
        assert kita["id"] in ids
        assert course["id"] not in ids

    detail = await courses.get(f"/courses/{course['id']}", headers=coordinator)
    assert detail.status_code == 200
    assert detail.json()["participants"] == []
    assert detail.json()["waitlist"] == []
    assert detail.json()["weekly_times"] == "Mo–Fr 8:30–12:45"
    missing = await courses.get(f"/courses/{uuid.uuid4()}", headers=coordinator)
    assert missing.status_code == 404


async def test_unknown_fields_are_refused(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    response = await courses.post(
        "/courses",
        json={
            "kind": "leisure",
            "provider": "DJK Dülmen",
            "title": "Fußball für alle",
            "starts_on": "2026-12-01",
            "place": "Sportplatz",
            "seats": 20,
            "nationality": "SYR",
        },
        headers=coordinator,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "nationality"

    course = await new_course(courses, coordinator)
    [member] = await people(courses_database, AgeGroup.ADULT)
    response = await courses.post(
        f"/courses/{course['id']}/enrollments",
        json={"member_id": member, "household_id": str(uuid.uuid4())},
        headers=coordinator,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "household_id"


async def test_bad_course_input_names_the_field(
    courses: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    no_seats = await courses.post(
        "/courses",
        json={
            "kind": "language_cafe",
            "provider": "Café Welcome",
            "title": "Sprachcafé",
            "starts_on": "2026-12-01",
            "place": "Marktplatz 1",
            "seats": 0,
        },
        headers=coordinator,
    )
    assert no_seats.status_code == 422
    assert no_seats.json()["errors"][0]["field"] == "seats"

    ends_early = await courses.post(
        "/courses",
        json={
            "kind": "language_cafe",
            "provider": "Café Welcome",
            "title": "Sprachcafé",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-30",
            "place": "Marktplatz 1",
            "seats": 10,
        },
        headers=coordinator,
    )
    assert ends_early.status_code == 422
    assert [e["field"] for e in ends_early.json()["errors"]] == ["ends_on"]


async def test_concurrent_enrolments_never_exceed_the_seats(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=3)
    members = await people(courses_database, *[AgeGroup.ADULT] * 10)

    responses = await asyncio.gather(
        *(enroll(courses, caseworker, course["id"], member) for member in members)
    )
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    results = [r.json() for r in responses]
    enrolled = [r for r in results if r["status"] == "enrolled"]
    waitlisted = [r for r in results if r["status"] == "waitlisted"]
    assert len(enrolled) == 3
    assert sorted(r["waitlist_position"] for r in waitlisted) == list(range(1, 8))

    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (detail["enrolled"], detail["free"], detail["waitlisted"]) == (3, 0, 7)
    assert [p["enrollment_id"] for p in detail["participants"]] == [
        r["id"] for r in sorted(enrolled, key=lambda r: r["enrolled_at"])
    ]
    assert [w["position"] for w in detail["waitlist"]] == list(range(1, 8))
    by_position = {r["waitlist_position"]: r["id"] for r in waitlisted}
    assert [w["enrollment_id"] for w in detail["waitlist"]] == [by_position[n] for n in range(1, 8)]
    listed = [p["member_id"] for p in detail["participants"]] + [
        w["member_id"] for w in detail["waitlist"]
    ]
    assert sorted(listed) == sorted(members), "everyone once, nobody twice"

    events = await staged_events(courses_database, course["id"])
    assert sorted(t for t, _ in events) == ["course.enrolled"] * 3 + ["course.waitlisted"] * 7
    assert sorted(d["waitlist_position"] for t, d in events if t == "course.waitlisted") == list(
        range(1, 8)
    )
    household = detail["participants"][0]["household_id"]
    assert all(d["household_id"] == household for _, d in events)
    assert {d["member_id"] for t, d in events if t == "course.enrolled"} == {
        r["member_id"] for r in enrolled
    }


async def test_the_same_person_is_listed_once_even_at_the_same_moment(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    course = await new_course(courses, coordinator, seats=5)
    [member] = await people(courses_database, AgeGroup.ADULT)
    responses = await asyncio.gather(
        *(enroll(courses, coordinator, course["id"], member) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["type"] == "urn:teilhabe:problem:already-enrolled"
    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (detail["enrolled"], detail["waitlisted"]) == (1, 0)


async def test_unknown_member_and_course(
    courses: httpx.AsyncClient, caseworker: dict[str, str], coordinator: dict[str, str]
) -> None:
    course = await new_course(courses, coordinator)
    unknown = await enroll(courses, caseworker, course["id"], str(uuid.uuid4()))
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["member_id"]
    no_course = await enroll(courses, caseworker, str(uuid.uuid4()), str(uuid.uuid4()))
    assert no_course.status_code == 404


async def test_offers_take_only_the_age_groups_they_are_for(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    adult, pupil, toddler = await people(
        courses_database, AgeGroup.ADULT, AgeGroup.SCHOOL, AgeGroup.KITA
    )
    integration = await new_course(courses, coordinator)
    school = await new_course(
        courses, coordinator, kind="school_place", title="Grundschule, Klasse 3", level=None
    )
    kita = await new_course(courses, coordinator, kind="kita_place", title="Kita-Platz")
    sports = await new_course(courses, coordinator, kind="leisure", title="Schwimmen")

    refused = await enroll(courses, caseworker, integration["id"], pupil)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "member_id"
    assert "adult" in refused.json()["errors"][0]["message"]
    assert (await enroll(courses, caseworker, school["id"], adult)).status_code == 422
    assert (await enroll(courses, caseworker, kita["id"], pupil)).status_code == 422

    assert (await enroll(courses, caseworker, integration["id"], adult)).status_code == 201
    assert (await enroll(courses, caseworker, school["id"], pupil)).status_code == 201
    assert (await enroll(courses, caseworker, kita["id"], toddler)).status_code == 201
    for member in (adult, pupil, toddler):
        assert (await enroll(courses, caseworker, sports["id"], member)).status_code == 201


async def test_an_ended_course_takes_nobody(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    course = await new_course(courses, coordinator, starts_on="2025-01-06", ends_on="2025-07-31")
    [member] = await people(courses_database, AgeGroup.ADULT)
    response = await enroll(courses, coordinator, course["id"], member)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:teilhabe:problem:course-ended"


async def test_withdrawal_offers_the_seat_to_the_next_on_the_waitlist(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=1)
    first, second, third = await people(courses_database, *[AgeGroup.ADULT] * 3)
    a = (await enroll(courses, caseworker, course["id"], first)).json()
    b = (await enroll(courses, caseworker, course["id"], second)).json()
    c = (await enroll(courses, caseworker, course["id"], third)).json()
    assert [a["status"], b["status"], c["status"]] == ["enrolled", "waitlisted", "waitlisted"]
    assert [b["waitlist_position"], c["waitlist_position"]] == [1, 2]

    withdrawn = await courses.post(f"/enrollments/{a['id']}/withdraw", headers=coordinator)
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert body["withdrawn"]["status"] == "withdrawn"
    assert [(o["enrollment_id"], o["status"]) for o in body["offered"]] == [(b["id"], "open")]
    offered = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (offered["enrolled"], offered["free"], offered["waitlisted"]) == (0, 1, 2)
    assert offered["waitlist"][0]["seat_offer"]["id"] == body["offered"][0]["id"]
    assert offered["waitlist"][1]["seat_offer"] is None
    # Their caseworker accepts on their behalf: the seat is theirs.
    accepted = await courses.post(
        f"/seat-offers/{body['offered'][0]['id']}/accept", headers=caseworker
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert [p["member_id"] for p in detail["participants"]] == [second]
    assert [(w["member_id"], w["position"]) for w in detail["waitlist"]] == [(third, 1)]
    # Who they are without a name: the household's notice number and their place in it.
    [participant], [waiting] = detail["participants"], detail["waitlist"]
    assert participant["allocation_notice_number"] == waiting["allocation_notice_number"]
    assert participant["allocation_notice_number"].startswith("BRA-")
    assert (participant["member_position"], participant["age_group"]) == (2, "adult")
    assert (waiting["member_position"], waiting["age_group"]) == (3, "adult")

    events = await staged_events(courses_database, course["id"])
    assert [(t, d["member_id"]) for t, d in events] == [
        ("course.enrolled", first),
        ("course.waitlisted", second),
        ("course.waitlisted", third),
        ("course.withdrawn", first),
        ("course.seat_offered", second),
        ("course.seat_offer_accepted", second),
        ("course.enrolled", second),
    ]
    assert events[-1][1]["enrollment_id"] == b["id"]
    assert events[-1][1]["starts_on"] == "2026-12-01"

    again = await courses.post(f"/enrollments/{a['id']}/withdraw", headers=coordinator)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:teilhabe:problem:already-withdrawn"

    # Leaving the waitlist frees no seat; the withdrawn person may ask again, at the end.
    left = await courses.post(f"/enrollments/{c['id']}/withdraw", headers=coordinator)
    assert left.json()["offered"] == []
    back = await enroll(courses, caseworker, course["id"], first)
    assert (back.status_code, back.json()["waitlist_position"]) == (201, 1)
    detail = (await courses.get(f"/courses/{course['id']}", headers=coordinator)).json()
    assert (detail["enrolled"], detail["waitlisted"]) == (1, 1)

    missing = await courses.post(f"/enrollments/{uuid.uuid4()}/withdraw", headers=coordinator)
    assert missing.status_code == 404


async def test_personal_data_access_is_audited(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=1)
    event = household_assigned(AgeGroup.ADULT)
    await deliver(courses_database, event)
    member = str(event.members[0].member_id)
    enrolled = (await enroll(courses, caseworker, course["id"], member)).json()
    await courses.get(f"/courses/{course['id']}", headers=coordinator)
    await courses.post(f"/enrollments/{enrolled['id']}/withdraw", headers=coordinator)

    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        audit = await db.fetch(
            "SELECT actor, action, resource_type FROM audit_entry"
            " WHERE resource_id = $1 ORDER BY id",
            str(event.household_id),
        )
    finally:
        await db.close()
    assert [(a["actor"], a["action"], a["resource_type"]) for a in audit] == [
        ("cw-anna", "enroll", "household"),
        ("coord-petra", "read", "household"),
        ("coord-petra", "withdraw", "household"),
    ]


async def test_roles_are_enforced(
    courses: httpx.AsyncClient, identity: RunningDevProvider, courses_database: str
) -> None:
    coordinator = auth_headers(identity, Role.COURSE_COORDINATOR)
    course = await new_course(courses, coordinator)
    [member] = await people(courses_database, AgeGroup.ADULT)
    enrolment = f"/courses/{course['id']}/enrollments"

    assert (await courses.get("/courses")).status_code == 401
    assert (await courses.post(enrolment, json={"member_id": member})).status_code == 401

    agency = auth_headers(identity, Role.AGENCY)
    assert (await courses.get("/courses", headers=agency)).status_code == 200
    assert (await courses.get(f"/courses/{course['id']}", headers=agency)).status_code == 403
    assert (await enroll(courses, agency, course["id"], member)).status_code == 403
    assert (await courses.post("/courses", json={"title": "x"}, headers=agency)).status_code == 403

    caseworker = auth_headers(identity, Role.CASEWORKER)
    assert (
        await courses.post("/courses", json={"title": "x"}, headers=caseworker)
    ).status_code == 403
    assert (await courses.get(f"/courses/{course['id']}", headers=caseworker)).status_code == 403
    enrolled = await enroll(courses, caseworker, course["id"], member)
    assert enrolled.status_code == 201
    withdraw = f"/enrollments/{enrolled.json()['id']}/withdraw"
    assert (await courses.post(withdraw, headers=caseworker)).status_code == 403

    for role in (Role.VOLUNTEER, Role.HOUSING_OFFICER, Role.VOLUNTEER_COORDINATOR):
        assert (
            await courses.get("/courses", headers=auth_headers(identity, role))
        ).status_code == 403

    admin = auth_headers(identity, Role.ADMIN)
    assert (await courses.post(withdraw, headers=admin)).status_code == 403
    other = auth_headers(identity, Role.COURSE_COORDINATOR, subject="coord-x", teams=["Kurse Süd"])
    assert (await courses.post(withdraw, headers=other)).status_code == 404
    assert (await courses.get(f"/courses/{course['id']}", headers=other)).status_code == 404
    assert (await courses.post(withdraw, headers=coordinator)).status_code == 200


async def test_every_route_declares_its_roles(courses: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(courses.app) == []  # type: ignore[attr-defined]


async def test_people_are_recorded_once_whatever_the_redelivery(courses_database: str) -> None:
    family = household_assigned(AgeGroup.ADULT, AgeGroup.SCHOOL, AgeGroup.UNDER_THREE)
    single = household_assigned(AgeGroup.ADULT)
    # One run with a duplicate inside it, then the whole run delivered again.
    await deliver(courses_database, family, single, family)
    await deliver(courses_database, family, single)

    member_ids = [m.member_id for m in (*family.members, *single.members)]
    engine = create_engine(courses_database, pool_size=1)
    async with create_session_factory(engine)() as session:
        count = await session.scalar(
            select(func.count()).select_from(Person).where(Person.member_id.in_(member_ids))
        )
        pupil = await session.get(Person, family.members[1].member_id)
    await engine.dispose()
    assert count == 4
    assert pupil is not None
    assert (pupil.household_id, pupil.age_group, pupil.languages) == (
        family.household_id,
        AgeGroup.SCHOOL,
        ["ar", "en"],
    )
    assert (pupil.allocation_notice_number, pupil.position) == (family.allocation_notice_number, 2)


async def test_a_replayed_event_fills_in_what_older_rows_lack(courses_database: str) -> None:
    family = household_assigned(AgeGroup.ADULT, AgeGroup.KITA)
    kita_child = family.members[1].member_id
    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        # As recorded before courses kept notice numbers and positions.
        await db.execute(
            "INSERT INTO person (member_id, household_id, age_group, languages)"
            " VALUES ($1, $2, 'kita', '{}')",
            kita_child,
            family.household_id,
        )
        await deliver(courses_database, family)
        row = await db.fetchrow(
            "SELECT allocation_notice_number, position, languages FROM person WHERE member_id = $1",
            kita_child,
        )
    finally:
        await db.close()
    assert row is not None
    assert (row["allocation_notice_number"], row["position"]) == (
        family.allocation_notice_number,
        2,
    )
    assert row["languages"] == [], "what was recorded stays as it was"


async def test_caseworkers_enrol_only_people_of_their_teams_households(
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=5)
    [member] = await people(courses_database, AgeGroup.ADULT)  # of TEST_TEAM's household
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=["Süd"])
    refused = await enroll(courses, south, course["id"], member)
    unknown = await enroll(courses, south, course["id"], str(uuid.uuid4()))
    assert refused.status_code == unknown.status_code == 422
    assert refused.json()["errors"] == unknown.json()["errors"]
    lead = auth_headers(identity, Role.CASEWORKER, Role.TEAM_LEAD, subject="lead", teams=["Süd"])
    assert (await enroll(courses, lead, course["id"], member)).status_code == 201


async def test_a_course_is_run_by_its_creators_team(
    courses: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    north = auth_headers(identity, Role.COURSE_COORDINATOR, subject="c-nord", teams=["Kurse Nord"])
    colleague = auth_headers(identity, Role.COURSE_COORDINATOR, subject="c-2", teams=["Kurse Nord"])
    course = await new_course(courses, north)
    assert course["team"] == "Kurse Nord"
    assert (await courses.get(f"/courses/{course['id']}", headers=colleague)).status_code == 200
    fields = ("kind", "provider", "title", "starts_on", "place", "seats")
    body = {name: course[name] for name in fields} | {"team": "Kurse Süd"}
    foreign = await courses.post("/courses", json=body, headers=north)
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "team"
