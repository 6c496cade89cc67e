"""One command line for every service: `teilhabe-<service> migrate|api|relay|consumer|timers`.

Besides: `revision` (a new migration), `dead-letters list|redrive` and `audit verify`
(operations).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aio_pika
import asyncpg
import uvicorn
from fastapi import FastAPI

from teilhabe.api.health import ReadinessCheck, health_router
from teilhabe.audit import AUDIT_TABLE
from teilhabe.audit.chain import key_bytes
from teilhabe.audit.verify import verify_chain
from teilhabe.config import ServiceSettings
from teilhabe.db import (
    asyncpg_dsn,
    create_engine,
    create_session_factory,
    service_session_factory,
)
from teilhabe.events.catalogue import set_schema_base_url
from teilhabe.events.contract import FieldsRead
from teilhabe.logging import configure_logging
from teilhabe.messaging import dead_letter_audit, dead_letters
from teilhabe.messaging.consumer import EventConsumer
from teilhabe.messaging.dead_letter_audit import DeadLetterAudit
from teilhabe.messaging.inbox import HandlerMap
from teilhabe.messaging.policies import put_policies
from teilhabe.messaging.relay import OutboxRelay, RelayOptions
from teilhabe.messaging.setup import declare_topology
from teilhabe.messaging.tables import MessagingTables
from teilhabe.messaging.topology import dead_letter_queue_name
from teilhabe.processing import Processing
from teilhabe.retention import Retention
from teilhabe.retention import run as retention_run
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe.timers import TimerHandlers

# Connections a consumer process holds (see the connection budget in deploy/README.md).
CONSUMER_POOL_SIZE = 3


class Worker(Protocol):
    @property
    def broker_connected(self) -> bool: ...

    async def database_ok(self) -> bool: ...

    async def run(self, stop: asyncio.Event) -> None: ...


class Companion(Protocol):
    """Work that runs inside the consumer process, beside the consumer (e.g. a mail sender)."""

    async def run(self, stop: asyncio.Event) -> None: ...


@dataclass(frozen=True)
class Command:
    """A service's own one-shot command, e.g. a scheduled purge."""

    help: str
    run: Callable[[ServiceSettings, argparse.Namespace], Coroutine[Any, Any, None]]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda _parser: None


@dataclass(frozen=True)
class ServiceDefinition:
    """What the shared runtime needs to know of a service to run its processes."""

    name: str
    settings: Callable[[], ServiceSettings]
    create_app: Callable[[], FastAPI]
    migrations_dir: Path
    messaging: MessagingTables
    handlers: HandlerMap = field(default_factory=dict)
    # The fields it reads of each event type it handles (the event contract).
    reads: FieldsRead = field(default_factory=dict)
    # Durable timers this service fires, by kind (see teilhabe.timers).
    timers: TimerHandlers = field(default_factory=dict)
    # How long each table's records are kept (teilhabe.retention); run on the timers.
    retention: Retention = field(default_factory=lambda: Retention(()))
    # What it processes of whom, for what and for whom (the record of processing).
    processing: Processing | None = None
    companions: Sequence[Callable[[ServiceSettings], Companion]] = ()
    # What its second consumer (a companion, see teilhabe.messaging.agencies) reads.
    side_reads: FieldsRead = field(default_factory=dict)
    commands: Mapping[str, Command] = field(default_factory=dict)
    # Where uvicorn's workers import `create_app` from ("module:attribute.path").
    app_factory: str = ""


