"""Facilities, shift templates and shifts: volunteers sign up and cancel, on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coord-ines")


async def registered_volunteer(
    client: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    **overrides: Any,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A registered volunteer with a login of their own, and their headers."""
    subject = f"vol-{uuid.uuid4().hex[:8]}"
    body = {
        "display_name": f"Helfer {subject}",
        "email": f"{subject}@example.org",
        "phone": "+49 2594 555",
        "languages": ["de"],
        "available_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "subject": subject,
        **overrides,
    }
    response = await client.post("/volunteers", json=body, headers=coordinator)
    assert response.status_code == 201, response.text
    return response.json(), auth_headers(identity, Role.VOLUNTEER, subject=subject)


async def facility(client: httpx.AsyncClient, coordinator: dict[str, str], kind: str) -> str:
    body = {"name": f"Begegnungscafé {uuid.uuid4().hex[:6]}", "kind": kind}
    response = await client.post("/facilities", json=body, headers=coordinator)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def planned_shift(
    client: httpx.AsyncClient,
    coordinator: dict[str, str],
    *,
    slots: int,
    needs_clearance: bool = False,
    days_ahead: int = 3,
) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
    body = {
        "facility_id": await facility(client, coordinator, "cafe"),
        "title": "Kinderbetreuung" if needs_clearance else "Thekendienst",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "slots": slots,
        "needs_clearance": needs_clearance,
    }
    response = await client.post("/shifts", json=body, headers=coordinator)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def fetch(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def test_a_shift_planned_from_a_template_is_signed_up_for_and_given_back(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    shelter = await facility(volunteers, coordinator, "shelter")
    template = await volunteers.post(
        f"/facilities/{shelter}/shift-templates",
        json={"title": "Frühstücksausgabe", "starts": "08:00", "ends": "11:00", "slots": 3},
        headers=coordinator,
    )
    assert template.status_code == 201, template.text
    day = today() + timedelta(days=7)
    created = await volunteers.post(
        f"/shift-templates/{template.json()['id']}/shifts",
        json={"on": day.isoformat()},
        headers=coordinator,
    )
    assert created.status_code == 201, created.text
    shift = created.json()
    assert shift["starts_at"].startswith(f"{day.isoformat()}T0")  # 08:00 in Berlin, in UTC
    assert (shift["slots"], shift["taken"], shift["signups"]) == (3, 0, [])

    anna, anna_headers = await registered_volunteer(volunteers, coordinator, identity)
    _, bert_headers = await registered_volunteer(volunteers, coordinator, identity)
    board = await volunteers.get("/shifts", headers=anna_headers)
    assert shift["id"] in [s["id"] for s in board.json()]

    signed = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=anna_headers)
    assert signed.status_code == 200, signed.text
    assert (signed.json()["taken"], signed.json()["signed_up"]) == (1, True)
    again = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=anna_headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:teilhabe:problem:already-signed-up"

    # Another volunteer sees the slot taken, never by whom; the coordinator sees who.
    seen_by_bert = (await volunteers.get(f"/shifts/{shift['id']}", headers=bert_headers)).json()
    assert (seen_by_bert["taken"], seen_by_bert["signed_up"], seen_by_bert["signups"]) == (
        1,
        False,
        None,
    )
    assert anna["display_name"] not in json.dumps(seen_by_bert)
    seen_by_coordinator = (
        await volunteers.get(f"/shifts/{shift['id']}", headers=coordinator)
    ).json()
    assert [s["display_name"] for s in seen_by_coordinator["signups"]] == [anna["display_name"]]

    own = await volunteers.get("/volunteers/me/shifts", headers=anna_headers)
    assert [s["id"] for s in own.json()] == [shift["id"]]
    given_back = await volunteers.delete(f"/shifts/{shift['id']}/signup", headers=anna_headers)
    assert given_back.status_code == 200, given_back.text
    assert given_back.json()["taken"] == 0
    assert (await volunteers.get("/volunteers/me/shifts", headers=anna_headers)).json() == []


async def test_a_shift_with_children_refuses_a_volunteer_without_a_valid_clearance(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    shift = await planned_shift(volunteers, coordinator, slots=2, needs_clearance=True)
    _, uncleared = await registered_volunteer(volunteers, coordinator, identity)
    refused = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=uncleared)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:teilhabe:problem:clearance-required"

    convicted, convicted_headers = await registered_volunteer(volunteers, coordinator, identity)
    cleared, cleared_headers = await registered_volunteer(volunteers, coordinator, identity)
    for volunteer, conviction in ((convicted, True), (cleared, False)):
        clearance = {
            "inspected_on": today().isoformat(),
            "issued_on": today().isoformat(),
            "relevant_conviction": conviction,
        }
        put = await volunteers.put(
            f"/volunteers/{volunteer['id']}/clearance", json=clearance, headers=coordinator
        )
        assert put.status_code == 200, put.text
    refused = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=convicted_headers)
    assert refused.json()["type"] == "urn:teilhabe:problem:clearance-required"
    taken = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=cleared_headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["taken"] == 1


