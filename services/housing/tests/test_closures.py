"""Units over time: closures keep beds from placements and reservations for their time,
name those living there for a transfer, show on the occupancy, and every change of a unit's
beds is an event."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from housing.handlers import HANDLERS
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events import new_event
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="officer-clara")


async def waiting(database_url: str, members: int) -> uuid.UUID:
    household_id = uuid.uuid4()
    payload = HouseholdReferredToHousing(
        household_id=household_id,
        allocation_notice_number=f"BRA-{household_id.hex[:6]}",
        allocated_on=date(2026, 11, 20),
        member_count=members,
        minor_count=0,
        needs_accessible_housing=False,
    )
    event = ReceivedEvent(envelope=new_event(payload, source="/teilhabe/intake"), payload=payload)
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await HANDLERS[HouseholdReferredToHousing](session, [event])
    await engine.dispose()
    return household_id


async def new_unit(
    housing: httpx.AsyncClient, headers: dict[str, str], beds: int
) -> dict[str, Any]:
    response = await housing.post(
        "/sites",
        json={
            "name": f"Gemeinschaftsunterkunft {uuid.uuid4().hex[:6]}",
            "kind": "communal_housing",
            "address": "Halterner Straße 2, 48249 Dülmen",
            "units": [{"name": "B1", "beds": beds}],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    site = response.json()
    return {"site": site, **site["units"][0]}


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


async def place(
    housing: httpx.AsyncClient, headers: dict[str, str], household: uuid.UUID, unit_id: str, on: str
) -> httpx.Response:
    return await housing.post(
        "/placements",
        json={"household_id": str(household), "unit_id": unit_id, "moved_in_on": on},
        headers=headers,
    )


async def capacity_events(database_url: str, unit_id: str) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT body FROM outbox_message WHERE event_type = 'unit.capacity_changed' "
            "AND convert_from(body, 'UTF8') LIKE $1 ORDER BY id",
            f"%{unit_id}%",
        )
    finally:
        await connection.close()
    return [json.loads(bytes(row["body"]))["data"] for row in rows]


async def test_a_closure_lists_those_living_there_for_a_transfer_and_shows_on_the_board(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    unit = await new_unit(housing, officer, beds=4)
    resident = await waiting(housing_database, members=2)
    placed = await place(housing, officer, resident, unit["id"], day(-5))
    assert placed.status_code == 201, placed.text

    closed = await housing.post(
        f"/units/{unit['id']}/closures",
        json={"starts_on": day(0), "ends_on": day(6), "reason": "quarantine"},
        headers=officer,
    )
    assert closed.status_code == 201, closed.text
    listed = await housing.get(f"/units/{unit['id']}/closures", headers=officer)
    assert listed.status_code == 200, listed.text
    [closure] = listed.json()["closures"]
    assert (closure["reason"], closure["bed_label"]) == ("quarantine", None)
    assert [r["placement_id"] for r in closure["residents"]] == [placed.json()["id"]]
    assert closure["residents"][0]["allocation_notice_number"].startswith("BRA-")

    board = (await housing.get(f"/sites/{unit['site']['id']}", headers=officer)).json()
    [shown] = board["units"]
    assert (shown["occupied"], shown["free"], shown["closed"]) == (2, 0, 4)
    assert shown["closed_until"] == day(6)

    [added, closing] = await capacity_events(housing_database, unit["id"])
    assert (added["change"], added["beds"], added["beds_changed"]) == ("unit_added", 4, 4)
    assert closing["change"] == "closed"
    assert (closing["closed_from"], closing["closed_until"]) == (day(0), day(6))
    assert (closing["beds_changed"], closing["households_to_move"]) == (4, 1)
    assert str(resident) not in json.dumps(closing), "households are counted, not named"


async def test_a_closed_bed_leaves_the_others_free_and_beds_added_are_an_event(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    unit = await new_unit(housing, officer, beds=2)
    listed = (await housing.get(f"/units/{unit['id']}/closures", headers=officer)).json()
    first_bed = listed["beds"][0]
    closed = await housing.post(
        f"/units/{unit['id']}/closures",
        json={
            "bed_id": first_bed["id"],
            "starts_on": day(0),
            "ends_on": day(0),
            "reason": "repair",
        },
        headers=officer,
    )
    assert closed.status_code == 201, closed.text
    board = (await housing.get(f"/sites/{unit['site']['id']}", headers=officer)).json()
    assert (board["units"][0]["free"], board["units"][0]["closed"]) == (1, 1)
    [closure] = (await housing.get(f"/units/{unit['id']}/closures", headers=officer)).json()[
        "closures"
    ]
    assert (closure["bed_label"], closure["residents"]) == (first_bed["label"], [])

    added = await housing.post(f"/units/{unit['id']}/beds", json={"count": 3}, headers=officer)
    assert added.status_code == 200, added.text
    events = await capacity_events(housing_database, unit["id"])
    assert [e["change"] for e in events] == ["unit_added", "closed", "beds_added"]
    assert (events[-1]["beds"], events[-1]["beds_changed"]) == (5, 3)


async def test_closures_past_are_not_listed_and_a_closure_ahead_keeps_nobody_out_today(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    unit = await new_unit(housing, officer, beds=1)
    for starts, ends in ((-9, -2), (3, 4)):
        response = await housing.post(
            f"/units/{unit['id']}/closures",
            json={"starts_on": day(starts), "ends_on": day(ends), "reason": "repair"},
            headers=officer,
        )
        assert response.status_code == 201, response.text
    listed = (await housing.get(f"/units/{unit['id']}/closures", headers=officer)).json()
    assert [c["starts_on"] for c in listed["closures"]] == [day(3)]
    household = await waiting(housing_database, members=1)
    assert (await place(housing, officer, household, unit["id"], day(0))).status_code == 201
    listed = (await housing.get(f"/units/{unit['id']}/closures", headers=officer)).json()
    assert [len(c["residents"]) for c in listed["closures"]] == [1], "to move before day 3"


async def test_racing_placements_and_a_closure_never_place_into_the_closed_time(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    """Whichever commits first, the unit's lock orders them: a placement that won lives
    there and is listed for a transfer; one that lost was refused. Never both unseen."""
    for _ in range(3):
        unit = await new_unit(housing, officer, beds=4)
        households = [await waiting(housing_database, members=1) for _ in range(4)]
        closure = housing.post(
            f"/units/{unit['id']}/closures",
            json={"starts_on": day(0), "ends_on": day(3), "reason": "repair"},
            headers=officer,
        )
        placements = [place(housing, officer, h, unit["id"], day(0)) for h in households]
        closed, *placed = await asyncio.gather(closure, *placements)
        assert closed.status_code == 201, closed.text
        won = {r.json()["id"] for r in placed if r.status_code == 201}
        assert all(r.status_code in (201, 409) for r in placed)
        listed = (await housing.get(f"/units/{unit['id']}/closures", headers=officer)).json()
        [shown] = listed["closures"]
        assert {r["placement_id"] for r in shown["residents"]} == won
        [event] = [
            e
            for e in await capacity_events(housing_database, unit["id"])
            if e["change"] == "closed"
        ]
        # What the closure saw under the lock: those placed before it, none after.
        assert event["households_to_move"] == len(won)
        late = await place(housing, officer, await waiting(housing_database, 1), unit["id"], day(1))
        assert late.status_code == 409


async def test_a_closure_of_another_unit_s_bed_or_an_unknown_unit_is_refused(
    housing: httpx.AsyncClient, officer: dict[str, str]
) -> None:
    one, other = await new_unit(housing, officer, beds=1), await new_unit(housing, officer, beds=1)
    foreign_bed = (await housing.get(f"/units/{other['id']}/closures", headers=officer)).json()[
        "beds"
    ][0]["id"]
    refused = await housing.post(
        f"/units/{one['id']}/closures",
        json={"bed_id": foreign_bed, "starts_on": day(0), "ends_on": day(1), "reason": "repair"},
        headers=officer,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "bed_id"
    missing = await housing.get(f"/units/{uuid.uuid4()}/closures", headers=officer)
    assert missing.status_code == 404