def cli(service: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"teilhabe-{service.name}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create the database if missing and migrate it")
    commands.add_parser("api", help="serve the HTTP API")
    commands.add_parser("relay", help="publish the outbox to the broker")
    commands.add_parser("consumer", help="handle the events this service subscribes to")
    commands.add_parser("timers", help="fire this service's due timers")
    commands.add_parser(
        "broker-setup",
        help="declare this service's exchange, queues and bindings (privileged: "
        "AMQP_SETUP_URL, else AMQP_URL, must be allowed to configure)",
    )
    revision = commands.add_parser("revision", help="autogenerate a migration")
    revision.add_argument("message")
    _add_dead_letter_commands(commands)
    retention = commands.add_parser(
        "retention", help="pause, resume or look at the deletion of expired records"
    )
    retention.add_argument("action", choices=["pause", "resume", "status"])
    audit = commands.add_parser("audit", help="check the audit trail")
    audit_actions = audit.add_subparsers(dest="action", required=True)
    audit_actions.add_parser(
        "verify", help="walk the audit chain; name the first broken link (exit 1)"
    )
    for name, command in service.commands.items():
        command.arguments(commands.add_parser(name, help=command.help))
    args = parser.parse_args(argv)

    settings = service.settings()
    set_schema_base_url(settings.event_schema_base_url)  # the `dataschema` of what it stages
    configure_logging(
        f"{service.name}-{args.command}", level=settings.log_level, json=settings.log_json
    )
    # Alembic (with mako) is imported only by the commands that need it, `migrate` and
    # `revision`, not by every process at its start.
    if args.command == "migrate":
        from teilhabe.migrations import upgrade

        asyncio.run(
            upgrade(service.migrations_dir, settings.migration_url, app_url=settings.database_url)
        )
    elif args.command == "revision":
        from teilhabe.migrations import new_revision

        new_revision(service.migrations_dir, settings.migration_url, args.message)
    elif args.command == "api":
        uvicorn.run(
            service.app_factory or f"{service.create_app.__module__}:{service.create_app.__name__}",
            factory=True,
            workers=settings.api_workers,
            # A worker still importing on a busy node is not dead: uvicorn's 5 s default
            # restarts it again and again there.
            timeout_worker_healthcheck=60,
            # uvicorn's 5 s default is shorter than the idle timeout of clients and proxies
            # (aiohttp 15 s, nginx 60 s): the server closed connections they were just
            # reusing, and a request in flight on one was reset.
            timeout_keep_alive=settings.http_keep_alive_seconds,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            proxy_headers=True,
        )
    elif args.command == "relay":
        asyncio.run(run_worker(settings, build_relay(settings), command="relay"))
    elif args.command == "consumer":
        consumer = build_consumer(service, settings)
        companions: list[Companion] = [build(settings) for build in service.companions]
        if timer_handlers(service, settings) and settings.run_timers_in_consumer:
            companions.append(build_timer_worker(service, settings))
        worker = WorkerGroup(consumer, companions) if companions else consumer
        asyncio.run(run_worker(settings, worker, command="consumer"))
    elif args.command == "timers":
        timers = build_timer_worker(service, settings)
        asyncio.run(run_worker(settings, timers, command="timers"))
    elif args.command == "dead-letters":
        asyncio.run(dead_letter_command(settings, args, service))
    elif args.command == "broker-setup":
        url = os.environ.get("AMQP_SETUP_URL") or settings.amqp_url
        asyncio.run(declare_topology(url, [service], exchange=settings.event_exchange))
        management = os.environ.get("RABBITMQ_MANAGEMENT_URL")
        if management:
            put_policies(management, unquote(urlsplit(url).path[1:]) or "/")
    elif args.command == "audit":
        raise SystemExit(asyncio.run(audit_command(settings)))
    elif args.command == "retention":
        asyncio.run(retention_command(settings, args.action))
    else:
        asyncio.run(service.commands[args.command].run(settings, args))


