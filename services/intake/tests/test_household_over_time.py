"""The household over time: members added, corrected and removed, residence status
changes with history; each audited and published, bad input refused at the field."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import allocation

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


def newborn(**overrides: Any) -> dict[str, Any]:
    return {
        "given_name": "Lina",
        "family_name": "Haddad",
        "date_of_birth": (today() - timedelta(days=10)).isoformat(),
        "sex": "female",
        "nationality": "SYR",
        "languages": ["ar"],
        "residence_status": "ungeklaert",
        "reason": "birth",
    } | overrides


async def registered(intake: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await intake.post("/households", json=allocation(), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def rows(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def test_a_birth_a_correction_and_a_move_out_are_audited_and_published(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    household = await registered(intake, headers)
    path = f"/households/{household['id']}/members"

    born = await intake.post(path, json=newborn(), headers=headers)
    assert born.status_code == 201, born.text
    baby = born.json()["members"][-1]
    assert baby["given_name"] == "Lina"

    amina = household["members"][0]
    corrected = await intake.patch(
        f"{path}/{amina['id']}", json={"date_of_birth": "1988-04-14"}, headers=headers
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["members"][0]["date_of_birth"] == "1988-04-14"
    assert corrected.json()["members"][0]["family_name"] == "Haddad"

    yusuf = household["members"][1]
    removed = await intake.delete(
        f"{path}/{yusuf['id']}", params={"reason": "moved_out"}, headers=headers
    )
    assert removed.status_code == 200, removed.text
    assert [m["given_name"] for m in removed.json()["members"]] == ["Amina", "Lina"]

    changes = await intake.get(f"/households/{household['id']}/member-changes", headers=headers)
    assert [(c["kind"], c["reason"], c["revision"]) for c in changes.json()] == [
        ("added", "birth", 1),
        ("corrected", "correction", 2),
        ("removed", "moved_out", 3),
    ]

    events = await rows(
        intake_database,
        "SELECT body FROM outbox_message WHERE event_type = 'household.members_changed'"
        " AND convert_from(body, 'UTF8') LIKE $1 ORDER BY id",
        f"%{household['id']}%",
    )
    payloads = [json.loads(e["body"])["data"] for e in events]
    assert [(p["revision"], p["member_count"], p["minor_count"]) for p in payloads] == [
        (1, 3, 2),
        (2, 3, 2),
        (3, 2, 1),
    ]
    assert payloads[0]["members"][-1] == {
        "member_id": baby["id"],
        "age_group": "under_three",
        "languages": ["ar"],
    }
    assert all(b"Haddad" not in e["body"] and b"birth" not in e["body"] for e in events)

    audit = await rows(
        intake_database,
        "SELECT actor, action FROM audit_entry WHERE resource_id = $1 AND action = 'update'",
        household["id"],
    )
    assert len(audit) == 3
    assert {a["actor"] for a in audit} == {"cw-anna"}


async def test_the_last_member_stays_and_reasons_must_fit(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, teams=(NORTH,))
    body = allocation()
    body["members"] = body["members"][:1]
    created = await intake.post("/households", json=body, headers=headers)
    household = created.json()
    path = f"/households/{household['id']}/members"
    only = household["members"][0]["id"]

    last = await intake.delete(f"{path}/{only}", params={"reason": "moved_out"}, headers=headers)
    assert last.status_code == 409
    assert last.json()["type"] == "urn:teilhabe:problem:last-member"

    wrong = await intake.post(path, json=newborn(reason="moved_out"), headers=headers)
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["reason"]

    # Every rule broken, named at once: a "birth" years ago, a Duldung without expiry.
    old = newborn(date_of_birth="2010-01-01", residence_status="duldung")
    refused = await intake.post(path, json=old, headers=headers)
    assert refused.status_code == 422
    assert sorted(e["field"] for e in refused.json()["errors"]) == [
        "date_of_birth",
        "residence_status_expires_on",
    ]
    emptied = await intake.patch(f"{path}/{only}", json={"family_name": None}, headers=headers)
    assert emptied.status_code == 422
    assert [e["field"] for e in emptied.json()["errors"]] == ["family_name"]

    unchanged = await intake.get(f"/households/{household['id']}", headers=headers)
    assert len(unchanged.json()["members"]) == 1


async def test_a_residence_status_change_keeps_history_moves_the_reminder_and_is_published(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    household = await registered(intake, headers)
    amina = household["members"][0]
    path = f"/households/{household['id']}/members/{amina['id']}/residence-statuses"
    granted_on = today() - timedelta(days=3)
    expires_on = today() + timedelta(days=3 * 365)

    changed = await intake.post(
        path,
        json={
            "residence_status": "aufenthaltserlaubnis",
            "valid_from": granted_on.isoformat(),
            "expires_on": expires_on.isoformat(),
        },
        headers=headers,
    )
    assert changed.status_code == 201, changed.text
    assert changed.json()["previous_residence_status"] == "aufenthaltsgestattung"

    earlier = await intake.post(
        path,
        json={"residence_status": "duldung", "valid_from": "2026-01-01"},
        headers=headers,
    )
    assert earlier.status_code == 422
    assert sorted(e["field"] for e in earlier.json()["errors"]) == ["expires_on", "valid_from"]

    history = await intake.get(path, headers=headers)
    assert [r["residence_status"] for r in history.json()] == ["aufenthaltserlaubnis"]
    member = (await intake.get(f"/households/{household['id']}", headers=headers)).json()[
        "members"
    ][0]
    assert member["residence_status"] == "aufenthaltserlaubnis"
    assert member["residence_status_expires_on"] == expires_on.isoformat()

    [timer] = await rows(
        intake_database,
        "SELECT payload->>'expires_on' AS expires_on FROM timer"
        " WHERE kind = 'residence_status_expiry' AND key = $1",
        amina["id"],
    )
    assert timer["expires_on"] == expires_on.isoformat()
    [event] = await rows(
        intake_database,
        "SELECT body FROM outbox_message WHERE event_type = 'member.residence_status_changed'"
        " AND convert_from(body, 'UTF8') LIKE $1",
        f"%{amina['id']}%",
    )
    data = json.loads(event["body"])["data"]
    assert data["residence_status"] == "aufenthaltserlaubnis"
    assert data["valid_from"] == granted_on.isoformat()


async def test_another_team_finds_neither_the_household_nor_its_members(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    north = auth_headers(identity, Role.CASEWORKER, teams=(NORTH,))
    south = auth_headers(identity, Role.CASEWORKER, teams=(SOUTH,))
    household = await registered(intake, north)
    member = household["members"][0]["id"]
    base = f"/households/{household['id']}"
    for method, path, body in (
        ("POST", f"{base}/members", newborn()),
        ("PATCH", f"{base}/members/{member}", {"given_name": "X"}),
        ("GET", f"{base}/member-changes", None),
        ("GET", f"{base}/members/{member}/residence-statuses", None),
    ):
        response = await intake.request(method, path, json=body, headers=south)
        assert response.status_code == 404, (method, path)
    gone = await intake.delete(
        f"{base}/members/{member}", params={"reason": "moved_out"}, headers=south
    )
    assert gone.status_code == 404
    officer = auth_headers(identity, Role.HOUSING_OFFICER)
    assert (await intake.get(f"{base}/member-changes", headers=officer)).status_code == 403
