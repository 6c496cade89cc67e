"""The outbox relay: publishes committed outbox rows with publisher confirms.

Several replicas may run at once: each claims a batch with `FOR UPDATE SKIP LOCKED`,
publishes it with the confirms gathered, marks the confirmed rows and commits. A relay
that dies after publishing but before its commit leaves the rows unpublished, so they
are published again: consumers deduplicate on the event id. Several replicas do not keep
the order of events; consumers must not depend on it.

The relay sleeps on LISTEN until a transaction that staged events commits, with a poll
as a fallback for a lost notification or a lost listening connection.

An event no queue is bound to yet (a consumer that has not started for the first time) is
returned by the broker: it stays in the outbox and is offered again later, each time a
little later (up to a minute), so that it is delivered as soon as a consumer binds and
never holds up the events behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractExchange, AbstractRobustConnection

from teilhabe.config import ServiceSettings
from teilhabe.db import SESSION_SETTINGS, STATEMENT_TIMEOUT_SECONDS, asyncpg_dsn
from teilhabe.events.envelope import CONTENT_TYPE
from teilhabe.messaging.connection import connect_broker
from teilhabe.messaging.outbox import NOTIFY_CHANNEL
from teilhabe.messaging.topology import existing_exchange
from teilhabe.metrics import EVENTS_PUBLISHED, OUTBOX_LAG, OUTBOX_PENDING, PUBLISH_FAILURES
from teilhabe.wakeup import Wakeup

log = structlog.get_logger(__name__)

# The table is teilhabe.messaging.tables.OUTBOX_TABLE.
_CLAIM = """
    SELECT id, event_id, event_type, body FROM outbox_message
    WHERE published_at IS NULL AND (retry_at IS NULL OR retry_at <= clock_timestamp())
    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_MARK_PUBLISHED = (
    "UPDATE outbox_message SET published_at = clock_timestamp(), attempts = attempts + 1 "
    "WHERE id = ANY($1::bigint[])"
)
# Offered again after 0.5 s, 1 s, 2 s … at most a minute: a row that keeps failing (an
# event type nobody is bound to) neither starves the rows behind it nor waits for long.
_MARK_FAILED = """
    UPDATE outbox_message SET attempts = attempts + 1, last_error = $2,
        retry_at = clock_timestamp()
            + least(interval '0.5 second' * power(2, least(attempts, 10)), interval '1 minute')
    WHERE id = ANY($1::bigint[])
"""
_LAG = """
    SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)
    FROM outbox_message WHERE published_at IS NULL
"""
_PRUNE = """
    DELETE FROM outbox_message WHERE id IN (
        SELECT id FROM outbox_message WHERE published_at < now() - $1::interval LIMIT 5000)
"""


# A mark that a database crash forgets only makes the row be published again, which the
# consumers' inboxes absorb; so the relay need not wait for its commits to reach the disk.
_RELAY_SESSION_SETTINGS = {"synchronous_commit": "off"}


@dataclass(frozen=True)
class RelayOptions:
    """What a relay is tuned with; the settings are the one source of the defaults."""

    service_name: str
    dsn: str
    amqp_url: str
    exchange_name: str
    batch_size: int
    publish_timeout_seconds: float
    heartbeat_seconds: int
    fallback_poll_seconds: float = 1.0
    lanes: int = 2
    retention: timedelta = timedelta(days=7)
    # A silent network to the database ends a statement, instead of holding its locks.
    statement_timeout_seconds: float = STATEMENT_TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: ServiceSettings, **overrides: Any) -> RelayOptions:
        options = cls(
            service_name=settings.service_name,
            dsn=asyncpg_dsn(settings.database_url),
            amqp_url=settings.amqp_url,
            exchange_name=settings.event_exchange,
            batch_size=settings.relay_batch_size,
            publish_timeout_seconds=settings.publish_timeout_seconds,
            heartbeat_seconds=settings.amqp_heartbeat_seconds,
        )
        return replace(options, **overrides)


