"""Case notes: the household's own team alone sees them; the author may change one for a
short while, then it stands (also against the database's own users) and only addenda add
to it; the text appears in no event, timer, audit entry or log line."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import allocation

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


async def household(intake: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    created = await intake.post("/households", json=allocation(), headers=headers)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def fetch(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def test_a_note_is_its_teams_alone_and_its_text_stays_in_intake(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    anna = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    ben = auth_headers(identity, Role.CASEWORKER, subject="cw-ben", teams=(NORTH,))
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    lead = auth_headers(identity, Role.CASEWORKER, Role.TEAM_LEAD, subject="lead", teams=())
    found = await household(intake, anna)
    secret = f"Vertraulich-{uuid.uuid4().hex}"
    notes = f"/households/{found['id']}/notes"

    written = await intake.post(
        notes,
        json={
            "category": "krisenintervention",
            "noted_on": today().isoformat(),
            "text": f"{secret}: Gespräch nach Konflikt in der Unterkunft",
            "member_id": found["members"][0]["id"],
        },
        headers=anna,
    )
    assert written.status_code == 201, written.text
    note = written.json()
    assert (await intake.get(notes, headers=ben)).json()[0]["id"] == note["id"]

    # Another team, and a team lead outside the household's team, find nothing.
    for headers in (south, lead):
        assert (await intake.get(notes, headers=headers)).status_code == 404
        body = {"category": "beratung", "noted_on": today().isoformat(), "text": "x"}
        assert (await intake.post(notes, json=body, headers=headers)).status_code == 404
        change = await intake.patch(f"{notes}/{note['id']}", json={"text": "y"}, headers=headers)
        assert change.status_code == 404
    # ... though the team lead sees the household itself.
    assert (await intake.get(f"/households/{found['id']}", headers=lead)).status_code == 200

    rows: list[asyncpg.Record] = []
    for table in ("outbox_message", "audit_entry", "timer"):
        rows += await fetch(
            intake_database,
            f"SELECT * FROM {table} WHERE row_to_json({table})::text LIKE $1",
            f"%{secret}%",
        )
    assert rows == []
    assert await fetch(
        intake_database,
        "SELECT 1 FROM audit_entry WHERE resource_type = 'case_note' AND resource_id = $1",
        note["id"],
    )
    out, err = capfd.readouterr()
    assert secret not in out + err


async def test_the_author_changes_a_note_for_a_while_then_only_addenda_add_to_it(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    anna = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    ben = auth_headers(identity, Role.CASEWORKER, subject="cw-ben", teams=(NORTH,))
    found = await household(intake, anna)
    notes = f"/households/{found['id']}/notes"
    written = await intake.post(
        notes,
        json={"category": "hausbesuch", "noted_on": today().isoformat(), "text": "Erster Stand"},
        headers=anna,
    )
    note = written.json()
    path = f"{notes}/{note['id']}"

    changed = await intake.patch(path, json={"text": "Korrigierter Stand"}, headers=anna)
    assert changed.status_code == 200, changed.text
    assert changed.json()["text"] == "Korrigierter Stand"
    by_other = await intake.patch(path, json={"text": "Fremd"}, headers=ben)
    assert by_other.status_code == 409
    assert by_other.json()["type"] == "urn:teilhabe:problem:not-author"
    ahead = await intake.patch(
        path, json={"noted_on": (today() + timedelta(days=1)).isoformat()}, headers=anna
    )
    assert ahead.status_code == 422
    assert [e["field"] for e in ahead.json()["errors"]] == ["noted_on"]

    # Its time is up (as if half an hour had passed).
    await fetch(
        intake_database,
        "UPDATE case_note SET locked_after = now() - interval '1 second' WHERE id = $1",
        note["id"],
    )
    locked = await intake.patch(path, json={"text": "Zu spät"}, headers=anna)
    assert locked.status_code == 409
    assert locked.json()["type"] == "urn:teilhabe:problem:note-locked"
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        await fetch(
            intake_database, "UPDATE case_note SET text = 'heimlich' WHERE id = $1", note["id"]
        )

    added = await intake.post(f"{path}/addenda", json={"text": "Nachtrag: erledigt"}, headers=ben)
    assert added.status_code == 201, added.text
    assert (
        await intake.patch(f"{notes}/{added.json()['id']}", json={"text": "x"}, headers=ben)
    ).status_code == 404
    [listed] = (await intake.get(notes, headers=anna)).json()
    assert listed["text"] == "Korrigierter Stand"
    assert [(a["text"], a["author"]) for a in listed["addenda"]] == [
        ("Nachtrag: erledigt", "cw-ben")
    ]


async def test_a_note_names_a_member_of_its_household_and_a_past_day(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    anna = auth_headers(identity, Role.CASEWORKER, teams=(NORTH,))
    found = await household(intake, anna)
    refused = await intake.post(
        f"/households/{found['id']}/notes",
        json={
            "category": "beratung",
            "noted_on": (today() + timedelta(days=2)).isoformat(),
            "text": "Termin",
            "member_id": str(uuid.uuid4()),
        },
        headers=anna,
    )
    assert refused.status_code == 422
    assert sorted(e["field"] for e in refused.json()["errors"]) == ["member_id", "noted_on"]
    empty = await intake.post(
        f"/households/{found['id']}/notes",
        json={"category": "gossip", "noted_on": today().isoformat(), "text": ""},
        headers=anna,
    )
    assert sorted(e["field"] for e in empty.json()["errors"]) == ["category", "text"]
