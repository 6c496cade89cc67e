"""School and Kita place requests: the coordinators' list and outcomes, scoped, audited and
published with references only (API and staff pages, on PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from courses.handlers import HANDLERS
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, HouseholdAssigned, SchoolPlaceRequested
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_api import coordinator, household_assigned

__all__ = ["coordinator"]  # a fixture, re-exported for pytest


async def deliver(database_url: str, *payloads: HouseholdAssigned | SchoolPlaceRequested) -> None:
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        for payload in payloads:
            event = ReceivedEvent(
                envelope=new_event(payload, source="/teilhabe/intake"), payload=payload
            )
            await HANDLERS[type(payload)](session, [event])
    await engine.dispose()


async def child(database_url: str, age: int = 8, *, team: str | None = None) -> HouseholdAssigned:
    """A household with an adult and a child in school duty, and the child's request."""
    family = household_assigned(AgeGroup.ADULT, AgeGroup.SCHOOL if age >= 6 else AgeGroup.KITA)
    if team is not None:
        family = family.model_copy(update={"team": team})
    request = SchoolPlaceRequested(
        household_id=family.household_id,
        member_id=family.members[1].member_id,
        age=age,
        languages=("ar",),
        requested_on=date(2026, 11, 20),
    )
    # Delivered twice: a redelivery changes nothing.
    await deliver(database_url, family, request, request)
    return family


async def sql(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await db.fetch(query, *args))
    finally:
        await db.close()


async def published(database_url: str, member_id: object) -> list[tuple[str, dict[str, Any]]]:
    rows = await sql(
        database_url,
        "SELECT event_type, body FROM outbox_message WHERE event_type LIKE 'school_place.%'"
        " AND convert_from(body, 'UTF8') LIKE $1 ORDER BY id",
        f"%{member_id}%",
    )
    return [(row["event_type"], json.loads(row["body"])["data"]) for row in rows]


def listed(page: httpx.Response) -> list[str]:
    return [item["member_id"] for item in page.json()["items"]]


async def test_a_coordinator_records_a_place_and_intake_hears_of_it_by_reference(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    family = await child(courses_database)
    member = str(family.members[1].member_id)
    pending = await courses.get("/school-place-requests", headers=coordinator)
    assert pending.status_code == 200
    found = next(item for item in pending.json()["items"] if item["member_id"] == member)
    assert found["allocation_notice_number"] == family.allocation_notice_number
    assert (found["member_position"], found["age"], found["age_group"]) == (2, 8, "school")
    assert (found["status"], found["requested_on"]) == ("open", "2026-11-20")

    url = f"/school-place-requests/{member}/outcome"
    waiting = await courses.post(url, json={"outcome": "waiting"}, headers=coordinator)
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["status"] == "waiting"
    assert member in listed(await courses.get("/school-place-requests", headers=coordinator))

    placed = await courses.post(
        url,
        json={
            "outcome": "placed",
            "institution": "school",
            "institution_name": "Grundschule Mitte",
        },
        headers=coordinator,
    )
    assert placed.status_code == 200, placed.text
    assert (placed.json()["status"], placed.json()["institution_name"]) == (
        "placed",
        "Grundschule Mitte",
    )
    # Placed is final, and no longer among those to be met.
    again = await courses.post(url, json={"outcome": "waiting"}, headers=coordinator)
    assert again.status_code == 409
    assert member not in listed(await courses.get("/school-place-requests", headers=coordinator))
    done = await courses.get(
        "/school-place-requests", params={"status": "placed", "limit": 200}, headers=coordinator
    )
    assert member in listed(done)

    events = await published(courses_database, member)
    assert [kind for kind, _ in events] == ["school_place.waiting", "school_place.assigned"]
    assigned = events[1][1]
    # References and the day: the school's name stays in courses.
    assert set(assigned) == {"household_id", "member_id", "assigned_on"}
    assert assigned["member_id"] == member
    actions = await sql(
        courses_database,
        "SELECT actor, action FROM audit_entry WHERE resource_id = $1 ORDER BY id",
        str(family.household_id),
    )
    assert [(a["actor"], a["action"]) for a in actions].count(
        ("coord-petra", "record_school_place")
    ) == 2


async def test_an_outcome_takes_only_its_own_fields_and_closing_needs_a_reason(
    courses: httpx.AsyncClient, coordinator: dict[str, str], courses_database: str
) -> None:
    family = await child(courses_database, age=4)
    url = f"/school-place-requests/{family.members[1].member_id}/outcome"
    for body in (
        {"outcome": "closed"},
        {"outcome": "placed", "institution": "kita"},
        {"outcome": "waiting", "reason": "moved_away"},
        {"outcome": "waiting", "institution_name": "Kita Sonnenschein"},
    ):
        refused = await courses.post(url, json=body, headers=coordinator)
        assert refused.status_code == 422, body
    closed = await courses.post(
        url, json={"outcome": "closed", "reason": "moved_away"}, headers=coordinator
    )
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["close_reason"]) == ("closed", "moved_away")
    assert closed.json()["age_group"] == "kita"
    events = await published(courses_database, family.members[1].member_id)
    assert [(kind, set(data)) for kind, data in events] == [
        ("school_place.closed", {"household_id", "member_id"})
    ]


