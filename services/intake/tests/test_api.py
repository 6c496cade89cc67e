"""The intake API against its own PostgreSQL database, in-process."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.catalogue import lookup_payload_model
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers


def allocation(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "allocation_notice_number": f"BRA-2026-{uuid.uuid4().hex[:8].upper()}",
        "allocated_on": "2026-11-20",
        "allocating_authority": "Bezirksregierung Arnsberg",
        "expected_arrival_on": "2026-11-27",
        "members": [
            {
                "given_name": "Amina",
                "family_name": "Haddad",
                "date_of_birth": "1988-03-14",
                "sex": "female",
                "nationality": "SYR",
                "languages": ["ar", "en"],
                "residence_status": "aufenthaltsgestattung",
                "residence_status_expires_on": "2027-05-20",
            },
            {
                "given_name": "Yusuf",
                "family_name": "Haddad",
                "date_of_birth": "2016-07-02",
                "sex": "male",
                "nationality": "SYR",
                "languages": ["ar"],
                "residence_status": "aufenthaltsgestattung",
                "residence_status_expires_on": "2027-05-20",
            },
        ],
    }
    body.update(overrides)
    return body


async def test_caseworker_registers_reads_and_assigns(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject="cw-anna")
    created = await intake.post("/households", json=allocation(), headers=headers)
    assert created.status_code == 201, created.text
    household = created.json()
    assert [m["given_name"] for m in household["members"]] == ["Amina", "Yusuf"]

    read = await intake.get(f"/households/{household['id']}", headers=headers)
    assert read.status_code == 200
    assert read.json()["members"][0]["residence_status_expires_on"] == "2027-05-20"

    assigned = await intake.put(
        f"/households/{household['id']}/caseworker",
        json={"caseworker_id": "cw-anna"},
        headers=headers,
    )
    assert assigned.json()["caseworker_id"] == "cw-anna"

    listed = await intake.get("/households", params={"caseworker_id": "cw-anna"}, headers=headers)
    assert household["id"] in [item["id"] for item in listed.json()["items"]]

    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        events = await db.fetch(
            "SELECT event_type, body FROM outbox_message"
            " WHERE convert_from(body, 'UTF8') LIKE $1 ORDER BY id",
            f"%{household['id']}%",
        )
        audit = await db.fetch(
            "SELECT actor, action FROM audit_entry WHERE resource_id = $1 ORDER BY id",
            household["id"],
        )
    finally:
        await db.close()
    assert [e["event_type"] for e in events] == [
        "household.referred_to_housing",
        "household.assigned",
        # Yusuf is of school age: a school place is needed from the allocation on.
        "school_place.requested",
        "caseworker.assigned",
    ]
    assert b"Haddad" not in events[1]["body"], "events carry references, not names"
    # The barrier-free need goes to housing alone, not to every consumer.
    assert b"needs_accessible_housing" in events[0]["body"]
    assert b"needs_accessible_housing" not in events[1]["body"]
    assert [(a["actor"], a["action"]) for a in audit] == [
        ("cw-anna", "create"),
        ("cw-anna", "read"),
        ("cw-anna", "update"),
        ("cw-anna", "list"),
    ]


async def test_invalid_input_is_a_problem_naming_the_field(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER)
    body = allocation()
    body["members"][1]["date_of_birth"] = "not-a-date"
    response = await intake.post("/households", json=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "members[1].date_of_birth" in response.json()["detail"]

    rule_broken = allocation()
    rule_broken["members"][0]["residence_status_expires_on"] = None
    response = await intake.post("/households", json=rule_broken, headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "members[0].residence_status_expires_on"
    ]


async def test_unknown_fields_are_refused(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    response = await intake.post(
        "/households",
        json=allocation(religion="none"),
        headers=auth_headers(identity, Role.CASEWORKER),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "religion"


async def test_a_notice_is_registered_once(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER)
    body = allocation()
    assert (await intake.post("/households", json=body, headers=headers)).status_code == 201
    again = await intake.post("/households", json=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:teilhabe:problem:duplicate-allocation"


async def test_unauthenticated_is_401_and_wrong_role_403(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    assert (await intake.get("/households")).status_code == 401
    assert (await intake.post("/households", json=allocation())).status_code == 401
    volunteer = auth_headers(identity, Role.VOLUNTEER)
    assert (await intake.get("/households", headers=volunteer)).status_code == 403
    officer = auth_headers(identity, Role.HOUSING_OFFICER)
    assert (await intake.post("/households", json=allocation(), headers=officer)).status_code == 403


async def test_unknown_household_is_404(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    response = await intake.get(
        f"/households/{uuid.uuid4()}", headers=auth_headers(identity, Role.CASEWORKER)
    )
    assert response.status_code == 404


async def test_every_route_declares_its_roles(intake: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(intake.app) == []  # type: ignore[attr-defined]


async def test_health_and_metrics_are_open(intake: httpx.AsyncClient) -> None:
    assert (await intake.get("/health/live")).status_code == 200
    ready = await intake.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True
    assert "teilhabe_events_published_total" in (await intake.get("/metrics")).text


async def test_the_event_contract_is_served(intake: httpx.AsyncClient) -> None:
    document = (await intake.get("/asyncapi.json")).json()
    assert document["asyncapi"] == "3.0.0"
    assert "household.assigned" in document["channels"]


async def test_the_dataschema_of_an_event_resolves_without_a_token(
    intake: httpx.AsyncClient,
) -> None:
    model = lookup_payload_model("household.assigned", 2)
    assert model is not None
    path = urlsplit(model.schema_uri()).path
    assert path == "/events/schemas/household.assigned/2"
    served = await intake.get(path)
    assert served.status_code == 200, served.text
    assert served.headers["content-type"].startswith("application/schema+json")
    schema = served.json()
    assert schema["$id"] == model.schema_uri()
    assert "household_id" in schema["properties"]
    missing = await intake.get("/events/schemas/household.assigned/99")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert (await intake.get("/events/schemas/not-a-type/1")).status_code == 422


async def test_an_allocation_list_is_registered_all_or_none(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER)
    good = [allocation() for _ in range(3)]
    imported = await intake.post("/households/import", json={"allocations": good}, headers=headers)
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 3

    bad = [allocation(), allocation()]
    bad[1]["members"][0]["residence_status_expires_on"] = None
    refused = await intake.post("/households/import", json={"allocations": bad}, headers=headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == [
        "allocations[1].members[0].residence_status_expires_on"
    ]
    twice = [
        good[0] | {"allocation_notice_number": "X-1"},
        good[1] | {"allocation_notice_number": "X-1"},
    ]
    assert (
        await intake.post("/households/import", json={"allocations": twice}, headers=headers)
    ).status_code == 409

    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        stored = await db.fetchval(
            "SELECT count(*) FROM household WHERE allocation_notice_number = ANY($1::text[])",
            [a["allocation_notice_number"] for a in good + bad],
        )
        events = await db.fetchval(
            "SELECT count(*) FROM outbox_message WHERE event_type = 'household.assigned'"
            " AND convert_from(body, 'UTF8') LIKE ANY($1::text[])",
            [f"%{i}%" for i in imported.json()["household_ids"]],
        )
    finally:
        await db.close()
    assert stored == 3, "nothing of the refused list was registered"
    assert events == 3


async def test_a_callers_trace_is_continued(intake: httpx.AsyncClient) -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await intake.get("/health/live", headers={"traceparent": parent})
    trace_id = response.headers["traceparent"].split("-")[1]
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"


# --- need to know ----------------------------------------------------------------------


async def test_a_household_belongs_to_the_team_it_was_registered_for(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    north = auth_headers(identity, Role.CASEWORKER, subject="cw-nord", teams=["Nord"])
    both = auth_headers(identity, Role.CASEWORKER, subject="cw-both", teams=["Nord", "Süd"])
    lead = auth_headers(identity, Role.CASEWORKER, Role.TEAM_LEAD, subject="lead", teams=[])

    by_default = await intake.post("/households", json=allocation(), headers=north)
    assert by_default.status_code == 201, by_default.text
    assert by_default.json()["team"] == "Nord"

    unnamed = await intake.post("/households", json=allocation(), headers=both)
    assert unnamed.status_code == 422
    assert unnamed.json()["errors"][0]["field"] == "team"
    foreign = await intake.post("/households", json=allocation(team="Süd"), headers=north)
    assert foreign.status_code == 422
    assert foreign.json()["errors"] == [
        {"field": "team", "message": "team is not one of your teams", "type": "rule"}
    ]
    listed = await intake.post(
        "/households/import",
        json={"allocations": [allocation(), allocation(team="Süd")]},
        headers=north,
    )
    assert listed.status_code == 422
    assert [e["field"] for e in listed.json()["errors"]] == ["allocations[1].team"]

    by_lead = await intake.post("/households", json=allocation(team="Ost"), headers=lead)
    assert by_lead.json()["team"] == "Ost"
    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        body = await db.fetchval(
            "SELECT convert_from(body, 'UTF8') FROM outbox_message"
            " WHERE event_type = 'household.assigned' AND convert_from(body, 'UTF8') LIKE $1",
            f"%{by_lead.json()['id']}%",
        )
    finally:
        await db.close()
    assert '"team":"Ost"' in body.replace(" ", "")


async def test_another_teams_household_looks_absent(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    family = f"Scope{uuid.uuid4().hex[:8]}"
    members = allocation()["members"]
    members[0]["family_name"] = family
    north = auth_headers(identity, Role.CASEWORKER, subject="cw-nord", teams=["Nord"])
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=["Süd"])
    lead = auth_headers(identity, Role.CASEWORKER, Role.TEAM_LEAD, subject="lead", teams=["Süd"])
    created = await intake.post("/households", json=allocation(members=members), headers=north)
    path = f"/households/{created.json()['id']}"

    assert (await intake.get(path, headers=south)).status_code == 404
    taken = await intake.put(path + "/caseworker", json={"caseworker_id": "x"}, headers=south)
    assert taken.status_code == 404
    assert (await intake.get("/households", params={"q": family}, headers=south)).json()[
        "total"
    ] == 0
    assert (await intake.get(path, headers=lead)).status_code == 200
    found = await intake.get("/households", params={"q": family}, headers=lead)
    assert [h["id"] for h in found.json()["items"]] == [created.json()["id"]]
    admin = auth_headers(identity, Role.ADMIN)
    assert (await intake.get(path, headers=admin)).status_code == 403
    assert (await intake.get("/households", headers=admin)).status_code == 403


async def test_notice_numbers_compare_normalised(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject="cw-anna")
    number = f"BRA-AR2-{uuid.uuid4().hex[:6].upper()}"
    first = await intake.post(
        "/households", json=allocation(allocation_notice_number=number), headers=headers
    )
    assert first.status_code == 201, first.text
    typed = f"  {number.lower()}  "
    second = await intake.post(
        "/households", json=allocation(allocation_notice_number=typed), headers=headers
    )
    assert second.status_code == 409, "one notice, one household"
    listed = await intake.get("/households", params={"q": number}, headers=headers)
    assert [h["allocation_notice_number"] for h in listed.json()["items"]] == [number]


async def test_a_search_takes_percent_and_underscore_as_typed(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject="cw-anna")
    tag = f"Like{uuid.uuid4().hex[:8]}"
    ids = {}
    for family in (f"{tag}Xabc", f"{tag}X_bc"):
        members = allocation()["members"]
        members[0]["family_name"] = family
        created = await intake.post(
            "/households", json=allocation(members=members), headers=headers
        )
        assert created.status_code == 201, created.text
        ids[family] = created.json()["id"]

    async def found(q: str) -> list[str]:
        listed = await intake.get("/households", params={"q": q}, headers=headers)
        return [h["id"] for h in listed.json()["items"]]

    assert await found(f"{tag}X_b") == [ids[f"{tag}X_bc"]]
    assert await found(f"{tag}X%c") == []
    assert sorted(await found(f"{tag}X")) == sorted(ids.values())
