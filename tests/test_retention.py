"""Retention: every table of every service has a rule, and a run removes exactly what expired.

The runs use each service's real migrated database (its app role) and the real timer
worker; the records' clocks are set in the past instead of moving time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.retention import Rule
from teilhabe.retention import run as retention_run
from teilhabe.retention.document import DOCUMENT, current
from teilhabe.runtime import ServiceDefinition
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES

AUDIT_KEY = "retention-test-audit-key-0123456789abcdef"


def declared_tables(service: ServiceDefinition) -> set[str]:
    metadata = service.messaging.outbox.metadata
    assert metadata is not None
    return set(metadata.tables)


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_table_has_one_retention_declaration(name: str) -> None:
    service = SERVICES[name]
    declared = service.retention.tables()
    twice = {table for table in declared if declared.count(table) > 1}
    assert not twice, f"{name}: more than one retention declaration for {sorted(twice)}"
    missing = declared_tables(service) - set(declared)
    assert not missing, (
        f"{name}: tables without a retention rule: {sorted(missing)}; declare one in "
        f"{name}/retention.py (Rule, Follows or Exempt, see teilhabe.retention)"
    )
    unknown = set(declared) - declared_tables(service)
    assert not unknown, f"{name}: retention declared for tables it does not have: {unknown}"


def test_the_retention_table_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == current(), "run `make retention`"


@pytest.mark.parametrize("name", list(SERVICES))
async def test_every_rule_runs_on_the_migrated_database(infra: Infrastructure, name: str) -> None:
    """Each rule's statement is valid SQL the service's own role may run (rolled back)."""
    service = SERVICES[name]
    async with migrated_database(infra, service) as url:
        engine = create_engine(url, pool_size=1)
        try:
            for rule in service.retention.rules:
                async with create_session_factory(engine)() as session:
                    # As if it were 1971: nothing has expired, the statement still runs.
                    long_ago = datetime(1971, 1, 1, tzinfo=UTC)
                    assert await retention_run.remove_slice(session, rule, now=long_ago) == 0
                    await session.rollback()
        finally:
            await engine.dispose()


@asynccontextmanager
async def retention_worker(
    service: ServiceDefinition, url: str, *, slice_size: int, archive_dir: Path | None = None
) -> AsyncIterator[TimerWorker]:
    engine = create_engine(url, pool_size=2)
    options = TimerOptions(
        service_name=service.name,
        dsn=asyncpg_dsn(url),
        batch_size=10,
        max_attempts=3,
        poll_seconds=1,
    )
    worker = TimerWorker(
        options,
        session_factory=create_session_factory(engine, audit_key=AUDIT_KEY),
        handlers=retention_run.retention_timers(
            service.name, service.retention, slice_size=slice_size, archive_dir=archive_dir
        ),
        recurring=retention_run.seeds(service.retention),
    )
    try:
        yield worker
    finally:
        await engine.dispose()


@asynccontextmanager
async def worker_session(url: str) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, as the administrator's command opens one."""
    engine = create_engine(url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def run_until_idle(worker: TimerWorker) -> None:
    """Fire due retention timers until none is due (each rule waits for its next run)."""
    await worker.ensure_recurring()
    for _ in range(100):
        if await worker.fire_due() == 0:
            return
    raise AssertionError("the retention run did not come to rest")


async def add_household(
    db: asyncpg.Connection, *, moved_out_at: datetime | None, name: str = "Haddad"
) -> uuid.UUID:
    household = uuid.uuid4()
    await db.execute(
        """INSERT INTO household (id, allocation_notice_number, allocated_on,
            allocating_authority, needs_accessible_housing, housing_status, housing_status_at)
        VALUES ($1, $2, DATE '2020-01-01', 'Bezirksregierung Arnsberg', false, $3, $4)""",
        household,
        f"BRA-{household}",
        "moved_out" if moved_out_at else "housed",
        moved_out_at or clock.now(),
    )
    await db.execute(
        """INSERT INTO member (id, household_id, position, given_name, family_name,
            date_of_birth, sex, nationality, languages, residence_status)
        VALUES ($1, $2, 1, 'Amina', $3, DATE '1988-03-14', 'female', 'SYR', '{ar}',
            'aufenthaltsgestattung')""",
        uuid.uuid4(),
        household,
        name,
    )
    return household


async def timer_state(db: asyncpg.Connection, table: str) -> asyncpg.Record:
    return await db.fetchrow(
        "SELECT state, payload FROM timer WHERE kind = 'retention' AND key = $1", table
    )


async def test_a_run_removes_exactly_the_expired_case_files_paused_nothing_and_survives_a_crash(
    infra: Infrastructure, tmp_path: Path
) -> None:
    service = SERVICES["intake"]
    keep = service.retention.rule("household").keep
    now = clock.now()
    async with migrated_database(infra, service) as url:
        db = await asyncpg.connect(asyncpg_dsn(url))
        try:
            expired = {
                await add_household(db, moved_out_at=now - keep - timedelta(days=1 + n))
                for n in range(5)
            }
            younger = await add_household(db, moved_out_at=now - keep + timedelta(days=2))
            still_housed = await add_household(db, moved_out_at=None)
            archive = tmp_path / "archive"
            async with retention_worker(service, url, slice_size=2, archive_dir=archive) as worker:
                # Paused: the run's timers are set aside, nothing is removed.
                await worker.ensure_recurring()
                async with worker_session(url) as session:
                    assert await retention_run.pause(session) == len(service.retention.rules)
                assert await worker.fire_due() == 0
                assert await db.fetchval("SELECT count(*) FROM household") == 7
                assert (await timer_state(db, "household"))["state"] == "paused"
                async with worker_session(url) as session:
                    assert await retention_run.resume(session) == len(service.retention.rules)
                # A worker killed mid-slice: its transaction never commits.
                engine = create_engine(url, pool_size=1)
                dying = create_session_factory(engine, audit_key=AUDIT_KEY)()
                rule = service.retention.rule("household")
                removed_in_dying = await retention_run.remove_slice(
                    dying, rule, now=now, limit=2, archive_dir=archive
                )
                assert removed_in_dying == 2
                # The connection is cut: the server rolls the slice back.
                await (await dying.connection()).invalidate()
                await engine.dispose()
                await run_until_idle(worker)
            left = {row["id"] for row in await db.fetch("SELECT id FROM household")}
            assert left == {younger, still_housed}
            assert not expired & left
            # The members went with their households; the other ones stayed.
            assert await db.fetchval("SELECT count(*) FROM member") == 2
            state = await timer_state(db, "household")
            assert state["state"] == "pending"
            # The last slice found fewer than a full one: 5 = 2 + 2 + 1.
            assert '"last_removed": 1' in state["payload"]
            # Each deleted case file was offered to the archive first, once.
            offered = {
                row["household_id"]
                for row in await db.fetch("SELECT household_id FROM archive_offer")
            }
            assert offered == expired
            assert sorted(p.name for p in archive.iterdir()) == sorted(
                f"fallakte-{household}.zip" for household in expired
            )
            assert (
                await db.fetchval("SELECT count(*) FROM audit_entry WHERE action = 'archive.offer'")
                == 5
            )
        finally:
            await db.close()
    removed = REGISTRY.get_sample_value(
        "teilhabe_retention_removed_total",
        {"service": "intake", "table": "household", "action": "delete"},
    )
    assert removed is not None
    assert removed >= 5
    assert REGISTRY.get_sample_value(
        "teilhabe_retention_last_run_timestamp_seconds",
        {"service": "intake", "table": "household"},
    ) == pytest.approx(datetime.now(UTC).timestamp(), abs=120)


async def test_a_run_removes_delivered_notifications_past_their_rule_with_their_log(
    infra: Infrastructure,
) -> None:
    service = SERVICES["notifications"]
    rule: Rule = service.retention.rule("delivery")
    now = clock.now()
    async with migrated_database(infra, service) as url:
        db = await asyncpg.connect(asyncpg_dsn(url))

        async def delivery(sent_at: datetime | None, status: str) -> uuid.UUID:
            delivery_id = uuid.uuid4()
            await db.execute(
                """INSERT INTO delivery (id, event_id, event_type, recipient_id, channel,
                    language, title, body, address, status, sent_at, created_at)
                VALUES ($1, $2, 'household.assigned', 'carla', 'email', 'de', 'Neu',
                    'Ein Haushalt', 'carla@duelmen.de', $3, $4, $5)""",
                delivery_id,
                str(delivery_id),
                status,
                sent_at,
                sent_at or now - rule.keep - timedelta(days=30),
            )
            await db.execute(
                "INSERT INTO delivery_attempt (delivery_id, attempt, outcome) "
                "VALUES ($1, 1, 'sent')",
                delivery_id,
            )
            return delivery_id

        try:
            old = await delivery(now - rule.keep - timedelta(hours=1), "sent")
            young = await delivery(now - rule.keep + timedelta(hours=1), "sent")
            waiting = await delivery(None, "pending")
            async with retention_worker(service, url, slice_size=50) as worker:
                await run_until_idle(worker)
            left = {row["id"] for row in await db.fetch("SELECT id FROM delivery")}
            assert left == {young, waiting}
            assert old not in left
            assert await db.fetchval("SELECT count(*) FROM delivery_attempt") == 2
        finally:
            await db.close()
