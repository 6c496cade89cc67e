"""A closed case ends what every service holds for the household, across processes: its
placement and reservation in housing, its enrolment in courses, its mentorship in
volunteers. A household with a member still bound to the city (§ 12a AufenthG) cannot be
closed as moved away until the obligation is lifted."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import System, eventually, household_body, provisioned_system

SERVICES = ["intake", "housing", "courses", "volunteers"]


@pytest.fixture
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, SERVICES) as system:
        yield system


async def test_a_closed_case_ends_placements_reservations_enrolments_and_mentorships(
    city: System,
) -> None:
    intake = city.start("intake", "api", wait_ready=False)
    apis = {name: city.start(name, "api", wait_ready=False) for name in SERVICES[1:]}
    # What the others publish in turn is not needed here: no relays of theirs.
    others = [city.start("intake", "relay", wait_ready=False)] + [
        city.start(name, "consumer", wait_ready=False) for name in SERVICES[1:]
    ]
    # Started together, ready together: a busy machine slows them down, it does not fail them.
    await asyncio.gather(
        *(asyncio.to_thread(p.wait_ready, 240) for p in [intake, *apis.values(), *others])
    )
    caseworker = city.headers(Role.CASEWORKER)

    async with httpx.AsyncClient(base_url=intake.url, headers=caseworker) as client:
        moving = (
            await client.post("/households", json=household_body("BRA-CLOSE-1", members=1))
        ).json()
        waiting = (await client.post("/households", json=household_body("BRA-CLOSE-2"))).json()
    adult = moving["members"][0]["id"]

    officer = city.headers(Role.HOUSING_OFFICER)
    async with httpx.AsyncClient(base_url=apis["housing"].url, headers=officer) as housing:
        site = await housing.post(
            "/sites",
            json={
                "name": "Haus Nord",
                "kind": "communal_housing",
                "address": "Marktstraße 1, 48249 Dülmen",
                "units": [{"name": "A", "beds": 4}, {"name": "B", "beds": 4}],
            },
        )
        assert site.status_code == 201, site.text
        units = [unit["id"] for unit in site.json()["units"]]
        placement: dict[str, str] = {}
        reservation: dict[str, str] = {}

        async def placed() -> bool:
            answer = await housing.post(
                "/placements",
                json={
                    "household_id": moving["id"],
                    "unit_id": units[0],
                    "moved_in_on": "2026-11-25",
                },
            )
            placement.update(answer.json() if answer.status_code == 201 else {})
            return answer.status_code == 201

        async def reserved() -> bool:
            answer = await housing.post(
                "/reservations", json={"household_id": waiting["id"], "unit_id": units[1]}
            )
            reservation.update(answer.json() if answer.status_code == 201 else {})
            return answer.status_code == 201

        await eventually(placed)
        await eventually(reserved)

    coordinator = city.headers(Role.COURSE_COORDINATOR)
    async with httpx.AsyncClient(base_url=apis["courses"].url, headers=coordinator) as courses:
        course = await courses.post(
            "/courses",
            json={
                "kind": "integration_course",
                "provider": "VHS",
                "title": "Integrationskurs A1",
                "starts_on": (today() + timedelta(days=10)).isoformat(),
                "place": "Königswall 1",
                "seats": 5,
            },
        )
        assert course.status_code == 201, course.text
        enrolment: dict[str, str] = {}

        async def enrolled() -> bool:
            answer = await courses.post(
                f"/courses/{course.json()['id']}/enrollments", json={"member_id": adult}
            )
            enrolment.update(answer.json() if answer.status_code == 201 else {})
            return answer.status_code == 201

        await eventually(enrolled)

    vcoord = city.headers(Role.VOLUNTEER_COORDINATOR)
    async with httpx.AsyncClient(base_url=apis["volunteers"].url, headers=vcoord) as volunteers:
        volunteer = await volunteers.post(
            "/volunteers",
            json={"display_name": "Jutta B.", "email": "jutta@example.org", "languages": ["fa"]},
        )
        assert volunteer.status_code == 201, volunteer.text
        match: dict[str, str] = {}

        async def matched() -> bool:
            # Adults only: no clearance needed (once the household reached volunteers).
            answer = await volunteers.post(
                "/matches",
                json={
                    "volunteer_id": volunteer.json()["id"],
                    "household_id": moving["id"],
                    "started_on": today().isoformat(),
                },
            )
            match.update(answer.json() if answer.status_code == 201 else {})
            return answer.status_code == 201

        await eventually(matched)

    async with httpx.AsyncClient(base_url=intake.url, headers=caseworker) as client:
        path = f"/households/{moving['id']}"
        bound = await client.put(
            f"{path}/members/{adult}/residence-obligation",
            json={"bound_until": (today() + timedelta(days=400)).isoformat()},
        )
        assert bound.status_code == 200, bound.text
        refused = await client.post(
            f"{path}/closure", json={"reason": "moved_away", "closed_on": today().isoformat()}
        )
        assert refused.status_code == 422
        [problem] = refused.json()["errors"]
        assert problem["field"] == "reason"
        assert "12a" in problem["message"]
        lifted = await client.post(
            f"{path}/members/{adult}/residence-obligation/lifting",
            json={"lifted_on": today().isoformat(), "reason": "employment"},
        )
        assert lifted.status_code == 200, lifted.text
        closed = await client.post(
            f"{path}/closure", json={"reason": "moved_away", "closed_on": today().isoformat()}
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["closed_on"] == today().isoformat()
        again = await client.post(
            f"{path}/closure", json={"reason": "other", "closed_on": today().isoformat()}
        )
        assert again.status_code == 422
        other = await client.post(
            f"/households/{waiting['id']}/closure",
            json={"reason": "naturalised", "closed_on": today().isoformat()},
        )
        assert other.status_code == 200, other.text

    async def all_ended() -> bool:
        moved_out = await city.query(
            "housing",
            "SELECT move_out_reason::text FROM placement WHERE id = $1 AND moved_out_on = $2",
            _uuid(placement["id"]),
            today(),
        )
        reservation_ended = await city.query(
            "housing",
            "SELECT end_reason::text FROM reservation WHERE id = $1 AND ended_at IS NOT NULL",
            _uuid(reservation["id"]),
        )
        withdrawn = await city.query(
            "courses",
            "SELECT status::text = 'withdrawn' FROM enrollment WHERE id = $1",
            _uuid(enrolment["id"]),
        )
        ended = await city.query(
            "volunteers",
            "SELECT ended_on = $2 FROM match WHERE id = $1",
            _uuid(match["id"]),
            today(),
        )
        return (
            moved_out == "left_municipality"
            and reservation_ended == "cancelled"
            and bool(withdrawn)
            and bool(ended)
        )

    await eventually(all_ended, timeout=120)
    # Off housing's waiting queue, both.
    awaiting = await city.query(
        "housing",
        "SELECT count(*) FROM waiting_household WHERE status = 'awaiting' "
        "AND household_id = ANY($1::uuid[])",
        [_uuid(moving["id"]), _uuid(waiting["id"])],
    )
    assert awaiting == 0


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
