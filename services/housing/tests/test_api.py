"""The housing API against its own PostgreSQL database, in-process."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import asyncpg
import httpx
import pytest
from housing import service
from housing.handlers import HANDLERS
from housing.models import WaitingHousehold
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events import new_event
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="officer-bernd")


async def allocated_household(database_url: str, members: int) -> uuid.UUID:
    """A household on the waiting queue, put there by the handler the consumer routes to."""
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


async def new_site(
    housing: httpx.AsyncClient, headers: dict[str, str], beds: int
) -> dict[str, object]:
    response = await housing.post(
        "/sites",
        json={
            "name": f"Übergangswohnheim {uuid.uuid4().hex[:6]}",
            "kind": "communal_housing",
            "address": "Lüdinghauser Straße 1, 48249 Dülmen",
            "units": [{"name": "A1", "beds": beds}],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_place_and_move_out_change_occupancy(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=4)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    household_id = await allocated_household(housing_database, members=3)
    queue = (await housing.get("/waiting-queue", headers=officer)).json()
    assert str(household_id) in [h["household_id"] for h in queue]

    placed = await housing.post(
        "/placements",
        json={"household_id": str(household_id), "unit_id": unit_id, "moved_in_on": "2026-11-25"},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text
    board = (await housing.get(f"/sites/{site['id']}", headers=officer)).json()
    assert (board["beds"], board["occupied"], board["free"]) == (4, 3, 1)
    queue = (await housing.get("/waiting-queue", headers=officer)).json()
    assert str(household_id) not in [h["household_id"] for h in queue]

    moved = await housing.post(
        f"/placements/{placed.json()['id']}/move-out",
        json={"moved_out_on": "2026-12-01", "reason": "private_housing"},
        headers=officer,
    )
    assert moved.status_code == 200, moved.text
    board = (await housing.get(f"/sites/{site['id']}", headers=officer)).json()
    assert (board["occupied"], board["free"]) == (0, 4)
    again = await housing.post(
        f"/placements/{placed.json()['id']}/move-out",
        json={"moved_out_on": "2026-12-02", "reason": "private_housing"},
        headers=officer,
    )
    assert again.status_code == 409


async def test_a_move_out_ahead_keeps_the_beds_until_its_day_and_one_long_ago_is_refused(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=2)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    household_id = await allocated_household(housing_database, members=2)
    placed = await place(housing, officer, household_id, unit_id)
    assert placed.status_code == 201, placed.text
    move_out = f"/placements/{placed.json()['id']}/move-out"

    too_old = (today() - timedelta(days=31)).isoformat()
    refused = await housing.post(
        move_out, json={"moved_out_on": too_old, "reason": "private_housing"}, headers=officer
    )
    assert refused.status_code == 422, refused.text
    assert "moved_out_on" in refused.text
    ahead = (today() + timedelta(days=10)).isoformat()
    scheduled = await housing.post(
        move_out, json={"moved_out_on": ahead, "reason": "private_housing"}, headers=officer
    )
    assert scheduled.status_code == 200, scheduled.text
    assert await counts(housing, officer, site) == (2, 0, 0)
    other = await allocated_household(housing_database, members=2)
    assert (await place(housing, officer, other, unit_id)).status_code == 409

    # The day comes (the date moved back in the database): the beds are free by date alone.
    connection = await asyncpg.connect(asyncpg_dsn(housing_database))
    await connection.execute(
        "UPDATE placement SET moved_out_on = $1 WHERE id = $2",
        today(),
        uuid.UUID(placed.json()["id"]),
    )
    await connection.close()
    assert await counts(housing, officer, site) == (0, 0, 2)
    assert (await place(housing, officer, other, unit_id)).status_code == 201
    assert await counts(housing, officer, site) == (2, 0, 0)


async def test_a_closed_unit_or_bed_takes_nobody_in_its_time(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=2)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    beds = await bed_ids(housing_database, unit_id)
    closures = f"/units/{unit_id}/closures"
    start, end = today().isoformat(), (today() + timedelta(days=3)).isoformat()

    backwards = await housing.post(
        closures, json={"starts_on": end, "ends_on": start, "reason": "repair"}, headers=officer
    )
    assert backwards.status_code == 422
    assert "ends_on" in backwards.text
    closed = await housing.post(
        closures, json={"starts_on": start, "ends_on": end, "reason": "repair"}, headers=officer
    )
    assert closed.status_code == 201, closed.text
    household_id = await allocated_household(housing_database, members=1)
    during = await housing.post(
        "/placements",
        json={"household_id": str(household_id), "unit_id": unit_id, "moved_in_on": end},
        headers=officer,
    )
    assert during.status_code == 409, during.text
    assert (await reserve(housing, officer, household_id, unit_id)).status_code == 409

    after = (today() + timedelta(days=4)).isoformat()
    quarantine = await housing.post(
        closures,
        json={"bed_id": beds[0], "starts_on": after, "ends_on": after, "reason": "quarantine"},
        headers=officer,
    )
    assert quarantine.status_code == 201, quarantine.text
    two = await allocated_household(housing_database, members=2)
    refused = await housing.post(
        "/placements",
        json={"household_id": str(two), "unit_id": unit_id, "moved_in_on": after},
        headers=officer,
    )
    assert refused.status_code == 409, "one of the two beds is closed that day"
    placed = await housing.post(
        "/placements",
        json={"household_id": str(household_id), "unit_id": unit_id, "moved_in_on": after},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text


async def bed_ids(database_url: str, unit_id: object) -> list[str]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    rows = await connection.fetch(
        "SELECT id FROM bed WHERE unit_id = $1 ORDER BY label", uuid.UUID(str(unit_id))
    )
    await connection.close()
    return [str(row["id"]) for row in rows]


async def test_racing_placements_for_the_last_beds_one_wins(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=5)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    households = [await allocated_household(housing_database, members=2) for _ in range(8)]

    responses = await asyncio.gather(
        *(
            housing.post(
                "/placements",
                json={"household_id": str(h), "unit_id": unit_id, "moved_in_on": "2026-11-25"},
                headers=officer,
            )
            for h in households
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201] + [409] * 6
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["detail"] == "the unit has 1 free beds, 2 are needed"
    board = (await housing.get(f"/sites/{site['id']}", headers=officer)).json()
    assert (board["occupied"], board["free"]) == (4, 1)


async def test_the_same_household_cannot_be_placed_twice_at_once(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=10)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    household = await allocated_household(housing_database, members=2)
    body = {"household_id": str(household), "unit_id": unit_id, "moved_in_on": "2026-11-25"}
    responses = await asyncio.gather(
        *(housing.post("/placements", json=body, headers=officer) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409]


async def test_bad_placement_input_names_the_field(
    housing: httpx.AsyncClient, officer: dict[str, str]
) -> None:
    response = await housing.post(
        "/placements",
        json={
            "household_id": str(uuid.uuid4()),
            "unit_id": str(uuid.uuid4()),
            "moved_in_on": "2026-11-25",
        },
        headers=officer,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "household_id"


async def test_roles_are_enforced(housing: httpx.AsyncClient, identity: RunningDevProvider) -> None:
    assert (await housing.get("/sites")).status_code == 401
    assert (
        await housing.get("/sites", headers=auth_headers(identity, Role.CASEWORKER))
    ).status_code == 403
    assert routes_without_declared_roles(housing.app) == []  # type: ignore[attr-defined]


async def test_waiting_queue_ignores_a_second_delivery(housing_database: str) -> None:
    household_id = uuid.uuid4()
    event = HouseholdReferredToHousing(
        household_id=household_id,
        allocation_notice_number="BRA-dup",
        allocated_on=date(2026, 11, 20),
        member_count=1,
        minor_count=0,
        needs_accessible_housing=False,
    )
    engine = create_engine(housing_database, pool_size=1)
    sessions = create_session_factory(engine)
    for _ in range(2):
        async with sessions() as session, session.begin():
            await service.enqueue_households(session=session, events=[event])
    async with sessions() as session:
        assert await session.get(WaitingHousehold, household_id) is not None
    await engine.dispose()


async def test_a_transfer_moves_the_household_and_its_beds_in_one_step(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    first = await new_site(housing, officer, beds=3)
    second = await new_site(housing, officer, beds=2)
    household = await allocated_household(housing_database, members=2)
    placed = await housing.post(
        "/placements",
        json={
            "household_id": str(household),
            "unit_id": first["units"][0]["id"],  # type: ignore[index]
            "moved_in_on": "2026-11-25",
        },
        headers=officer,
    )
    assert placed.status_code == 201, placed.text
    placement_id = placed.json()["id"]

    same = await housing.post(
        f"/placements/{placement_id}/transfer",
        json={"unit_id": first["units"][0]["id"], "moved_on": "2026-12-01"},  # type: ignore[index]
        headers=officer,
    )
    assert same.status_code == 422
    assert same.json()["errors"][0]["field"] == "unit_id"

    moved = await housing.post(
        f"/placements/{placement_id}/transfer",
        json={"unit_id": second["units"][0]["id"], "moved_on": "2026-12-01"},  # type: ignore[index]
        headers=officer,
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["bed_count"] == 2
    old = (await housing.get(f"/sites/{first['id']}", headers=officer)).json()
    new = (await housing.get(f"/sites/{second['id']}", headers=officer)).json()
    assert (old["occupied"], new["occupied"], new["free"]) == (0, 2, 0)

    again = await housing.post(
        f"/placements/{placement_id}/transfer",
        json={"unit_id": first["units"][0]["id"], "moved_on": "2026-12-02"},  # type: ignore[index]
        headers=officer,
    )
    assert again.status_code == 409, "the old placement has ended"
    events = await outbox_types(housing_database, str(household))
    assert events == ["household.moved_in", "household.moved_out", "household.moved_in"]


async def test_a_transfer_into_a_full_unit_changes_nothing(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    home = await new_site(housing, officer, beds=2)
    small = await new_site(housing, officer, beds=1)
    household = await allocated_household(housing_database, members=2)
    placed = await housing.post(
        "/placements",
        json={
            "household_id": str(household),
            "unit_id": home["units"][0]["id"],  # type: ignore[index]
            "moved_in_on": "2026-11-25",
        },
        headers=officer,
    )
    refused = await housing.post(
        f"/placements/{placed.json()['id']}/transfer",
        json={"unit_id": small["units"][0]["id"], "moved_on": "2026-12-01"},  # type: ignore[index]
        headers=officer,
    )
    assert refused.status_code == 409
    board = (await housing.get(f"/sites/{home['id']}", headers=officer)).json()
    assert board["occupied"] == 2, "the household still lives where it lived"
    assert await outbox_types(housing_database, str(household)) == ["household.moved_in"]


async def test_moving_out_for_a_transfer_puts_the_household_back_on_the_queue(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=2)
    household = await allocated_household(housing_database, members=1)
    placed = await housing.post(
        "/placements",
        json={
            "household_id": str(household),
            "unit_id": site["units"][0]["id"],  # type: ignore[index]
            "moved_in_on": "2026-11-25",
        },
        headers=officer,
    )
    moved = await housing.post(
        f"/placements/{placed.json()['id']}/move-out",
        json={"moved_out_on": "2026-12-01", "reason": "transfer"},
        headers=officer,
    )
    assert moved.status_code == 200, moved.text
    queue = (await housing.get("/waiting-queue", headers=officer)).json()
    assert str(household) in [h["household_id"] for h in queue]


async def outbox_types(database_url: str, household_id: str) -> list[str]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT event_type FROM outbox_message WHERE convert_from(body, 'UTF8') LIKE $1 "
            "ORDER BY id",
            f"%{household_id}%",
        )
    finally:
        await connection.close()
    return [row["event_type"] for row in rows]


# --- reservations ----------------------------------------------------------------------


async def reserve(
    housing: httpx.AsyncClient,
    headers: dict[str, str],
    household_id: uuid.UUID,
    unit_id: object,
    **extra: object,
) -> httpx.Response:
    return await housing.post(
        "/reservations",
        json={"household_id": str(household_id), "unit_id": unit_id, **extra},
        headers=headers,
    )


async def place(
    housing: httpx.AsyncClient, headers: dict[str, str], household_id: uuid.UUID, unit_id: object
) -> httpx.Response:
    return await housing.post(
        "/placements",
        json={"household_id": str(household_id), "unit_id": unit_id, "moved_in_on": "2026-11-25"},
        headers=headers,
    )


async def counts(
    housing: httpx.AsyncClient, headers: dict[str, str], site: dict[str, object]
) -> tuple[int, int, int]:
    board = (await housing.get(f"/sites/{site['id']}", headers=headers)).json()
    unit = board["units"][0]
    assert (unit["occupied"], unit["reserved"], unit["free"]) == (
        board["occupied"],
        board["reserved"],
        board["free"],
    )
    return board["occupied"], board["reserved"], board["free"]


async def test_reserved_beds_wait_for_their_household_and_nobody_else_takes_them(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=4)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    family, other, single = [
        await allocated_household(housing_database, members=n) for n in (3, 2, 1)
    ]

    reserved = await reserve(housing, officer, family, unit_id)
    assert reserved.status_code == 201, reserved.text
    reservation = reserved.json()
    assert (reservation["bed_count"], reservation["reserved_by"]) == (3, "officer-bernd")
    assert reservation["ended_at"] is None
    assert await counts(housing, officer, site) == (0, 3, 1)
    active = (await housing.get("/reservations", headers=officer)).json()
    assert reservation["id"] in [r["id"] for r in active]
    queue = (await housing.get("/waiting-queue", headers=officer)).json()
    entry = next(h for h in queue if h["household_id"] == str(family))
    assert entry["reservation"] == {
        "id": reservation["id"],
        "site_id": site["id"],
        "unit_id": unit_id,
        "bed_count": 3,
    }
    assert next(h for h in queue if h["household_id"] == str(other))["reservation"] is None

    refused = await place(housing, officer, other, unit_id)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "urn:teilhabe:problem:not-enough-beds"
    assert refused.json()["detail"] == "the unit has 1 free beds, 2 are needed"
    again = await reserve(housing, officer, other, unit_id)
    assert again.json()["type"] == "urn:teilhabe:problem:not-enough-beds"
    assert (await place(housing, officer, single, unit_id)).status_code == 201
    assert await counts(housing, officer, site) == (1, 3, 0)

    placed = await place(housing, officer, family, unit_id)
    assert placed.status_code == 201, placed.text
    assert placed.json()["bed_count"] == 3
    assert await counts(housing, officer, site) == (4, 0, 0)
    active = (await housing.get("/reservations", headers=officer)).json()
    assert reservation["id"] not in [r["id"] for r in active]
    assert await reservation_end(housing_database, reservation["id"]) == "placed"
    assert await outbox_types(housing_database, str(family)) == ["household.moved_in"]


async def test_placing_elsewhere_or_cancelling_frees_the_reserved_beds(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    first = await new_site(housing, officer, beds=3)
    second = await new_site(housing, officer, beds=3)
    household = await allocated_household(housing_database, members=2)
    reserved = await reserve(housing, officer, household, first["units"][0]["id"])  # type: ignore[index]
    assert reserved.status_code == 201, reserved.text
    twice = await reserve(housing, officer, household, second["units"][0]["id"])  # type: ignore[index]
    assert twice.status_code == 409
    assert twice.json()["type"] == "urn:teilhabe:problem:already-reserved"

    placed = await place(housing, officer, household, second["units"][0]["id"])  # type: ignore[index]
    assert placed.status_code == 201, placed.text
    assert await counts(housing, officer, first) == (0, 0, 3), "freed where it was reserved"
    assert await counts(housing, officer, second) == (2, 0, 1)
    assert await reservation_end(housing_database, reserved.json()["id"]) == "placed"
    ended = await housing.post(f"/reservations/{reserved.json()['id']}/cancel", headers=officer)
    assert ended.status_code == 409
    assert ended.json()["type"] == "urn:teilhabe:problem:reservation-ended"

    waiting = await allocated_household(housing_database, members=3)
    reserved = await reserve(housing, officer, waiting, first["units"][0]["id"])  # type: ignore[index]
    assert await counts(housing, officer, first) == (0, 3, 0)
    cancelled = await housing.post(f"/reservations/{reserved.json()['id']}/cancel", headers=officer)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["end_reason"] == "cancelled"
    assert cancelled.json()["ended_at"] is not None
    assert await counts(housing, officer, first) == (0, 0, 3)
    assert await audited(housing_database, str(waiting)) == ["reserve", "cancel_reservation"]
    queue = (await housing.get("/waiting-queue", headers=officer)).json()
    assert next(h for h in queue if h["household_id"] == str(waiting))["reservation"] is None
    unknown = await housing.post(f"/reservations/{uuid.uuid4()}/cancel", headers=officer)
    assert unknown.status_code == 404


async def test_a_reservation_keeps_the_rules_of_a_placement(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=4)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    household = await allocated_household(housing_database, members=3)

    split = await reserve(housing, officer, household, unit_id, bed_count=2)
    assert split.status_code == 422
    assert split.json()["errors"][0]["field"] == "split_reason"
    too_many = await reserve(housing, officer, household, unit_id, bed_count=4)
    assert too_many.json()["errors"][0]["field"] == "bed_count"
    nowhere = await reserve(housing, officer, household, str(uuid.uuid4()))
    assert nowhere.json()["errors"][0]["field"] == "unit_id"
    nobody = await reserve(housing, officer, uuid.uuid4(), unit_id)
    assert nobody.json()["errors"][0]["field"] == "household_id"
    reason = "Ein Mitglied kommt später nach."
    ok = await reserve(housing, officer, household, unit_id, bed_count=2, split_reason=reason)
    assert ok.status_code == 201, ok.text
    assert ok.json()["bed_count"] == 2
    assert "split_reason" not in ok.json(), "the reason stays in housing's records"
    assert await counts(housing, officer, site) == (0, 2, 2)

    placed = await place(housing, officer, household, unit_id)
    assert placed.status_code == 201
    after = await reserve(housing, officer, household, unit_id)
    assert after.json()["type"] == "urn:teilhabe:problem:already-placed"


async def test_a_transfer_does_not_take_beds_reserved_for_others(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    home = await new_site(housing, officer, beds=2)
    target = await new_site(housing, officer, beds=3)
    mover, expected = [await allocated_household(housing_database, members=2) for _ in range(2)]
    placed = await place(housing, officer, mover, home["units"][0]["id"])  # type: ignore[index]
    assert (await reserve(housing, officer, expected, target["units"][0]["id"])).status_code == 201  # type: ignore[index]
    refused = await housing.post(
        f"/placements/{placed.json()['id']}/transfer",
        json={"unit_id": target["units"][0]["id"], "moved_on": "2026-12-01"},  # type: ignore[index]
        headers=officer,
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:teilhabe:problem:not-enough-beds"
    assert await counts(housing, officer, target) == (0, 2, 1)
    assert await counts(housing, officer, home) == (2, 0, 0)


async def test_racing_reservations_and_placements_for_the_last_beds_one_wins(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=5)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    households = [await allocated_household(housing_database, members=2) for _ in range(8)]

    responses = await asyncio.gather(
        *(
            (reserve if n % 2 else place)(housing, officer, household, unit_id)
            for n, household in enumerate(households)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201] + [409] * 6
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {
        "urn:teilhabe:problem:not-enough-beds"
    }
    occupied, reserved, free = await counts(housing, officer, site)
    assert (occupied + reserved, free) == (4, 1)


async def test_the_same_household_cannot_reserve_twice_at_once(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=10)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    household = await allocated_household(housing_database, members=2)
    responses = await asyncio.gather(
        *(reserve(housing, officer, household, unit_id) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    assert await counts(housing, officer, site) == (0, 2, 8)


async def reservation_end(database_url: str, reservation_id: str) -> str | None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        found = await connection.fetchval(
            "SELECT end_reason::text FROM reservation WHERE id = $1", uuid.UUID(reservation_id)
        )
    finally:
        await connection.close()
    return found  # type: ignore[no-any-return]


async def audited(database_url: str, household_id: str) -> list[str]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT action FROM audit_entry WHERE resource_type = 'household' "
            "AND resource_id = $1 ORDER BY id",
            household_id,
        )
    finally:
        await connection.close()
    return [row["action"] for row in rows]


async def test_reading_the_waiting_queue_is_audited_without_content(
    housing: httpx.AsyncClient, identity: RunningDevProvider, housing_database: str
) -> None:
    household = await allocated_household(housing_database, members=2)
    headers = auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-audit")
    assert (await housing.get("/waiting-queue", headers=headers)).status_code == 200
    connection = await asyncpg.connect(asyncpg_dsn(housing_database))
    try:
        entries = await connection.fetch(
            "SELECT actor, action, resource_type FROM audit_entry WHERE resource_id = $1",
            str(household),
        )
    finally:
        await connection.close()
    assert [tuple(entry) for entry in entries] == [("ho-audit", "list", "household")]