def _add_dead_letter_commands(commands: Any) -> None:
    parser = commands.add_parser(
        "dead-letters", help="look into the consumer's dead-letter queue, or send it back"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="print the dead letters and their reasons")
    listing.add_argument("--limit", type=int, default=100)
    back = actions.add_parser(
        "redrive", help="send dead letters back to the consumer's queue (after fixing the cause)"
    )
    back.add_argument("--limit", type=int, default=1000)
    for action in (listing, back):
        action.add_argument(
            "--queue",
            help="a second consumer's queue (e.g. intake.inbound, notifications.agencies) "
            "instead of the service's own",
        )
    back.add_argument(
        "--event-id", action="append", dest="event_ids", help="only these (repeatable)"
    )
    forget = actions.add_parser(
        "forget",
        help="delete the dead letters that mention an erased household, person or volunteer",
    )
    forget.add_argument(
        "--mention", action="append", dest="mentions", default=[], help="an id (repeatable)"
    )
    forget.add_argument(
        "--notice",
        action="append",
        dest="notices",
        default=[],
        help="an allocation notice number, compared as intake compares them (case and "
        "spaces do not count): the state's allocation.notified carries no id (repeatable)",
    )
    forget.add_argument(
        "--queue", help="a second consumer's queue (e.g. intake.inbound) instead of the service's"
    )
    for action in (back, forget):
        action.add_argument(
            "--by",
            required=True,
            help="who does this (their user name), for the service's audit trail",
        )


async def dead_letter_command(
    settings: ServiceSettings, args: argparse.Namespace, service: ServiceDefinition
) -> None:
    if args.action == "forget" and not (args.mentions or args.notices):
        raise SystemExit("name what to forget: --mention ID or --notice NUMBER")
    audit: DeadLetterAudit | None = None
    if args.action != "list":
        # Redrive and deletion are audited: the trail must be writable before acting.
        metadata = service.messaging.outbox.metadata
        assert metadata is not None
        audit = DeadLetterAudit(settings, metadata.tables[AUDIT_TABLE])
    connection = await aio_pika.connect(
        settings.amqp_url, heartbeat=settings.amqp_heartbeat_seconds, timeout=15
    )
    try:
        if audit is not None:
            await audit.check()
        queue = args.queue or settings.service_name
        # A passive look first, on a channel of its own: a missing queue closes the channel.
        try:
            async with connection.channel() as probe:
                await probe.get_queue(dead_letter_queue_name(queue))
        except aio_pika.exceptions.ChannelNotFoundEntity:
            raise SystemExit(
                f"no dead-letter queue for {queue} at this broker: the consumer has never run"
            ) from None
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        moved: list[str | None] = []
        if args.action == "list":
            letters = await dead_letters.list_dead_letters(channel, queue, limit=args.limit)
            for letter in letters:
                print(
                    f"{letter.dead_lettered_at}  {letter.event_type}  {letter.event_id}  "
                    f"{letter.kind}  {letter.reason}"
                )
            print(f"{len(letters)} dead letters shown")
        elif args.action == "forget":
            assert audit is not None
            try:
                deleted, kept = await dead_letters.forget(
                    channel, queue, args.mentions, notices=args.notices, moved=moved
                )
            finally:
                await audit.record(args.by, dead_letter_audit.DELETED, queue, moved)
            print(f"{deleted} dead letters deleted, {kept} left in the dead-letter queue")
        else:
            assert audit is not None
            only = set(args.event_ids) if args.event_ids else None
            try:
                sent, kept = await dead_letters.redrive(
                    channel,
                    queue,
                    limit=args.limit,
                    only=only,
                    publish_timeout_seconds=settings.publish_timeout_seconds,
                    moved=moved,
                )
            finally:
                await audit.record(args.by, dead_letter_audit.REDRIVEN, queue, moved)
            print(f"{sent} sent back to {queue}, {kept} left in the dead-letter queue")
    finally:
        await connection.close()
        if audit is not None:
            await audit.close()


