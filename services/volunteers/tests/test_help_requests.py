"""Help requests from staff to the volunteer pool, on PostgreSQL: matched by language,
skill and availability, taken by one volunteer, closed for the others."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import BERLIN, on_day, today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_shifts import fetch, registered_volunteer

TUESDAYS: dict[str, Any] = {"available_weekdays": ["tue"]}


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coord-ines")


def next_tuesday_at_ten() -> datetime:
    day = today() + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return on_day(day).replace(hour=10)


def interpreting(skill: str) -> dict[str, Any]:
    starts = next_tuesday_at_ten()
    return {
        "title": "Dolmetschen beim Termin im Jobcenter",
        "place": "Jobcenter Dülmen, Raum 2.14",
        "language": "ar",
        "skill": skill,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
    }


async def test_a_help_request_reaches_the_volunteers_who_speak_the_language_and_one_takes_it(
    volunteers: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    volunteers_database: str,
) -> None:
    skill = f"Dolmetschen {uuid.uuid4().hex[:6]}"
    tuesdays = {"available_weekdays": ["tue"], "skills": [skill]}
    amal, amal_headers = await registered_volunteer(
        volunteers, coordinator, identity, languages=["ar", "de"], **tuesdays
    )
    basel, basel_headers = await registered_volunteer(
        volunteers, coordinator, identity, languages=["ar"], **tuesdays
    )
    _, german_only = await registered_volunteer(
        volunteers, coordinator, identity, languages=["de"], **tuesdays
    )
    _, wednesdays = await registered_volunteer(
        volunteers,
        coordinator,
        identity,
        languages=["ar"],
        skills=[skill],
        available_weekdays=["wed"],
    )
    caseworker_subject = f"cw-{uuid.uuid4().hex[:6]}"
    caseworker = auth_headers(identity, Role.CASEWORKER, subject=caseworker_subject)

    asked = await volunteers.post("/help-requests", json=interpreting(skill), headers=caseworker)
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["offered_to"]) == ("open", 2)

    [event] = await fetch(
        volunteers_database,
        "SELECT body FROM outbox_message WHERE event_type = 'help_request.opened'"
        " AND convert_from(body, 'UTF8') LIKE $1",
        f"%{request['id']}%",
    )
    data = json.loads(event["body"])["data"]
    assert sorted(data["volunteer_ids"]) == sorted([amal["id"], basel["id"]])
    assert "Jobcenter" not in event["body"].decode()  # title and place stay here

    path = f"/help-requests/{request['id']}"
    for others in (german_only, wednesdays):
        assert (await volunteers.get(path, headers=others)).status_code == 404
        assert (await volunteers.post(f"{path}/accept", headers=others)).status_code == 404
    seen = (await volunteers.get(path, headers=basel_headers)).json()
    assert (seen["title"], seen["place"], seen["offered_to"]) == (
        "Dolmetschen beim Termin im Jobcenter",
        "Jobcenter Dülmen, Raum 2.14",
        None,
    )

    taken = await volunteers.post(f"{path}/accept", headers=amal_headers)
    assert taken.status_code == 200, taken.text
    assert (taken.json()["status"], taken.json()["accepted_by_me"]) == ("accepted", True)
    assert taken.json()["accepted_by"] is None  # not even one's own contact data comes back
    late = await volunteers.post(f"{path}/accept", headers=basel_headers)
    assert late.status_code == 409
    assert late.json()["type"] == "urn:teilhabe:problem:already-accepted"

    # Closed for the other volunteer: gone from their list, and never naming who took it.
    listed = (await volunteers.get("/help-requests", headers=basel_headers)).json()
    assert request["id"] not in [r["id"] for r in listed]
    closed = (await volunteers.get(path, headers=basel_headers)).json()
    assert (closed["status"], closed["accepted_by_me"], closed["accepted_by"]) == (
        "accepted",
        False,
        None,
    )
    for text in (json.dumps(closed), json.dumps(listed)):
        assert amal["display_name"] not in text
        assert amal["email"] not in text
    mine = (await volunteers.get("/help-requests", headers=amal_headers)).json()
    assert [(r["id"], r["accepted_by_me"]) for r in mine] == [(request["id"], True)]

    # Who asked sees who comes and how to reach them; another caseworker sees nothing.
    own = (await volunteers.get(path, headers=caseworker)).json()
    assert (own["accepted_by"]["display_name"], own["accepted_by"]["phone"]) == (
        amal["display_name"],
        amal["phone"],
    )
    another = auth_headers(identity, Role.CASEWORKER, subject="cw-another")
    assert (await volunteers.get(path, headers=another)).status_code == 404

    [accepted] = await fetch(
        volunteers_database,
        "SELECT body FROM outbox_message WHERE event_type = 'help_request.accepted'"
        " AND convert_from(body, 'UTF8') LIKE $1",
        f"%{request['id']}%",
    )
    data = json.loads(accepted["body"])["data"]
    assert (data["volunteer_id"], data["requested_by"]) == (amal["id"], caseworker_subject)


async def test_two_volunteers_accepting_at_once_one_takes_it(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    skill = f"Begleitung {uuid.uuid4().hex[:6]}"
    helpers = [
        (
            await registered_volunteer(
                volunteers,
                coordinator,
                identity,
                languages=["ar"],
                skills=[skill],
                available_weekdays=["tue"],
            )
        )[1]
        for _ in range(4)
    ]
    asked = await volunteers.post("/help-requests", json=interpreting(skill), headers=coordinator)
    assert asked.json()["offered_to"] == 4
    path = f"/help-requests/{asked.json()['id']}/accept"
    responses = await asyncio.gather(*(volunteers.post(path, headers=h) for h in helpers))
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]


async def test_a_volunteer_busy_with_a_shift_then_is_not_asked(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    skill = f"Fahrdienst {uuid.uuid4().hex[:6]}"
    free, _ = await registered_volunteer(
        volunteers,
        coordinator,
        identity,
        languages=["ar"],
        skills=[skill],
        available_weekdays=["tue"],
    )
    busy, busy_headers = await registered_volunteer(
        volunteers,
        coordinator,
        identity,
        languages=["ar"],
        skills=[skill],
        available_weekdays=["tue"],
    )
    starts = next_tuesday_at_ten() - timedelta(minutes=30)
    facility = await volunteers.post(
        "/facilities", json={"name": f"Unterkunft {uuid.uuid4().hex[:6]}"}, headers=coordinator
    )
    shift = await volunteers.post(
        "/shifts",
        json={
            "facility_id": facility.json()["id"],
            "title": "Kleiderkammer",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "slots": 2,
        },
        headers=coordinator,
    )
    assert shift.status_code == 201, shift.text
    signed = await volunteers.post(f"/shifts/{shift.json()['id']}/signup", headers=busy_headers)
    assert signed.status_code == 200, signed.text

    asked = await volunteers.post("/help-requests", json=interpreting(skill), headers=coordinator)
    assert asked.json()["offered_to"] == 1
    assert busy["id"] != free["id"]


async def test_help_is_asked_for_a_time_to_come_by_staff_only(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    body = interpreting("Dolmetschen")
    body["starts_at"] = (datetime.now(UTC) - timedelta(hours=1)).astimezone(BERLIN).isoformat()
    refused = await volunteers.post("/help-requests", json=body, headers=coordinator)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["starts_at"]
    _, volunteer = await registered_volunteer(volunteers, coordinator, identity)
    body = interpreting("Dolmetschen")
    assert (
        await volunteers.post("/help-requests", json=body, headers=volunteer)
    ).status_code == 403


async def withdrawn_events(database: str, request_id: str) -> list[dict[str, Any]]:
    rows = await fetch(
        database,
        "SELECT body FROM outbox_message WHERE event_type = 'help_request.withdrawn'"
        " AND convert_from(body, 'UTF8') LIKE $1",
        f"%{request_id}%",
    )
    return [json.loads(row["body"])["data"] for row in rows]


async def test_who_asked_withdraws_an_open_request_and_those_it_reached_are_named(
    volunteers: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    volunteers_database: str,
) -> None:
    skill = f"Dolmetschen {uuid.uuid4().hex[:6]}"
    reached, reached_headers = await registered_volunteer(
        volunteers, coordinator, identity, languages=["ar"], skills=[skill], **TUESDAYS
    )
    subject = f"cw-{uuid.uuid4().hex[:6]}"
    caseworker = auth_headers(identity, Role.CASEWORKER, subject=subject)
    asked = (
        await volunteers.post("/help-requests", json=interpreting(skill), headers=caseworker)
    ).json()
    path = f"/help-requests/{asked['id']}"

    # Neither another caseworker (it is not theirs: 404) nor a volunteer may withdraw it.
    another = auth_headers(identity, Role.CASEWORKER, subject="cw-another")
    assert (await volunteers.post(f"{path}/withdraw", headers=another)).status_code == 404
    assert (await volunteers.post(f"{path}/withdraw", headers=reached_headers)).status_code == 403

    withdrawn = await volunteers.post(f"{path}/withdraw", headers=caseworker)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    [data] = await withdrawn_events(volunteers_database, asked["id"])
    assert (data["volunteer_ids"], data["volunteer_id"]) == ([reached["id"]], None)
    assert "Jobcenter" not in json.dumps(data)  # references and the time alone

    again = await volunteers.post(f"{path}/withdraw", headers=coordinator)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:teilhabe:problem:already-withdrawn"
    late = await volunteers.post(f"{path}/accept", headers=reached_headers)
    assert late.status_code == 409
    listed = (await volunteers.get("/help-requests", headers=reached_headers)).json()
    assert asked["id"] not in [r["id"] for r in listed]
    audit = await fetch(
        volunteers_database,
        "SELECT actor, action FROM audit_entry WHERE resource_id = $1 AND action = 'withdraw'",
        asked["id"],
    )
    assert [tuple(a) for a in audit] == [(subject, "withdraw")]


async def test_a_coordinator_withdraws_a_taken_request_and_the_volunteer_who_took_it_is_named(
    volunteers: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    volunteers_database: str,
) -> None:
    skill = f"Begleitung {uuid.uuid4().hex[:6]}"
    helper, helper_headers = await registered_volunteer(
        volunteers, coordinator, identity, languages=["ar"], skills=[skill], **TUESDAYS
    )
    await registered_volunteer(
        volunteers, coordinator, identity, languages=["ar"], skills=[skill], **TUESDAYS
    )
    caseworker = auth_headers(identity, Role.CASEWORKER, subject=f"cw-{uuid.uuid4().hex[:6]}")
    asked = (
        await volunteers.post("/help-requests", json=interpreting(skill), headers=caseworker)
    ).json()
    assert asked["offered_to"] == 2
    path = f"/help-requests/{asked['id']}"
    assert (await volunteers.post(f"{path}/accept", headers=helper_headers)).status_code == 200

    withdrawn = await volunteers.post(f"{path}/withdraw", headers=coordinator)
    assert withdrawn.status_code == 200, withdrawn.text
    [data] = await withdrawn_events(volunteers_database, asked["id"])
    # The other volunteer already saw it closed: only the one who took it hears of it.
    assert (data["volunteer_id"], data["volunteer_ids"]) == (helper["id"], [])
    mine = (await volunteers.get(path, headers=helper_headers)).json()
    assert mine["status"] == "withdrawn"
