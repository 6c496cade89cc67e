"""What the webhook tests share: the example receiver on a real port, the sender and the
timer worker running as they run in the consumer process."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from notifications.config import NotificationsSettings
from notifications.webhooks import service
from notifications.webhooks.sender import WebhookSender
from notifications.webhooks.service import RETRY_TIMER, retry_due
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.db import asyncpg_dsn
from teilhabe.events import new_event
from teilhabe.events.envelope import CloudEvent
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.tcp_proxy import free_port

# The example an agency starts from is what these tests run (examples/agency/).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "agency"))
import webhook_receiver


@dataclass
class Receiver:
    """The example receiver on 127.0.0.1, which the tests stop and start again."""

    secrets: Sequence[str]
    delay_seconds: float = 0.0
    status: int | None = None  # answer this instead of verifying (a failing endpoint)
    port: int = field(default_factory=free_port)
    events: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    duplicates: int = 0
    _runner: web.AppRunner | None = None
    _verifier: webhook_receiver.Verifier | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    async def start(self) -> None:
        async def handle(event: dict[str, Any]) -> None:
            self.events.append(event)

        def observe(outcome: webhook_receiver.Outcome) -> None:
            if outcome.verdict is webhook_receiver.Verdict.REFUSED:
                self.refused.append(outcome.reason or "")
            elif outcome.verdict is webhook_receiver.Verdict.DUPLICATE:
                self.duplicates += 1

        @web.middleware
        async def behave(request: web.Request, handler: Any) -> web.StreamResponse:
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            if self.status is not None:
                return web.Response(status=self.status)
            response: web.StreamResponse = await handler(request)
            return response

        # One verifier across restarts: the ids it saw are remembered (as they must be).
        self._verifier = self._verifier or webhook_receiver.Verifier(self.secrets)
        app = webhook_receiver.create_app(self._verifier, handle, observe=observe)
        app.middlewares.append(behave)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def ids(self) -> list[str]:
        return [event["id"] for event in self.events]


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[Receiver]:
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


def settings_for(database: str, **overrides: Any) -> NotificationsSettings:
    values: dict[str, Any] = {
        "database_url": database,
        "webhook_timeout_seconds": 5.0,
        "webhook_retry_first_seconds": 0.2,
        "webhook_retry_longest_seconds": 1.0,
        "webhook_retry_window_seconds": 600.0,
        "webhook_poll_seconds": 0.5,
        **overrides,
    }
    return NotificationsSettings(**values)


@contextlib.asynccontextmanager
async def sending(
    settings: NotificationsSettings, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[WebhookSender]:
    """The webhook sender and the timer worker, as the consumer process runs them."""
    sender = WebhookSender(settings, sessions)
    timers = TimerWorker(
        TimerOptions(
            service_name="notifications",
            dsn=asyncpg_dsn(settings.database_url),
            batch_size=50,
            max_attempts=8,
            poll_seconds=0.5,
        ),
        session_factory=sessions,
        handlers={RETRY_TIMER: retry_due},
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(sender.run(stop)), asyncio.create_task(timers.run(stop))]
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def moved_in() -> CloudEvent:
    payload = HouseholdMovedIn(
        household_id=uuid.uuid4(),
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=2,
        moved_in_on="2026-12-01",  # type: ignore[arg-type]
    )
    return new_event(payload, source="/teilhabe/notifications")


async def stage_events(
    sessions: async_sessionmaker[AsyncSession], agency: str, count: int
) -> list[CloudEvent]:
    events = [moved_in() for _ in range(count)]
    async with sessions() as session, session.begin():
        for event in events:
            await service.stage(session, agency, event)
    return events


async def eventually(condition: Any, timeout: float = 60.0, what: str = "condition") -> None:
    """Wait for a sentinel (a condition the system reaches), never a fixed sleep."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
