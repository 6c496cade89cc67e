"""Durable timers against a real PostgreSQL: scheduled in a transaction, fired once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from teilhabe.config import ServiceSettings
from teilhabe.db import create_session_factory
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe.timers import DueTimer, cancel, schedule

from .conftest import effects, messaging

timers = messaging.timers


def options(database_url: str, **overrides: Any) -> TimerOptions:
    settings = ServiceSettings(service_name="probe", database_url=database_url)
    return TimerOptions.from_settings(settings, **overrides)


async def record_effect(session: AsyncSession, timer: DueTimer) -> None:
    await session.execute(insert(effects).values(event_id=timer.kind, key=timer.key))


async def effects_by_key(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(effects.c.key, func.count()).group_by(effects.c.key))
        return {key: count for key, count in rows}


async def timer_rows(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(timers))
        return {row.key: row for row in rows}


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_scheduling_again_moves_the_timer_and_cancel_removes_it(
    own_backbone_engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(own_backbone_engine)
    first = datetime(2027, 3, 1, 7, tzinfo=UTC)
    async with sessions() as session, session.begin():
        await schedule(session, "reminder", "a", first, {"n": 1})
        await schedule(session, "reminder", "b", first)
    async with sessions() as session, session.begin():
        await schedule(session, "reminder", "a", first + timedelta(days=2), {"n": 2})
        await cancel(session, "reminder", "b", "never-scheduled")
    async with sessions() as session:
        await schedule(session, "reminder", "rolled-back", first)
        await session.rollback()
    rows = await timer_rows(own_backbone_engine)
    assert set(rows) == {"a"}
    assert rows["a"].due_at == first + timedelta(days=2)
    assert rows["a"].payload == {"n": 2}
    assert rows["a"].state == "pending"


async def test_two_workers_fire_every_due_timer_once_and_none_early(
    own_backbone_engine: AsyncEngine, own_backbone_database: str
) -> None:
    sessions = create_session_factory(own_backbone_engine)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        for index in range(60):
            await schedule(session, "reminder", f"due-{index}", now - timedelta(minutes=index))
        await schedule(session, "reminder", "later", now + timedelta(days=1))
    stop = asyncio.Event()
    workers = [
        TimerWorker(
            options(own_backbone_database, batch_size=7, poll_seconds=30),
            session_factory=sessions,
            handlers={"reminder": record_effect},
        )
        for _ in range(2)
    ]
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]

    async def all_fired() -> bool:
        rows = await timer_rows(own_backbone_engine)
        return sum(row.state == "fired" for row in rows.values()) == 60

    try:
        await eventually(all_fired)
        # Scheduled while both sleep (for up to 30 s): the notification wakes one.
        async with sessions() as session, session.begin():
            await schedule(session, "reminder", "sentinel", datetime.now(UTC))
        await eventually(lambda: _has(effects_by_key(own_backbone_engine), "sentinel"), timeout=10)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    counts = await effects_by_key(own_backbone_engine)
    assert counts == {f"due-{i}": 1 for i in range(60)} | {"sentinel": 1}
    assert (await timer_rows(own_backbone_engine))["later"].state == "pending"


class CountingWorker(TimerWorker):
    """Counts how often it looked for due timers."""

    looks = 0

    async def fire_due(self) -> int:
        self.looks += 1
        return await super().fire_due()


async def test_a_sleeping_worker_wakes_only_for_a_timer_due_before_it_would_look_anyway(
    own_backbone_engine: AsyncEngine, own_backbone_database: str
) -> None:
    sessions = create_session_factory(own_backbone_engine)
    worker = CountingWorker(
        options(own_backbone_database, poll_seconds=30),
        session_factory=sessions,
        handlers={"reminder": record_effect},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await eventually(lambda: _now(worker.looks == 1 and worker._asleep_until is not None))
        # A reminder months ahead (every registration schedules some): it sleeps on.
        async with sessions() as session, session.begin():
            later = datetime.now(UTC) + timedelta(days=90)
            await schedule(session, "reminder", "months-ahead", later)
        await asyncio.sleep(1)
        assert worker.looks == 1
        async with sessions() as session, session.begin():
            await schedule(session, "reminder", "due-now", datetime.now(UTC))
        await eventually(lambda: _has(effects_by_key(own_backbone_engine), "due-now"), timeout=10)
    finally:
        stop.set()
        await task
    assert (await timer_rows(own_backbone_engine))["months-ahead"].state == "pending"


async def _now(value: bool) -> bool:
    return value


async def test_a_failing_handler_is_tried_again_and_then_dead_its_neighbours_fire(
    own_backbone_engine: AsyncEngine, own_backbone_database: str
) -> None:
    sessions = create_session_factory(own_backbone_engine)
    tries: list[str] = []

    async def handler(session: AsyncSession, timer: DueTimer) -> None:
        await record_effect(session, timer)  # undone with the savepoint when it fails below
        if timer.key == "broken":
            tries.append(timer.key)
            raise RuntimeError("handler bug")

    async with sessions() as session, session.begin():
        for key in ("before", "broken", "after"):
            await schedule(session, "reminder", key, datetime.now(UTC))
    dead_before = _sample("teilhabe_timers_dead_total", kind="reminder")
    worker = TimerWorker(
        options(own_backbone_database, max_attempts=3, retry_pause_seconds=(0.1, 0.2)),
        session_factory=sessions,
        handlers={"reminder": handler},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))

    async def broken_is_dead() -> bool:
        return (await timer_rows(own_backbone_engine))["broken"].state == "dead"

    try:
        await eventually(broken_is_dead)
    finally:
        stop.set()
        await task
    rows = await timer_rows(own_backbone_engine)
    assert tries == ["broken"] * 3, "tried three times, then given up"
    assert rows["broken"].attempts == 3
    assert "handler bug" in rows["broken"].last_error
    assert rows["before"].state == rows["after"].state == "fired"
    assert await effects_by_key(own_backbone_engine) == {"before": 1, "after": 1}
    assert _sample("teilhabe_timers_dead_total", kind="reminder") - dead_before == 1


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": "probe", **labels}) or 0.0


async def _has(counts: Awaitable[dict[str, int]], key: str) -> bool:
    return key in await counts
