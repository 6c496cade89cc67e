"""Erasure by one event: all five services as processes, on a real broker and databases.

A household and a volunteer reach every service the usual way (API calls and the events
they cause). The data-protection officer requests their erasure; every service confirms
by event, and then no database of any service holds their names, date of birth or
e-mail address in any column, no queue holds a message, and the audit chains still
verify.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from intake import erasure as intake_erasure
from teilhabe import clock
from teilhabe.audit.chain import key_bytes
from teilhabe.audit.verify import verify_chain
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.erasure import ERASING_SERVICES
from teilhabe.messaging.topology import dead_letter_queue_name
from teilhabe.registry import installed_services
from teilhabe.sealing import Unreadable, unseal
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import AUDIT_KEY_ENV, Infrastructure

from .mail import Mailbox, smtp_env, smtp_server
from .support import SERVICES, System, eventually, provisioned_system

ALL = ["intake", "housing", "courses", "volunteers", "notifications"]


def test_every_installed_service_confirms_erasures() -> None:
    assert sorted(service.name for service in installed_services()) == sorted(ERASING_SERVICES)


async def test_erasures_are_sent_again_after_a_restore(infra: Infrastructure) -> None:
    """Requests since a moment are told again (a restored service erases once more)."""
    async with migrated_database(infra, SERVICES["intake"]) as url:
        db = await asyncpg.connect(asyncpg_dsn(url))
        try:
            for kind, hours_ago in (("household", 48), ("volunteer", 1)):
                await db.execute(
                    "INSERT INTO erasure_request (id, subject_kind, subject_id, reason, "
                    "requested_by, requested_at) VALUES ($1, $2, $3, 'Art. 17', 'dpo', "
                    "now() - make_interval(hours => $4))",
                    uuid.uuid4(),
                    kind,
                    uuid.uuid4(),
                    hours_ago,
                )
            engine = create_engine(url, pool_size=1)
            async with create_session_factory(engine)() as session:
                since = clock.now() - timedelta(hours=2)
                assert await intake_erasure.send_again(session, since) == 1
            await engine.dispose()
            staged = await db.fetch("SELECT event_type, body FROM outbox_message")
            assert [row["event_type"] for row in staged] == ["erasure.requested"]
            assert b'"subject_kind":"volunteer"' in staged[0]["body"]
        finally:
            await db.close()


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture(scope="module")
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ALL) as system:
        system.extra_env = smtp_env(mailbox[1])
        system.start_all(ALL, ready_timeout=240)  # fifteen processes on a busy machine
        yield system


def client(system: System, service: str, role: Role, subject: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=system.api(service).url, headers=system.headers(role, subject), timeout=30
    )


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def traces(system: System, service: str, needles: list[str]) -> list[str]:
    """Every table row of the service (all its columns as text) and every byte column
    that contains one of `needles`."""
    connection = await asyncpg.connect(asyncpg_dsn(system.databases[service]))
    found: list[str] = []
    try:
        tables = await connection.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        binary = await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = 'bytea'"
        )
        for needle in needles:
            for (table,) in tables:
                rows = await connection.fetchval(
                    f'SELECT count(*) FROM "{table}" t WHERE position($1 IN CAST(t AS text)) > 0',
                    needle,
                )
                if rows:
                    found.append(f"{service}.{table}: {needle}")
            for table, column in binary:
                rows = await connection.fetchval(
                    f'SELECT count(*) FROM "{table}" '
                    f"WHERE position(convert_to($1, 'UTF8') IN \"{column}\") > 0",
                    needle,
                )
                if rows:
                    found.append(f"{service}.{table}.{column}: {needle}")
    finally:
        await connection.close()
    return found


async def seed(system: System, tag: str, person: dict[str, str], email: str) -> dict[str, str]:
    """A household with a course enrolment and a mentor, known to every service."""
    ids: dict[str, str] = {}
    # Staff who hear of households and volunteers: known to notifications with an address.
    for role, subject in ((Role.HOUSING_OFFICER, f"o-{tag}"), (Role.VOLUNTEER_COORDINATOR, "vc")):
        async with client(system, "notifications", role, subject) as staff:
            ok(await staff.put("/me", json={"email": f"{subject}@duelmen.de"}))
    async with client(system, "intake", Role.CASEWORKER, "cw") as caseworker:
        household = ok(
            await caseworker.post(
                "/households",
                json={
                    "allocation_notice_number": f"BRA-{tag}",
                    "allocated_on": "2026-11-20",
                    "allocating_authority": "Bezirksregierung Arnsberg",
                    "members": [
                        {
                            "given_name": person["given_name"],
                            "family_name": person["family_name"],
                            "date_of_birth": person["date_of_birth"],
                            "sex": "female",
                            "nationality": "SYR",
                            "languages": ["ar"],
                            "residence_status": "aufenthaltsgestattung",
                            "residence_status_expires_on": "2027-05-20",
                        }
                    ],
                },
            ),
            201,
        )
    ids["household"], ids["member"] = household["id"], household["members"][0]["id"]

    async with client(system, "courses", Role.COURSE_COORDINATOR, "coord") as coordinator:
        course = ok(
            await coordinator.post(
                "/courses",
                json={
                    "kind": "integration_course",
                    "provider": "VHS",
                    "title": "Integrationskurs A1",
                    "starts_on": "2026-12-01",
                    "place": "Königswall 1",
                    "seats": 5,
                },
            ),
            201,
        )

        async def enrolled() -> bool:
            response = await coordinator.post(
                f"/courses/{course['id']}/enrollments", json={"member_id": ids["member"]}
            )
            return response.status_code == 201

        await eventually(enrolled, timeout=60, interval=0.5)

    async with client(system, "volunteers", Role.VOLUNTEER_COORDINATOR, "vc") as vcoord:
        volunteer = ok(
            await vcoord.post(
                "/volunteers",
                json={"display_name": person["volunteer"], "email": email, "languages": ["ar"]},
            ),
            201,
        )
        ids["volunteer"] = volunteer["id"]
        match = {
            "volunteer_id": ids["volunteer"],
            "household_id": ids["household"],
            "started_on": today().isoformat(),
        }

        async def matched() -> bool:
            return (await vcoord.post("/matches", json=match)).status_code == 201

        await eventually(matched, timeout=60, interval=0.5)
    return ids


async def sealed_copy(system: System, volunteer_id: uuid.UUID) -> dict[str, Any]:
    """volunteers' outbox row of the volunteer's registration: its body and sealed fields."""
    body = await system.query(
        "volunteers",
        "SELECT body FROM outbox_message WHERE event_type = 'volunteer.registered' "
        "AND position(convert_to($1, 'UTF8') IN body) > 0",
        str(volunteer_id),
    )
    data = json.loads(body)["data"]
    return {"body": bytes(body), "display_name": data["display_name"], "email": data["email"]}


async def test_one_request_erases_a_household_and_a_volunteer_everywhere(city: System) -> None:
    tag = uuid.uuid4().hex[:10]
    person = {
        "given_name": f"Yara{tag}",
        "family_name": f"Erased{tag}",
        "date_of_birth": "1931-02-27",
        "volunteer": f"Mentorin{tag}",
    }
    email = f"m{tag}@example.org"
    needles = [*person.values(), email]
    ids = await seed(city, tag, person, email)

    # Before: the data is where the work needs it (the name in the volunteer's notices).
    async def everywhere() -> bool:
        held = {s for s in ALL for t in await traces(city, s, needles) if t}
        return {"intake", "volunteers", "notifications"} <= held

    await eventually(everywhere, timeout=60, interval=0.5)
    assert await city.query("courses", "SELECT count(*) FROM enrollment") == 1

    # The volunteer's name and address travelled sealed with their key: the outbox row
    # (as a backup or a dead letter keeps it) holds only ciphertext, which opens with the
    # key while the volunteer is not erased (and notifications read it: see above).
    volunteer_id = uuid.UUID(ids["volunteer"])
    old_copy = await sealed_copy(city, volunteer_id)
    assert person["volunteer"].encode() not in old_copy["body"]
    assert email.encode() not in old_copy["body"]
    key = await city.query(
        "volunteers", "SELECT key FROM subject_key WHERE subject_id = $1", volunteer_id
    )
    assert unseal(key, volunteer_id, old_copy["display_name"]) == person["volunteer"]

    async with client(city, "intake", Role.DATA_PROTECTION, "dpo") as dpo:
        requests = [
            ok(
                await dpo.post(
                    "/erasure-requests",
                    json={"subject_kind": kind, "subject_id": ids[kind], "reason": reason},
                ),
                201,
            )
            for kind, reason in (
                ("household", "Antrag der Betroffenen nach Art. 17 DSGVO"),
                ("volunteer", "Widerruf der Einwilligung"),
            )
        ]
        for request in requests:
            # Intake erased its part at once; the others follow.
            assert request["completed_at"] is None
            assert {s["service"] for s in request["services"] if s["confirmed"]} == {"intake"}

        async def completed() -> list[dict[str, Any]] | None:
            found = [ok(await dpo.get(f"/erasure-requests/{r['id']}")) for r in requests]
            return found if all(r["completed_at"] for r in found) else None

        done = await eventually(completed, timeout=90, interval=0.5)
        listed = ok(await dpo.get("/erasure-requests", params={"open_only": True}))
        assert listed["total"] == 0
    household, volunteer = done
    assert all(s["confirmed"] for s in household["services"])
    assert household["reason"] == "Antrag der Betroffenen nach Art. 17 DSGVO"
    records = {s["service"]: s["records"] for s in household["services"]}
    # What each held of the household: intake its file and member, courses the person and
    # the enrolment, volunteers its matching data and the mentorship, notifications its
    # read model, the mentorship and the notices about it.
    assert records["intake"] >= 2
    assert records["courses"] >= 2
    assert records["volunteers"] >= 2
    assert records["notifications"] >= 2
    assert {s["service"]: s["records"] for s in volunteer["services"]}["volunteers"] >= 1

    found = [trace for service in ALL for trace in await traces(city, service, needles)]
    assert found == []
    for service in ALL:
        for reference in (ids["household"], ids["volunteer"]):
            # Their references remain only in the audit trail and the erasure records.
            rows = await city.query_all(
                service,
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r'",
            )
            for (table,) in rows:
                if table in {"audit_entry", "erasure_request", "inbox_message"}:
                    continue
                count = await city.query(
                    service,
                    f'SELECT count(*) FROM "{table}" t WHERE position($1 IN CAST(t AS text)) > 0',
                    reference,
                )
                assert count == 0, (service, table)

    # The volunteer's key is shredded everywhere: the old copy no longer opens with any
    # key left in any service.
    for service in ALL:
        keys = await city.query_all(
            service,
            "SELECT subject_id, key FROM subject_key"
            if await city.query(service, "SELECT to_regclass('subject_key') IS NOT NULL")
            else "SELECT NULL::uuid AS subject_id, NULL::bytea AS key WHERE false",
        )
        assert volunteer_id not in {row["subject_id"] for row in keys}, service
        for row in keys:
            for field in ("display_name", "email"):
                with pytest.raises(Unreadable):
                    unseal(row["key"], volunteer_id, old_copy[field])

    # Nothing waits or lies dead in any service's queue.
    connection = await aio_pika.connect(city.amqp_url)
    try:
        channel = await connection.channel()
        for service in ALL:
            for name in (service, dead_letter_queue_name(service)):
                queue = await channel.declare_queue(name, passive=True)
                assert queue.declaration_result.message_count == 0, name
    finally:
        await connection.close()

    # The audit trails are kept (by reference, without content) and still verify.
    key = key_bytes(os.environ[AUDIT_KEY_ENV])
    for service in ALL:
        db = await asyncpg.connect(asyncpg_dsn(city.databases[service]))
        try:
            report = await verify_chain(db, key)
        finally:
            await db.close()
        assert report.broken is None, service