class OutboxRelay:
    def __init__(self, options: RelayOptions) -> None:
        self._options = options
        self._wakeup = Wakeup(options.dsn, NOTIFY_CHANNEL)
        self._pool: asyncpg.Pool | None = None
        self._connection: AbstractRobustConnection | None = None
        self._backoff = 0.0
        # The wake-up count when the latest claim (of any lane) began: a lane woken by a
        # notification that claim may not have seen looks; the other lanes sleep on.
        self._claimed_at_wakeup = 0

    @property
    def broker_connected(self) -> bool:
        # A robust connection is not `is_closed` while it reconnects; `connected` is clear.
        return self._connection is not None and self._connection.connected.is_set()

    async def database_ok(self) -> bool:
        if self._pool is None:
            return False
        try:
            await self._pool.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError):
            return False
        return True

    async def run(self, stop: asyncio.Event) -> None:
        opts = self._options
        self._pool = await asyncpg.create_pool(
            opts.dsn,
            min_size=1,
            max_size=opts.lanes + 1,
            command_timeout=opts.statement_timeout_seconds,
            server_settings={**SESSION_SETTINGS, **_RELAY_SESSION_SETTINGS},
            # The relay changes no session state (no SET, LISTEN, cursor or advisory lock):
            # the default reset would cost a round trip per batch for nothing. An open
            # transaction is still rolled back by the pool.
            reset=_keep_session,
        )
        self._connection = await connect_broker(opts.amqp_url, heartbeat=opts.heartbeat_seconds)
        # Unroutable must raise, so that the row stays in the outbox (see above).
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await existing_exchange(channel, opts.exchange_name)
        housekeeping = asyncio.create_task(self._housekeeping(stop))
        log.info("relay started", exchange=opts.exchange_name, batch_size=opts.batch_size)
        try:
            # Two lanes: while one waits for the database to mark its batch, the other
            # publishes, so neither the broker nor the database sits idle under load.
            await asyncio.gather(*(self._lane(exchange, stop) for _ in range(opts.lanes)))
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await self._close()

    async def _lane(self, exchange: AbstractExchange, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # Armed before claiming: a commit during the claim wakes the next round.
            await self._wakeup.arm()
            try:
                claimed = await self.publish_batch(exchange)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("outbox unreachable, will retry", error=repr(error))
                self._backoff = min(max(self._backoff * 2, 0.5), 5.0)
                claimed = 0
            if claimed == self._options.batch_size and self._backoff == 0:
                continue
            await self._sleep(stop)

    async def publish_batch(self, exchange: AbstractExchange) -> int:
        """Claim, publish and mark one batch; returns how many rows were claimed."""
        assert self._pool is not None
        opts = self._options
        self._claimed_at_wakeup = self._wakeup.received
        async with self._pool.acquire() as db, db.transaction():
            rows = await db.fetch(_CLAIM, opts.batch_size)
            if not rows:
                self._backoff = 0.0
                return 0
            results = await asyncio.gather(
                *(self._publish_one(exchange, row) for row in rows), return_exceptions=True
            )
            confirmed = [
                row["id"] for row, result in zip(rows, results, strict=True) if result is None
            ]
            failed = [
                row["id"] for row, result in zip(rows, results, strict=True) if result is not None
            ]
            if confirmed:
                await db.execute(_MARK_PUBLISHED, confirmed)
            if failed:
                error = next(r for r in results if r is not None)
                await db.execute(_MARK_FAILED, failed, repr(error)[:500])
        published = Counter(
            row["event_type"] for row, result in zip(rows, results, strict=True) if result is None
        )
        for event_type, count in published.items():
            EVENTS_PUBLISHED.labels(opts.service_name, event_type).inc(count)
        if failed:
            PUBLISH_FAILURES.labels(opts.service_name).inc(len(failed))
            self._backoff = min(max(self._backoff * 2, 0.2), 5.0)
            log.warning("publish failed, will retry", failed=len(failed), error=repr(error)[:200])
        else:
            self._backoff = 0.0
        return len(rows)

    async def _publish_one(self, exchange: AbstractExchange, row: asyncpg.Record) -> None:
        message = aio_pika.Message(
            body=bytes(row["body"]),
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=row["event_id"],
            type=row["event_type"],
            app_id=self._options.service_name,
        )
        await exchange.publish(
            message,
            routing_key=row["event_type"],
            mandatory=True,
            timeout=self._options.publish_timeout_seconds,
        )

    async def _sleep(self, stop: asyncio.Event) -> None:
        """Until there may be rows no claim has seen: a notification after the latest claim
        began, or the fallback poll."""
        if self._backoff:
            await asyncio.sleep(self._backoff)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._options.fallback_poll_seconds
        while not stop.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0 or self._wakeup.received > self._claimed_at_wakeup:
                return
            await self._wakeup.sleep(stop, remaining)
            if self._wakeup.received == self._claimed_at_wakeup:
                # Woken with another lane, which claimed already (every lane shares the
                # one wake-up): nothing that claim did not see.
                await self._wakeup.arm()

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        assert self._pool is not None
        rounds = 0
        while not stop.is_set():
            try:
                pending, lag = await self._pool.fetchrow(_LAG)  # type: ignore[misc]
                OUTBOX_PENDING.labels(self._options.service_name).set(pending)
                OUTBOX_LAG.labels(self._options.service_name).set(float(lag))
                if rounds % 60 == 0:
                    await self._pool.execute(_PRUNE, self._options.retention)
            except Exception as error:  # noqa: BLE001 - housekeeping must not stop publishing
                log.warning("outbox housekeeping failed", error=repr(error))
            rounds += 1
            await asyncio.sleep(5)

    async def _close(self) -> None:
        await self._wakeup.close()
        if self._connection is not None:
            await self._connection.close()
        if self._pool is not None:
            await self._pool.close()


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """The pool's reset: nothing to undo (see OutboxRelay.run)."""
