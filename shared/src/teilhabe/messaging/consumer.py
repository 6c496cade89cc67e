"""The consumer: batched inbox transactions, ack after commit.

Messages are taken in batches (`batching`). A batch is handled in one transaction: the
event ids go into the inbox with `ON CONFLICT DO NOTHING RETURNING`, handlers run only
for the ids returned, the transaction commits, then the whole batch is acked. If anything
in the batch fails, the batch is rolled back and its messages are handled one
transaction each, so a single bad message delays its neighbours but never takes them
down with it. A handler marked `whole_batch` takes all its events of a type in the batch
as one run; runs of a handler marked `handled_last` come after the batch's other runs;
a handler that finds its events early anyway (`NotYet`: what they build on comes
later in the batch, events being delivered in any order) is tried again after the rest
of the batch; what still waits then leaves the inbox and goes to a delay queue, while
the batch commits. What cannot be handled goes on to a delay queue or the dead letters
(`disposition`); handled ids are forgotten after a while (`pruning`).

Each handler runs inside the trace of its events: their trace id is in the log lines
and audit entries it writes, and the events it stages continue that trace.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from teilhabe.config import ServiceSettings
from teilhabe.db import service_session_factory
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.tracing import TraceContext, current_trace
from teilhabe.messaging.batching import MessageBatcher
from teilhabe.messaging.connection import connect_broker
from teilhabe.messaging.disposition import BrokerUnavailable, Disposition
from teilhabe.messaging.inbox import (
    HandlerMap,
    NotYet,
    PoisonMessage,
    ReceivedEvent,
    claim_new,
    decode,
    forget,
    is_handled_last,
    takes_whole_batch,
)
from teilhabe.messaging.pruning import InboxPruner
from teilhabe.messaging.topology import existing_exchange, existing_queue, redelivery_exchange_name
from teilhabe.metrics import CONSUMER_BATCH_SECONDS, CONSUMER_DATABASE_WAITS, EVENTS_CONSUMED

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ConsumerOptions:
    """What a consumer is tuned with; the settings are the one source of the defaults."""

    service_name: str
    queue_name: str
    amqp_url: str
    exchange_name: str
    prefetch: int
    batch_size: int
    publish_timeout_seconds: float
    heartbeat_seconds: int
    linger_seconds: float = 0.005
    # Waiting for an unreachable database: first and longest pause between checks.
    database_backoff_seconds: tuple[float, float] = (0.5, 15.0)

    @classmethod
    def from_settings(cls, settings: ServiceSettings, **overrides: Any) -> ConsumerOptions:
        options = cls(
            service_name=settings.service_name,
            queue_name=settings.service_name,
            amqp_url=settings.amqp_url,
            exchange_name=settings.event_exchange,
            prefetch=settings.consumer_prefetch,
            batch_size=settings.consumer_batch_size,
            linger_seconds=settings.consumer_linger_seconds,
            publish_timeout_seconds=settings.publish_timeout_seconds,
            heartbeat_seconds=settings.amqp_heartbeat_seconds,
        )
        return replace(options, **overrides)


# Checks the sender of an event from outside (instead of the catalogue's owners); raises
# PoisonMessage for one that may not send it.
Admission = Callable[[AbstractIncomingMessage, ReceivedEvent[EventPayload]], None]


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
        admit: Admission | None = None,
    ) -> None:
        self._options = options
        self._admit = admit
        self._sessions = session_factory
        self._inbox = inbox
        self._handlers = handlers
        self._batcher = MessageBatcher(
            batch_size=options.batch_size, linger_seconds=options.linger_seconds
        )
        self._pruner = InboxPruner(session_factory, inbox)
        self._connection: AbstractRobustConnection | None = None
        self._disposition: Disposition | None = None
        self._consuming = False
        self._stop = asyncio.Event()

    @classmethod
    def of_service(
        cls,
        settings: ServiceSettings,
        *,
        inbox: Table,
        handlers: HandlerMap,
        pool_size: int,
        admit: Admission | None = None,
        **options: Any,
    ) -> EventConsumer:
        """A consumer of the service's database (a pool of `pool_size`, see
        `service_session_factory`) with its settings' options, `options` overriding them
        (e.g. another `queue_name`)."""
        return cls(
            ConsumerOptions.from_settings(settings, **options),
            session_factory=service_session_factory(settings, pool_size=pool_size),
            inbox=inbox,
            handlers=handlers,
            admit=admit,
        )

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
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        await channel.set_qos(prefetch_count=opts.prefetch)
        self._disposition = Disposition(
            await existing_exchange(channel, redelivery_exchange_name(opts.queue_name)),
            service_name=opts.service_name,
            queue_name=opts.queue_name,
            publish_timeout_seconds=opts.publish_timeout_seconds,
        )
        # Declared and bound by the broker setup; this service's user may only read it.
        event_types = [model.event_type for model in self._handlers]
        queue = await existing_queue(channel, opts.queue_name)
        await queue.consume(self._batcher.put)
        self._consuming = True
        log.info("consumer started", queue=opts.queue_name, event_types=sorted(set(event_types)))
        stopping = asyncio.ensure_future(stop.wait())
        pruning = asyncio.create_task(self._pruner.run(stop))
        try:
            while not stop.is_set():
                batch = await self._batcher.next_batch(stopping)
                if batch:
                    await self.handle_batch(batch)
        finally:
            stopping.cancel()
            pruning.cancel()
            await self._connection.close()

    async def handle_batch(self, batch: list[AbstractIncomingMessage]) -> None:
        started = time.perf_counter()
        try:
            await self._settle(batch)
        except BrokerUnavailable as error:
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
        # Batches are handled one after the other in delivery order, so acking the last
        # tag with `multiple` acks exactly this batch.
        with contextlib.suppress(Exception):  # stale after a reconnect: it comes again
            await batch[-1].ack(multiple=True)
        CONSUMER_BATCH_SECONDS.labels(self._options.service_name).observe(
            time.perf_counter() - started
        )

    @property
    def _dispose(self) -> Disposition:
        assert self._disposition is not None, "run() sets up the disposition"
        return self._disposition

    async def _settle(self, batch: list[AbstractIncomingMessage]) -> None:
        decoded: list[_Decoded] = []
        for message in batch:
            try:
                event = decode(
                    message.body, self._handlers, message.type, check_source=self._admit is None
                )
                if self._admit is not None:
                    self._admit(message, event)
                decoded.append(_Decoded(message, event))
            except PoisonMessage as poison:
                await self._dispose.dead_letter(message, poison.kind, poison.reason)
        while decoded:
            try:
                waiting = await self._handle_together(decoded)
            except Exception as error:  # noqa: BLE001 - isolate the failing message below
                if not await self._database_was_away(error):
                    break
            else:
                # Committed without them: they go to a delay queue before the batch is acked.
                for item, reason in waiting:
                    await self._dispose.retry(item.message, reason)
                return
        if decoded:
            log.info("batch failed, handling its messages one by one", size=len(decoded))
            for item in decoded:
                await self._handle_alone(item)

    async def _handle_together(self, items: list[_Decoded]) -> list[tuple[_Decoded, NotYet]]:
        """Handle the batch in one transaction; returns the events that must wait, which
        it committed without (the inbox forgot them)."""
        handled: set[int] = set()
        waiting: dict[str, NotYet] = {}
        async with self._sessions() as session, session.begin():
            new_ids = await claim_new(session, self._inbox, [item.event for item in items])
            fresh: list[ReceivedEvent[EventPayload]] = []
            for index, item in enumerate(items):
                if item.event.id in new_ids:
                    new_ids.discard(item.event.id)  # a duplicate inside one batch runs once
                    fresh.append(item.event)
                    handled.add(index)
            # Consecutive events of one type and one trace go to their handler together, in
            # order, so a handler can write its effect for the whole run in one statement
            # (a bulk use case stages its events in one trace) and runs in one trace.
            runs = self._runs(fresh)
            deferred: list[list[ReceivedEvent[EventPayload]]] = []
            for events in runs:
                try:
                    await self._call_handler(session, events)
                except NotYet:
                    # What it waits for is often further on in this batch (staged after it).
                    deferred.append(events)
            for events in deferred:
                try:
                    await self._call_handler(session, events)
                except NotYet as error:
                    waiting.update((event.id, error) for event in events)
            if waiting:
                await forget(session, self._inbox, list(waiting))
        retried = {index for index in handled if items[index].event.id in waiting}
        outcomes = Counter(
            (item.event.envelope.type, "handled" if index in handled else "duplicate")
            for index, item in enumerate(items)
            if index not in retried
        )
        for (event_type, outcome), count in outcomes.items():
            EVENTS_CONSUMED.labels(
                self._options.service_name, self._options.queue_name, event_type, outcome
            ).inc(count)
        return [(items[index], waiting[items[index].event.id]) for index in sorted(retried)]

    def _runs(
        self, events: list[ReceivedEvent[EventPayload]]
    ) -> list[list[ReceivedEvent[EventPayload]]]:
        """The batch's new events as the runs its handlers take, in the order they run."""
        runs: list[list[ReceivedEvent[EventPayload]]] = []
        merged: dict[type[EventPayload], list[ReceivedEvent[EventPayload]]] = {}
        for _, run in itertools.groupby(events, key=_handler_run):
            events_of_run = list(run)
            model = type(events_of_run[0].payload)
            if takes_whole_batch(self._handlers[model]):
                if model in merged:
                    merged[model].extend(events_of_run)
                    continue
                merged[model] = events_of_run
            runs.append(events_of_run)
        runs.sort(key=self._handled_last)  # stable: the others keep their order
        return runs

    def _handled_last(self, run: list[ReceivedEvent[EventPayload]]) -> bool:
        return is_handled_last(self._handlers[type(run[0].payload)])

    async def _handle_alone(self, item: _Decoded) -> None:
        while True:
            try:
                async with self._sessions() as session, session.begin():
                    new = await claim_new(session, self._inbox, [item.event])
                    if new:
                        await self._call_handler(session, [item.event])
                EVENTS_CONSUMED.labels(
                    self._options.service_name,
                    self._options.queue_name,
                    item.event.envelope.type,
                    "handled" if new else "duplicate",
                ).inc()
            except PoisonMessage as poison:
                await self._dispose.dead_letter(item.message, poison.kind, poison.reason)
            except Exception as error:  # noqa: BLE001 - anything else is worth a retry
                if await self._database_was_away(error):
                    continue
                await self._dispose.retry(item.message, error)
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
        CONSUMER_DATABASE_WAITS.labels(self._options.service_name).inc()
        while not await self.database_ok():
            if await _sleep_unless(self._stop, delay):
                raise _Stopping
            delay = min(delay * 2, longest)
        log.info("database reachable again, handling the held batch")
        return True

    async def _call_handler(
        self, session: AsyncSession, events: Sequence[ReceivedEvent[EventPayload]]
    ) -> None:
        handler = self._handlers[type(events[0].payload)]
        first = events[0]
        context: dict[str, Any] = {
            "event_type": first.envelope.type,
            "event_count": len(events),
            "trace_id": first.envelope.trace_id,
        }
        if len(events) == 1:
            context["event_id"] = first.id
        structlog.contextvars.bind_contextvars(**context)
        token = current_trace.set(TraceContext.parse(first.envelope.traceparent))
        try:
            await handler(session, events)
        finally:
            current_trace.reset(token)
            structlog.contextvars.unbind_contextvars(*context)


def _handler_run(event: ReceivedEvent[EventPayload]) -> tuple[type[EventPayload], str | None]:
    return type(event.payload), event.envelope.trace_id


class _Stopping(Exception):
    """The process stops while a batch waits for the database."""


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, cut short by `stop`; True if stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