async def test_caseworkers_follow_their_teams_children_only_and_record_nothing(
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    ours = await child(courses_database, team="Soziale Betreuung Nord")
    theirs = await child(courses_database, team="Soziale Betreuung Süd")
    north = auth_headers(
        identity, Role.CASEWORKER, subject="cw-nord", teams=["Soziale Betreuung Nord"]
    )
    lead = auth_headers(identity, Role.CASEWORKER, Role.TEAM_LEAD, subject="lead")
    ours_id, theirs_id = (str(f.members[1].member_id) for f in (ours, theirs))
    seen = listed(await courses.get("/school-place-requests?limit=200", headers=north))
    assert ours_id in seen
    assert theirs_id not in seen
    assert (
        await courses.get(f"/school-place-requests/{ours_id}", headers=north)
    ).status_code == 200
    assert (
        await courses.get(f"/school-place-requests/{theirs_id}", headers=north)
    ).status_code == 404
    assert (
        await courses.get(f"/school-place-requests/{theirs_id}", headers=lead)
    ).status_code == 200
    refused = await courses.post(
        f"/school-place-requests/{ours_id}/outcome", json={"outcome": "waiting"}, headers=north
    )
    assert refused.status_code == 403
    agency = auth_headers(identity, Role.AGENCY)
    assert (await courses.get("/school-place-requests", headers=agency)).status_code == 403
    unknown = await courses.get(
        f"/school-place-requests/{uuid.uuid4()}",
        headers=auth_headers(identity, Role.COURSE_COORDINATOR),
    )
    assert unknown.status_code == 404


async def test_a_caseworkers_page_shows_their_teams_children_without_the_outcome_form(
    courses: httpx.AsyncClient, courses_database: str
) -> None:
    ours = await child(courses_database, team="Soziale Betreuung Nord")
    theirs = await child(courses_database, team="Soziale Betreuung Süd")
    ours_id, theirs_id = (f.members[1].member_id for f in (ours, theirs))
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        await sign_in(
            client, subject="cw-nord", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Nord"]
        )
        page = await client.get("/ui/schulplaetze")
        assert page.status_code == 200
        assert f'data-member="{ours_id}"' in page.text
        assert f'data-member="{theirs_id}"' not in page.text
        assert "Ergebnis erfassen" not in page.text
        request = await client.get(f"/ui/schulplaetze/{ours_id}")
        assert request.status_code == 200
        assert 'data-status="open"' in request.text
        assert f'action="/ui/schulplaetze/{ours_id}"' not in request.text, "coordinators record"
        assert (await client.get(f"/ui/schulplaetze/{theirs_id}")).status_code == 404
        token = form_token(request)
        refused = await client.post(
            f"/ui/schulplaetze/{ours_id}", data={"csrf_token": token, "outcome": "waiting"}
        )
        assert refused.status_code == 403


@pytest.fixture
async def browser(courses: httpx.AsyncClient) -> Any:
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="petra", roles=[Role.COURSE_COORDINATOR])
        yield client


async def test_the_page_lists_requests_and_records_an_outcome_in_german(
    browser: httpx.AsyncClient, courses_database: str
) -> None:
    family = await child(courses_database)
    member = family.members[1].member_id
    page = await browser.get("/ui/schulplaetze")
    assert page.status_code == 200
    assert "Schul- und Kitaplätze" in page.text
    assert f'data-member="{member}"' in page.text
    assert family.allocation_notice_number in page.text

    form = await browser.get(f"/ui/schulplaetze/{member}")
    assert form.status_code == 200
    token = form_token(form)
    missing = await browser.post(
        f"/ui/schulplaetze/{member}",
        data={"csrf_token": token, "outcome": "placed", "institution": "school"},
    )
    assert missing.status_code == 422
    assert "Bitte nennen Sie die Schule oder Kita." in missing.text
    done = await browser.post(
        f"/ui/schulplaetze/{member}",
        data={
            "csrf_token": token,
            "outcome": "placed",
            "institution": "school",
            "institution_name": "Grundschule Mitte",
        },
    )
    assert done.status_code == 303
    after = await browser.get(done.headers["location"])
    assert "Das Ergebnis ist erfasst: Platz gefunden." in after.text
    assert f'data-member="{member}"' not in after.text
    placed = await browser.get("/ui/schulplaetze?status=placed")
    assert "Grundschule Mitte" in placed.text

    download = await browser.get("/ui/schulplaetze?status=placed&download=csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    text = download.content.decode("utf-8-sig")
    assert family.allocation_notice_number in text
    assert "Grundschule Mitte" in text
    exports = await sql(
        courses_database,
        "SELECT action FROM audit_entry WHERE resource_id = $1 AND action = 'export'",
        str(family.household_id),
    )
    assert exports
