"""A reservation for a household that does not arrive ends once, by a durable timer, and
its beds are free again; one ended meanwhile stays as it ended."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg
import httpx
import pytest
from housing import domain
from housing.config import HousingSettings
from housing.timers import TIMERS
from teilhabe.auth import Role
from teilhabe.clock import on_day, today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import allocated_household, counts, new_site, place, reserve


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-expiry")


async def fire_due_timers(database_url: str) -> int:
    """What the timer worker does when it wakes: fire every timer that is due."""
    settings = HousingSettings(database_url=database_url)
    engine = create_engine(database_url, pool_size=1)
    worker = TimerWorker(
        TimerOptions.from_settings(settings),
        session_factory=create_session_factory(engine),
        handlers=TIMERS,
    )
    fired = 0
    while (batch := await worker.fire_due()) > 0:
        fired += batch
        if batch < settings.timer_batch_size:
            break
    await engine.dispose()
    return fired


# The day comes, as the clock would bring it: the timer is due and may run now.
DUE_NOW = "UPDATE timer SET due_at = now(), run_at = now() - interval '1 second' WHERE key = $1"


async def sql(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


def test_a_reservation_expires_days_after_the_expected_arrival_or_the_reservation() -> None:
    day = date(2026, 12, 3)
    assert domain.reservation_expires_on(day, date(2026, 12, 10), 14) == date(2026, 12, 24)
    assert domain.reservation_expires_on(day, None, 14) == date(2026, 12, 17)
    assert domain.reservation_expires_on(day, date(2026, 11, 1), 14) == date(2026, 12, 17)


async def test_a_reservation_whose_household_does_not_arrive_expires_once(
    housing: httpx.AsyncClient, officer: dict[str, str], housing_database: str
) -> None:
    site = await new_site(housing, officer, beds=2)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    absent = await allocated_household(housing_database, members=2)
    arriving = await allocated_household(housing_database, members=2)
    gone = await reserve(housing, officer, absent, unit_id)
    assert gone.status_code == 201, gone.text
    [timer] = await sql(
        housing_database,
        "SELECT due_at FROM timer WHERE kind = 'reservation_expiry' AND key = $1",
        gone.json()["id"],
    )
    assert timer["due_at"] == on_day(today() + timedelta(days=14)), "14 days, no arrival known"
    assert await counts(housing, officer, site) == (0, 2, 0)

    # Its day comes.
    await sql(
        housing_database,
        DUE_NOW,
        gone.json()["id"],
    )
    await fire_due_timers(housing_database)
    await fire_due_timers(housing_database)  # a second worker run changes nothing
    [ended] = await sql(
        housing_database,
        "SELECT end_reason, ended_at FROM reservation WHERE id = $1",
        uuid.UUID(gone.json()["id"]),
    )
    assert ended["end_reason"] == "expired"
    [state] = await sql(
        housing_database, "SELECT state FROM timer WHERE key = $1", gone.json()["id"]
    )
    assert state["state"] == "fired"
    assert await counts(housing, officer, site) == (0, 0, 2)
    queue = (await housing.get("/waiting-queue", headers=officer)).json()
    assert str(absent) in [h["household_id"] for h in queue], "it still waits for a place"

    # A reservation ended by the move-in before its day stays ended as placed.
    kept = await reserve(housing, officer, arriving, unit_id)
    assert kept.status_code == 201, kept.text
    assert (await place(housing, officer, arriving, unit_id)).status_code == 201
    await sql(
        housing_database,
        DUE_NOW,
        kept.json()["id"],
    )
    await fire_due_timers(housing_database)
    [placed] = await sql(
        housing_database,
        "SELECT end_reason FROM reservation WHERE id = $1",
        uuid.UUID(kept.json()["id"]),
    )
    assert placed["end_reason"] == "placed"
