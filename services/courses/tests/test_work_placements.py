"""Work opportunities and placements: an internship refuses a person without a permit
that allows employment (at the person; at the start day when it ran out), seats are
counted, a placement moves proposed → started → ended with its events, references only,
and a person out of one's care is unknown."""

from __future__ import annotations

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import TEST_TEAM, auth_headers

from .test_work_pages import team_household

OPPORTUNITY = {
    "kind": "internship",
    "title": "Praktikum Hauswirtschaft",
    "employer_category": "care",
    "hours_per_week": "30",
    "place": "Innenstadt",
    "postcode": "48249",
    "seats": 1,
    "starts_on": "2026-12-01",
    "ends_on": "2027-02-28",
}


async def test_a_placement_under_the_permit_rules_with_its_events(
    courses: httpx.AsyncClient, identity: RunningDevProvider, courses_database: str
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-pl", teams=(TEST_TEAM,))
    other = auth_headers(identity, Role.CASEWORKER, subject="cw-pl2", teams=("team-süd",))
    family = await team_household(courses_database, TEST_TEAM, AgeGroup.ADULT, AgeGroup.ADULT)
    first, second = (str(m.member_id) for m in family.members)

    named = await courses.post(
        "/work/opportunities", json={**OPPORTUNITY, "employer": "Firma X"}, headers=caseworker
    )
    assert named.status_code == 422  # no employer names
    backwards = await courses.post(
        "/work/opportunities", json={**OPPORTUNITY, "ends_on": "2026-11-01"}, headers=caseworker
    )
    assert [e["field"] for e in backwards.json()["errors"]] == ["ends_on"]
    created = await courses.post("/work/opportunities", json=OPPORTUNITY, headers=caseworker)
    assert created.status_code == 201, created.text
    opportunity = created.json()
    places = f"/work/opportunities/{opportunity['id']}/placements"

    proposal = {"member_id": first, "proposed_on": "2026-12-01"}
    refused = await courses.post(places, json=proposal, headers=caseworker)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["member_id"]
    assert (await courses.post(places, json=proposal, headers=other)).status_code == 422

    permit = {"member_id": first, "status": "permitted", "valid_until": "2026-12-31"}
    assert (await courses.put("/work/permits", json=permit, headers=caseworker)).status_code == 200
    proposed = await courses.post(places, json=proposal, headers=caseworker)
    assert proposed.status_code == 201, proposed.text
    placement = proposed.json()
    assert placement["status"] == "proposed"
    again = await courses.post(places, json=proposal, headers=caseworker)
    assert again.status_code == 409  # its one seat is taken
    permit2 = {"member_id": second, "status": "permitted"}
    assert (await courses.put("/work/permits", json=permit2, headers=caseworker)).status_code == 200
    full = await courses.post(
        places, json={"member_id": second, "proposed_on": "2026-12-01"}, headers=caseworker
    )
    assert full.status_code == 409
    assert "every seat" in full.json()["detail"]

    path = f"/work/placements/{placement['id']}"
    early_end = await courses.post(
        f"{path}/end", json={"ended_on": "2027-01-31", "outcome": "completed"}, headers=caseworker
    )
    assert early_end.status_code == 409  # not started
    expired = await courses.post(
        f"{path}/start", json={"started_on": "2027-01-04"}, headers=caseworker
    )
    assert expired.status_code == 422
    assert [e["field"] for e in expired.json()["errors"]] == ["started_on"]
    assert (
        await courses.post(f"{path}/start", json={"started_on": "2026-12-02"}, headers=other)
    ).status_code == 404
    started = await courses.post(
        f"{path}/start", json={"started_on": "2026-12-02"}, headers=caseworker
    )
    assert started.status_code == 200, started.text
    ended = await courses.post(
        f"{path}/end", json={"ended_on": "2027-01-31", "outcome": "employment"}, headers=caseworker
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["outcome"] == "employment"

    listed = await courses.get("/work/opportunities", headers=caseworker)
    assert opportunity["id"] in {o["id"] for o in listed.json()}
    record = await courses.get(f"/work/persons/{first}", headers=caseworker)
    assert [p["status"] for p in record.json()["placements"]] == ["ended"]

    connection = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        staged = await connection.fetch(
            "SELECT event_type, body FROM outbox_message WHERE position($1::bytea IN body) > 0 "
            "ORDER BY id",
            placement["id"].encode(),
        )
    finally:
        await connection.close()
    assert [row["event_type"] for row in staged] == [
        "work_placement.started",
        "work_placement.ended",
    ]
    assert all(b"Hauswirtschaft" not in bytes(row["body"]) for row in staged)  # references only
