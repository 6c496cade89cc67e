"""Inbox and notification, in the API and the staff tool, tell of households: reading them
is audited as a read of the household."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.households import CaseworkerAssigned
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_api import allocation, unique

Deliver = Any


async def audit_of(database_url: str, household: uuid.UUID) -> set[tuple[str, str]]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT actor, action FROM audit_entry "
            "WHERE resource_type = 'household' AND resource_id = $1",
            str(household),
        )
    finally:
        await connection.close()
    return {(row["actor"], row["action"]) for row in rows}


async def test_reading_the_inbox_and_a_notification_is_audited(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    notifications_database: str,
) -> None:
    caseworker, household = unique("cw"), uuid.uuid4()
    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    await deliver(allocation(household, unique("BRA")))
    headers = auth_headers(identity, Role.CASEWORKER, subject=caseworker)

    inbox = await notifications.get("/inbox", headers=headers)
    assert inbox.status_code == 200
    assert await audit_of(notifications_database, household) == {(caseworker, "list")}
    notification = inbox.json()["items"][0]["id"]
    assert (await notifications.get(f"/inbox/{notification}", headers=headers)).status_code == 200
    assert (caseworker, "read") in await audit_of(notifications_database, household)

    async with tool_client(notifications.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject=caseworker, roles=[Role.CASEWORKER])
        before = await _count(notifications_database, household)
        assert (await browser.get("/ui/")).status_code == 200
        assert await _count(notifications_database, household) == before + 1
        page = await browser.get(f"/ui/benachrichtigungen/{notification}")
        assert page.status_code == 200, page.status_code
        assert await _count(notifications_database, household) >= before + 2


async def _count(database_url: str, household: uuid.UUID) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM audit_entry WHERE resource_id = $1", str(household)
            )
        )
    finally:
        await connection.close()
