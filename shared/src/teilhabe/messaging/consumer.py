"""The consumer runner: batched inbox transactions, ack after commit, retry, dead letters.

Messages are taken in batches (about half the prefetch, a few milliseconds of linger).
A batch is handled in one transaction: the event ids go into the inbox with
`ON CONFLICT DO NOTHING RETURNING`, handlers run only for the ids returned, the
transaction commits, then the whole batch is acked. If anything in the batch fails, the
batch is rolled back and its messages are handled one transaction each, so a single bad
message delays its neighbours but never takes them down with it.

A message that can never be handled (not JSON, not a valid envelope or payload, an
unknown type or version, or refused by its handler) is published to `<queue>.dlq` with
the reason in its headers, then acked. Any other error is taken as transient: the message
is published to the next delay queue and acked; after the last delay step it is
dead-lettered too. A crash between that publish and the ack delivers the message twice;
the inbox makes the second delivery a no-op.

An unreachable database is no fault of the message: the batch is held, unacked, until the
database answers again, and then handled as if nothing had happened. So an outage of any
length spends no retry and dead-letters nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractRobustConnection,
)
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from teilhabe.events.catalogue import EventPayload
from teilhabe.messaging.connection import connect_broker
from teilhabe.messaging.inbox import HandlerMap, PoisonMessage, ReceivedEvent, claim_new, decode
from teilhabe.messaging.topology import (
    RETRY_DELAYS_SECONDS,
    dead_letter_queue_name,
    declare_consumer_queues,
    declare_events_exchange,
    retry_queue_name,
)
from teilhabe.metrics import CONSUMER_BATCH_SECONDS, EVENTS_CONSUMED, EVENTS_DEAD_LETTERED

log = structlog.get_logger(__name__)

RETRY_ATTEMPT_HEADER = "x-retry-attempt"
REASON_HEADER = "x-dead-letter-reason"
# Dead-letter reasons as metric labels: a fixed set, whatever a handler's words.
_REASON_KINDS = (
    "body is not JSON",
    "invalid CloudEvent envelope",
    "no handler for event type",
    "retries exhausted",
)


@dataclass(frozen=True)
class ConsumerOptions:
    service_name: str
    queue_name: str
    amqp_url: str
    exchange_name: str
    prefetch: int = 100
    batch_size: int = 50
    linger_seconds: float = 0.005
    publish_timeout_seconds: float = 10.0
    heartbeat_seconds: int = 15
    inbox_retention: timedelta = timedelta(days=30)
    # Waiting for an unreachable database: first and longest pause between checks.
    database_backoff_seconds: tuple[float, float] = (0.5, 15.0)


@dataclass
class _Decoded:
    message: AbstractIncomingMessage
    event: ReceivedEvent[EventPayload]


class EventConsumer:
    def __init__(
        self,
        options: ConsumerOptions,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        inbox: Table,
        handlers: HandlerMap,
    ) -> None:
        self._options = options
        self._sessions = session_factory
        self._inbox = inbox
        self._handlers = handlers
        self._incoming: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._consuming = False
        self._stop = asyncio.Event()

    @property
    def broker_connected(self) -> bool:
        # Ready only once the queues are bound and consumed: an event published before
        # would find no binding. `is_closed` of a robust connection stays False during an
        # outage; `connected` is cleared while it reconnects.
        return (
            self._consuming and self._connection is not None and self._connection.connected.is_set()
        )

    async def database_ok(self) -> bool:
        try:
            async with self._sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False
        return True

    async def run(self, stop: asyncio.Event) -> None:
        opts = self._options
        self._stop = stop
        self._connection = await connect_broker(opts.amqp_url, heartbeat=opts.heartbeat_seconds)
        # A retry or dead-letter copy that no queue takes must fail, not vanish.
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        await self._channel.set_qos(prefetch_count=opts.prefetch)
        exchange = await declare_events_exchange(self._channel, opts.exchange_name)
        event_types = [model.event_type for model in self._handlers]
        queue = await declare_consumer_queues(self._channel, exchange, opts.queue_name, event_types)
        await queue.consume(self._incoming.put)
        self._consuming = True
        log.info("consumer started", queue=opts.queue_name, event_types=sorted(set(event_types)))
        stopping = asyncio.ensure_future(stop.wait())
        pruning = asyncio.create_task(self._prune_inbox(stop))
        try:
            while not stop.is_set():
                batch = await self._next_batch(stopping)
                if batch:
                    await self.handle_batch(batch)
        finally:
            stopping.cancel()
            pruning.cancel()
            await self._connection.close()

    async def _prune_inbox(self, stop: asyncio.Event) -> None:
        """Forget handled ids once no redelivery can come any more (retries end within hours)."""
        limit = 10_000
        statement = text(
            f"DELETE FROM {self._inbox.name} WHERE event_id IN (SELECT event_id "  # noqa: S608
            f"FROM {self._inbox.name} "
            "WHERE handled_at < now() - CAST(:retention AS interval) LIMIT :limit)"
        )
        while not stop.is_set():
            try:
                deleted = limit
                # In slices, so that no transaction grows large; until nothing is left.
                while deleted == limit and not stop.is_set():
                    async with self._sessions() as session, session.begin():
                        result = await session.execute(
                            statement,
                            {"retention": self._options.inbox_retention, "limit": limit},
                        )
                    deleted = getattr(result, "rowcount", 0)
            except Exception as error:  # noqa: BLE001 - housekeeping must not stop consuming
                log.warning("inbox pruning failed", error=repr(error))
            await _sleep_unless(stop, 3600)

    async def _next_batch(self, stopping: asyncio.Future[Any]) -> list[AbstractIncomingMessage]:
        first = asyncio.ensure_future(self._incoming.get())
        done, _ = await asyncio.wait({first, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if first not in done:
            first.cancel()
            return []
        batch = [first.result()]
        deadline = time.monotonic() + self._options.linger_seconds
        while len(batch) < self._options.batch_size:
            if not self._incoming.empty():
                batch.append(self._incoming.get_nowait())
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._incoming.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def handle_batch(self, batch: list[AbstractIncomingMessage]) -> None:
        started = time.perf_counter()
        try:
            await self._settle(batch)
        except _BrokerUnavailable as error:
            # Nothing is lost: unacked messages come again, the inbox skips handled ones.
            # A pause first, so that a broker refusing our copies is not asked in a loop.
            log.warning("cannot reach the broker to settle a batch", error=repr(error))
            await _sleep_unless(self._stop, 1.0)
            for message in batch:
                with contextlib.suppress(Exception):
                    await message.nack(requeue=True)
            return
        except _Stopping:
            # Stopped while the database was away: the unacked messages come again.
            return
        await self._ack(batch)
        CONSUMER_BATCH_SECONDS.labels(self._options.service_name).observe(
            time.perf_counter() - started
        )

    async def _settle(self, batch: list[AbstractIncomingMessage]) -> None:
        decoded: list[_Decoded] = []
        for message in batch:
            try:
                decoded.append(
                    _Decoded(message, decode(message.body, self._handlers, message.type))
                )
            except PoisonMessage as poison:
                await self._dead_letter(message, poison.reason)
        while decoded:
            try:
                await self._handle_together(decoded)
                return
            except Exception as error:  # noqa: BLE001 - isolate the failing message below
                if not await self._database_was_away(error):
                    break
        if decoded:
            log.info("batch failed, handling its messages one by one", size=len(decoded))
            for item in decoded:
                await self._handle_alone(item)

    async def _handle_together(self, items: list[_Decoded]) -> None:
        handled: set[int] = set()
        async with self._sessions() as session, session.begin():
            new_ids = await claim_new(session, self._inbox, [item.event for item in items])
            fresh: list[ReceivedEvent[EventPayload]] = []
            for index, item in enumerate(items):
                if item.event.id in new_ids:
                    new_ids.discard(item.event.id)  # a duplicate inside one batch runs once
                    fresh.append(item.event)
                    handled.add(index)
            # Consecutive events of one type go to their handler together, in order, so a
            # handler can write its effect for the whole run in one statement.
            for _, run in itertools.groupby(fresh, key=lambda event: type(event.payload)):
                await self._call_handler(session, list(run))
        outcomes = Counter(
            (item.event.envelope.type, "handled" if index in handled else "duplicate")
            for index, item in enumerate(items)
        )
        for (event_type, outcome), count in outcomes.items():
            EVENTS_CONSUMED.labels(self._options.service_name, event_type, outcome).inc(count)

    async def _handle_alone(self, item: _Decoded) -> None:
        while True:
            try:
                async with self._sessions() as session, session.begin():
                    new = await claim_new(session, self._inbox, [item.event])
                    if new:
                        await self._call_handler(session, [item.event])
                self._count(item, "handled" if new else "duplicate")
            except PoisonMessage as poison:
                await self._dead_letter(item.message, poison.reason)
            except Exception as error:  # noqa: BLE001 - anything else is worth a retry
                if await self._database_was_away(error):
                    continue
                await self._retry(item.message, error)
            return

    async def _database_was_away(self, error: Exception) -> bool:
        """If the database cannot be reached, wait until it can; True if it was away.

        Asked after the error rather than judged by its class: whatever the driver raised,
        a database that answers means the message itself failed.
        """
        if await self.database_ok():
            return False
        first, longest = self._options.database_backoff_seconds
        delay = first
        log.warning("database unreachable, holding the batch", error=type(error).__name__)
        while not await self.database_ok():
            if await _sleep_unless(self._stop, delay):
                raise _Stopping
            delay = min(delay * 2, longest)
        log.info("database reachable again, handling the held batch")
        return True

    async def _call_handler(
        self, session: AsyncSession, events: list[ReceivedEvent[EventPayload]]
    ) -> None:
        handler = self._handlers[type(events[0].payload)]
        first = events[0]
        context = {"event_type": first.envelope.type, "event_count": len(events)}
        if len(events) == 1:
            context |= {"event_id": first.id, "trace_id": first.envelope.trace_id}
        structlog.contextvars.bind_contextvars(**context)
        try:
            await handler(session, events)
        finally:
            structlog.contextvars.unbind_contextvars(*context)

    async def _retry(self, message: AbstractIncomingMessage, error: Exception) -> None:
        attempt = _attempts_so_far(message) + 1
        if attempt > len(RETRY_DELAYS_SECONDS):
            await self._dead_letter(message, f"retries exhausted, last error: {error!r}"[:1000])
            return
        log.warning("transient failure, retrying later", attempt=attempt, error=repr(error)[:300])
        await self._republish(
            message,
            retry_queue_name(self._options.queue_name, attempt),
            {RETRY_ATTEMPT_HEADER: attempt, "x-last-error": repr(error)[:500]},
        )
        EVENTS_CONSUMED.labels(self._options.service_name, _type_of(message), "retried").inc()

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str) -> None:
        log.error("dead-lettering message", reason=reason, message_id=message.message_id)
        await self._republish(
            message,
            dead_letter_queue_name(self._options.queue_name),
            {
                REASON_HEADER: reason,
                "x-dead-lettered-at": datetime.now(UTC).isoformat(),
                "x-dead-lettered-by": self._options.service_name,
            },
        )
        EVENTS_DEAD_LETTERED.labels(self._options.service_name, _reason_kind(reason)).inc()
        EVENTS_CONSUMED.labels(self._options.service_name, _type_of(message), "dead_lettered").inc()

    async def _republish(
        self, message: AbstractIncomingMessage, queue: str, extra_headers: dict[str, Any]
    ) -> None:
        assert self._channel is not None
        headers: dict[str, Any] = dict(message.headers or {})
        headers.setdefault("x-event-type", message.routing_key or "")
        headers.update(extra_headers)
        copy = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            type=message.type,
            app_id=message.app_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            await self._channel.default_exchange.publish(
                copy, routing_key=queue, timeout=self._options.publish_timeout_seconds
            )
        except Exception as error:
            raise _BrokerUnavailable(repr(error)) from error

    async def _ack(self, batch: Iterable[AbstractIncomingMessage]) -> None:
        # Batches are handled one after the other in delivery order, so acking the last
        # tag with `multiple` acks exactly this batch.
        last = list(batch)[-1]
        with contextlib.suppress(Exception):  # stale after a reconnect: it comes again
            await last.ack(multiple=True)

    def _count(self, item: _Decoded, outcome: str) -> None:
        EVENTS_CONSUMED.labels(self._options.service_name, item.event.envelope.type, outcome).inc()


class _BrokerUnavailable(Exception):
    """A retry or dead-letter copy could not be published with a confirm."""


class _Stopping(Exception):
    """The process stops while a batch waits for the database."""


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, cut short by `stop`; True if stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


def _attempts_so_far(message: AbstractIncomingMessage) -> int:
    """Delay steps taken; a header not ours (or mangled) counts as none."""
    try:
        return max(int(str((message.headers or {}).get(RETRY_ATTEMPT_HEADER, 0))), 0)
    except ValueError:
        return 0


def _reason_kind(reason: str) -> str:
    if reason.startswith("invalid ") and reason.partition(":")[0].endswith(" payload"):
        return "invalid payload"
    return next((kind for kind in _REASON_KINDS if reason.startswith(kind)), "refused")


def _type_of(message: AbstractIncomingMessage) -> str:
    return str((message.headers or {}).get("x-event-type") or message.routing_key or "unknown")