async def audit_command(settings: ServiceSettings) -> int:
    if settings.audit_key is None:
        raise SystemExit("AUDIT_KEY is not set: the chain cannot be checked without its key")
    key = key_bytes(settings.audit_key.get_secret_value())
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        report = await verify_chain(connection, key)
    finally:
        await connection.close()
    if report.broken is not None:
        print(f"audit chain broken at entry {report.broken.entry_id}: {report.broken.what}")
        print(f"{report.checked} entries before it are intact")
        return 1
    print(f"audit chain intact: {report.checked} sealed entries", end="")
    if report.unsealed:
        print(f", {report.unsealed} from before the chain (not sealed)", end="")
    if report.last_id is not None and report.last_hash is not None:
        # Kept outside the database (say, in the operations log), this pins the chain's
        # end: entries removed from the end would otherwise go unnoticed.
        print(f"; last entry {report.last_id} sealed {report.last_hash.hex()}", end="")
    print()
    return 0


async def retention_command(settings: ServiceSettings, action: str) -> None:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            if action == "pause":
                print(f"retention paused: {await retention_run.pause(session)} rules set aside")
            elif action == "resume":
                print(f"retention resumed: {await retention_run.resume(session)} rules")
            for rule in await retention_run.status(session):
                print(
                    f"{rule.table}  {rule.state}  next {rule.next_run_at.isoformat()}  "
                    f"last {rule.last_run_at or '-'} removed {rule.last_removed}"
                )
    finally:
        await engine.dispose()


def timer_handlers(service: ServiceDefinition, settings: ServiceSettings) -> TimerHandlers:
    """The service's own timers and its retention rules' one."""
    return {
        **service.timers,
        **retention_run.retention_timers(
            service.name,
            service.retention,
            interval=timedelta(seconds=settings.retention_interval_seconds),
            slice_size=settings.retention_slice,
            archive_dir=settings.archive_offer_dir,
        ),
    }


def build_relay(settings: ServiceSettings) -> OutboxRelay:
    return OutboxRelay(RelayOptions.from_settings(settings))


def build_consumer(service: ServiceDefinition, settings: ServiceSettings) -> EventConsumer:
    # Batches run one after another; the rest is for the health check and housekeeping.
    return EventConsumer.of_service(
        settings,
        inbox=service.messaging.inbox,
        handlers=service.handlers,
        pool_size=CONSUMER_POOL_SIZE,
    )


def build_timer_worker(service: ServiceDefinition, settings: ServiceSettings) -> TimerWorker:
    return TimerWorker(
        TimerOptions.from_settings(settings),
        # Two connections: one firing, one for housekeeping; the wake-up listens on its own.
        # Timers may audit (the archive offer before a retention deletion).
        session_factory=service_session_factory(settings, pool_size=2),
        handlers=timer_handlers(service, settings),
        recurring=retention_run.seeds(service.retention),
    )


async def run_worker(settings: ServiceSettings, worker: Worker, *, command: str) -> None:
    """Run a relay or consumer beside a small health and metrics server until SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    async def broker_ok() -> bool:
        return worker.broker_connected

    health = FastAPI(title=f"{settings.service_name} worker", openapi_url=None)
    health.include_router(
        health_router(
            [ReadinessCheck("database", worker.database_ok), ReadinessCheck("broker", broker_ok)],
            process=f"{settings.service_name} {command}",
        )
    )
    server = _EmbeddedServer(
        uvicorn.Config(health, host=settings.http_host, port=settings.http_port, log_config=None)
    )
    serving = asyncio.create_task(server.serve())
    try:
        await worker.run(stop)
    finally:
        server.should_exit = True
        await serving


class WorkerGroup:
    """A worker and its companions in one process; one of them ending ends them all.

    A consumer without its companion (say, the mail sender of the messages it queues)
    must not go on alone, so a crash of either stops the process and the orchestrator
    restarts it.
    """

    def __init__(self, main: Worker, companions: Sequence[Companion]) -> None:
        self._main = main
        self._companions = companions

    @property
    def broker_connected(self) -> bool:
        return self._main.broker_connected

    async def database_ok(self) -> bool:
        return await self._main.database_ok()

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self._main.run(stop))]
        tasks += [asyncio.create_task(companion.run(stop)) for companion in self._companions]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the worker decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
