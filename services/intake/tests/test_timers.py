"""Intake's residence reminders: scheduled with the registration, fired through TIMERS."""

from __future__ import annotations

from datetime import date, time, timedelta

import asyncpg
import httpx
from intake.service import RESIDENCE_EXPIRY
from intake.timers import TIMERS
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import on_day
from teilhabe.db import asyncpg_dsn
from teilhabe.timers import DueTimer
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import allocation


async def registered(intake: httpx.AsyncClient, identity: RunningDevProvider) -> dict[str, object]:
    body = allocation()
    body["members"][1] |= {
        "residence_status": "niederlassungserlaubnis",
        "residence_status_expires_on": None,
    }
    response = await intake.post(
        "/households", json=body, headers=auth_headers(identity, Role.CASEWORKER)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_registering_a_member_schedules_the_reminder_eight_weeks_before_expiry(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    household = await registered(intake, identity)
    expiring, settled = household["members"]  # type: ignore[misc]
    connection = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        rows = await connection.fetch(
            "SELECT key, due_at, payload::text, state FROM timer WHERE kind = $1 "
            "AND key = ANY($2::varchar[])",
            RESIDENCE_EXPIRY,
            [expiring["id"], settled["id"]],
        )
    finally:
        await connection.close()
    [timer] = rows
    assert timer["key"] == expiring["id"], "no reminder for a title without expiry"
    assert timer["due_at"] == on_day(date(2027, 5, 20) - timedelta(days=56), time(7, 0))
    assert timer["due_at"].isoformat() == "2027-03-25T06:00:00+00:00", "07:00 in Berlin"
    assert timer["state"] == "pending"


async def test_the_reminder_publishes_references_only_and_nothing_once_the_expiry_changed(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    household = await registered(intake, identity)
    member_id = household["members"][0]["id"]  # type: ignore[index]

    async def fire(expires_on: str) -> list[dict[str, object]]:
        payload = {"expires_on": expires_on}
        timer = DueTimer(RESIDENCE_EXPIRY, member_id, on_day(date(2027, 3, 25)), payload, 0)
        async with sessions() as session, session.begin():
            await TIMERS[RESIDENCE_EXPIRY](session, timer)  # as the timer worker routes it
            rows = await session.execute(
                text(
                    "SELECT convert_from(body, 'UTF8')::jsonb -> 'data' FROM outbox_message "
                    "WHERE event_type = 'member.residence_status_expiring' "
                    "AND convert_from(body, 'UTF8') LIKE :member"
                ),
                {"member": f"%{member_id}%"},
            )
            staged = [row[0] for row in rows]
            await session.rollback()
        return staged

    assert await fire("2027-05-21") == [], "the expiry changed since: no reminder"
    [data] = await fire("2027-05-20")
    assert data == {
        "household_id": household["id"],
        "member_id": member_id,
        "expires_on": "2027-05-20",
    }