async def test_volunteers_racing_for_the_last_slot_one_gets_it(
    volunteers: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    volunteers_database: str,
) -> None:
    shift = await planned_shift(volunteers, coordinator, slots=2)
    _, first = await registered_volunteer(volunteers, coordinator, identity)
    assert (await volunteers.post(f"/shifts/{shift['id']}/signup", headers=first)).is_success
    racers = [(await registered_volunteer(volunteers, coordinator, identity))[1] for _ in range(6)]

    responses = await asyncio.gather(
        *(volunteers.post(f"/shifts/{shift['id']}/signup", headers=h) for h in racers)
    )

    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {
        "urn:teilhabe:problem:shift-full"
    }
    [row] = await fetch(
        volunteers_database,
        "SELECT count(*) AS taken FROM shift_signup WHERE shift_id = $1",
        uuid.UUID(shift["id"]),
    )
    assert row["taken"] == 2


async def test_a_cancelled_shift_tells_the_volunteers_signed_up_and_takes_no_more(
    volunteers: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    volunteers_database: str,
) -> None:
    shift = await planned_shift(volunteers, coordinator, slots=3, days_ahead=1)
    anna, anna_headers = await registered_volunteer(volunteers, coordinator, identity)
    _, bert_headers = await registered_volunteer(volunteers, coordinator, identity)
    assert (await volunteers.post(f"/shifts/{shift['id']}/signup", headers=anna_headers)).is_success

    refused = await volunteers.post(f"/shifts/{shift['id']}/cancel", headers=anna_headers)
    assert refused.status_code == 403
    cancelled = await volunteers.post(f"/shifts/{shift['id']}/cancel", headers=coordinator)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled"] is True

    [event] = await fetch(
        volunteers_database,
        "SELECT body FROM outbox_message WHERE event_type = 'shift.cancelled'"
        " AND convert_from(body, 'UTF8') LIKE $1",
        f"%{shift['id']}%",
    )
    data = json.loads(event["body"])["data"]
    assert data["volunteer_ids"] == [anna["id"]]
    assert anna["display_name"] not in event["body"].decode()
    assert anna["email"] not in event["body"].decode()

    late = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=bert_headers)
    assert late.status_code == 404  # off the board for those not signed up
    own = await volunteers.get("/volunteers/me/shifts", headers=anna_headers)
    assert [s["cancelled"] for s in own.json()] == [True]


async def test_a_shift_in_the_past_or_ending_before_it_starts_is_refused_at_the_field(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    starts = datetime.now(UTC) + timedelta(days=1)
    body = {
        "facility_id": await facility(volunteers, coordinator, "shelter"),
        "title": "Kleiderkammer",
        "starts_at": starts.isoformat(),
        "ends_at": (starts - timedelta(hours=1)).isoformat(),
        "slots": 2,
    }
    response = await volunteers.post("/shifts", json=body, headers=coordinator)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ends_at"]
    body["starts_at"] = (starts - timedelta(days=2)).isoformat()
    response = await volunteers.post("/shifts", json=body, headers=coordinator)
    assert [e["field"] for e in response.json()["errors"]] == ["starts_at"]
