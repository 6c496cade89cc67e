"""The timer worker: fires due timers, each once in effect (see `teilhabe.timers`).

It claims a bounded batch of due timers with `FOR UPDATE SKIP LOCKED` and runs each
handler in a savepoint of that transaction, so a failing handler undoes only its own
work and is tried again later; the batch commits once, the timers marked fired with
what their handlers wrote. Then it sleeps until the next timer is due, at most a poll
interval, and wakes early when a transaction that scheduled a timer commits.

An unreachable database spends no attempt: the batch is rolled back whole and taken
again when the database answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from teilhabe.config import ServiceSettings
from teilhabe.db import asyncpg_dsn
from teilhabe.events.tracing import TraceContext, current_trace
from teilhabe.metrics import TIMER_FAILURES, TIMERS_DEAD, TIMERS_FIRED, TIMERS_KEPT
from teilhabe.timers import (
    TIMER_NOTIFY_CHANNEL,
    TIMER_TABLE,
    Again,
    DueTimer,
    Timer,
    TimerHandlers,
    ensure_all,
)
from teilhabe.wakeup import Wakeup

log = structlog.get_logger(__name__)

_CLAIM = text(
    f"""SELECT id, kind, key, due_at, payload, attempts, traceparent FROM {TIMER_TABLE}
    WHERE state = 'pending' AND run_at <= clock_timestamp()
        AND kind = ANY(CAST(:kinds AS varchar[]))
    ORDER BY run_at LIMIT :limit FOR UPDATE SKIP LOCKED"""  # noqa: S608 - a table name
)
_FIRED = text(
    f"""UPDATE {TIMER_TABLE} SET state = 'fired', fired_at = clock_timestamp(),
        attempts = attempts + 1, last_error = NULL WHERE id = :id"""  # noqa: S608
)
_FAILED = text(
    f"""UPDATE {TIMER_TABLE} SET attempts = attempts + 1, last_error = :error,
        run_at = clock_timestamp() + CAST(:pause AS interval),
        state = CASE WHEN :dead THEN 'dead' ELSE 'pending' END
    WHERE id = :id"""  # noqa: S608
)
# The next timer no other worker holds: one held elsewhere is being fired (or its worker
# died, and the poll finds it again); looking at it would make this worker spin.
_NEXT = text(
    f"""SELECT extract(epoch FROM run_at - clock_timestamp()) FROM {TIMER_TABLE}
    WHERE state = 'pending' AND kind = ANY(CAST(:kinds AS varchar[]))
    ORDER BY run_at LIMIT 1 FOR SHARE SKIP LOCKED"""  # noqa: S608
)
_AGAIN = text(
    f"""UPDATE {TIMER_TABLE} SET due_at = :at, run_at = :at, payload = CAST(:payload AS jsonb),
        attempts = 0, last_error = NULL WHERE id = :id"""  # noqa: S608
)
_COUNTS = text(f"SELECT state, count(*) FROM {TIMER_TABLE} GROUP BY state")  # noqa: S608
_PRUNE = text(
    f"""DELETE FROM {TIMER_TABLE} WHERE id IN (SELECT id FROM {TIMER_TABLE}
    WHERE state = 'fired' AND fired_at < now() - CAST(:retention AS interval) LIMIT 5000)"""  # noqa: S608
)


@dataclass(frozen=True)
class TimerOptions:
    """What the worker is tuned with; the settings are the one source of the defaults."""

    service_name: str
    dsn: str
    batch_size: int
    max_attempts: int
    poll_seconds: float
    # Pause after the first failed attempt, doubled each time, at most the second.
    retry_pause_seconds: tuple[float, float] = (5.0, 3600.0)
    fired_retention: timedelta = timedelta(days=30)
    housekeeping_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: ServiceSettings, **overrides: Any) -> TimerOptions:
        options = cls(
            service_name=settings.service_name,
            dsn=asyncpg_dsn(settings.database_url),
            batch_size=settings.timer_batch_size,
            max_attempts=settings.timer_max_attempts,
            poll_seconds=settings.timer_poll_seconds,
        )
        return replace(options, **overrides)


class TimerWorker:
    def __init__(
        self,
        options: TimerOptions,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        handlers: TimerHandlers,
        recurring: Sequence[Timer] = (),
    ) -> None:
        self._options = options
        # Timers that must exist (a recurring job): created once, when missing.
        self._recurring = recurring
        self._ensured = not recurring
        self._sessions = session_factory
        self._handlers = handlers
        self._kinds = sorted(handlers)
        self._wakeup = Wakeup(options.dsn, TIMER_NOTIFY_CHANNEL, wanted=self._wakes_early)
        # Until when (seconds since the epoch) it sleeps; None while it looks for work.
        self._asleep_until: float | None = None

    @property
    def broker_connected(self) -> bool:
        return True  # it writes to its own database only; the relay publishes

    async def database_ok(self) -> bool:
        try:
            async with self._sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False
        return True

    async def run(self, stop: asyncio.Event) -> None:
        log.info("timer worker started", kinds=self._kinds)
        housekeeping = asyncio.create_task(self._housekeeping(stop))
        backoff = 0.0
        try:
            while not stop.is_set():
                await self._wakeup.arm()  # before claiming: a commit meanwhile wakes the next
                try:
                    if not self._ensured:
                        await self.ensure_recurring()
                    claimed = await self.fire_due()
                    pause = 0.0 if claimed == self._options.batch_size else await self._until_next()
                    backoff = 0.0
                except Exception as error:  # noqa: BLE001 - the database away: wait, then again
                    log.warning("cannot fire timers, will retry", error=repr(error)[:300])
                    backoff = min(max(backoff * 2, 0.5), 15.0)
                    pause = backoff
                if pause > 0:
                    self._asleep_until = time.time() + pause
                    try:
                        await self._wakeup.sleep(stop, pause)
                    finally:
                        self._asleep_until = None
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await self._wakeup.close()

    def _wakes_early(self, payload: str) -> bool:
        """Whether a new timer (its due time the payload) is due before this worker wakes
        anyway: every registration schedules reminders months ahead, which must not cost
        a look at the table each. While it looks for work, any timer counts."""
        if self._asleep_until is None:
            return True
        try:
            return float(payload) < self._asleep_until
        except ValueError:
            return True  # no due time given (an older sender, a digest): look

    async def ensure_recurring(self) -> None:
        async with self._sessions() as session, session.begin():
            await ensure_all(session, self._recurring)
        self._ensured = True

    async def fire_due(self) -> int:
        """Fire one batch of due timers in one transaction; returns how many were claimed."""
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    _CLAIM, {"kinds": self._kinds, "limit": self._options.batch_size}
                )
            ).all()
            for row in rows:
                timer = DueTimer(row.kind, row.key, row.due_at, row.payload, row.attempts)
                try:
                    async with session.begin_nested():
                        again = await self._call(session, timer, row.traceparent)
                except Exception as error:  # noqa: BLE001 - one timer's failure is its own
                    await self._record_failure(session, row.id, timer, error)
                else:
                    if again is None:
                        await session.execute(_FIRED, {"id": row.id})
                    else:
                        await session.execute(
                            _AGAIN,
                            {
                                "id": row.id,
                                "at": again.at,
                                "payload": json.dumps(dict(again.payload), default=str),
                            },
                        )
                    TIMERS_FIRED.labels(self._options.service_name, timer.kind).inc()
        return len(rows)

    async def _call(
        self, session: AsyncSession, timer: DueTimer, traceparent: str | None
    ) -> Again | None:
        trace = TraceContext.parse(traceparent) or TraceContext.new()
        context = {"timer_kind": timer.kind, "timer_key": timer.key, "trace_id": trace.trace_id}
        structlog.contextvars.bind_contextvars(**context)
        token = current_trace.set(trace)
        try:
            return await self._handlers[timer.kind](session, timer)
        finally:
            current_trace.reset(token)
            structlog.contextvars.unbind_contextvars(*context)

    async def _record_failure(
        self, session: AsyncSession, timer_id: int, timer: DueTimer, error: Exception
    ) -> None:
        attempts = timer.attempts + 1
        dead = attempts >= self._options.max_attempts
        first, longest = self._options.retry_pause_seconds
        pause = min(first * 2 ** (attempts - 1), longest)
        await session.execute(
            _FAILED,
            {
                "id": timer_id,
                "error": repr(error)[:1000],
                "pause": timedelta(seconds=pause),
                "dead": dead,
            },
        )
        service = self._options.service_name
        TIMER_FAILURES.labels(service, timer.kind).inc()
        if dead:
            TIMERS_DEAD.labels(service, timer.kind).inc()
            log.error(
                "timer dead after its last attempt",
                timer_kind=timer.kind,
                timer_key=timer.key,
                attempts=attempts,
                error=repr(error)[:300],
            )
        else:
            log.warning(
                "timer failed, will try again",
                timer_kind=timer.kind,
                timer_key=timer.key,
                attempts=attempts,
                retry_in_seconds=pause,
                error=repr(error)[:300],
            )

    async def _until_next(self) -> float:
        """Seconds until the next pending timer is due, at most the poll interval."""
        async with self._sessions() as session, session.begin():
            seconds = await session.scalar(_NEXT, {"kinds": self._kinds})
        if seconds is None:
            return self._options.poll_seconds
        return min(max(float(seconds), 0.0), self._options.poll_seconds)

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with self._sessions() as session, session.begin():
                    counts: dict[str, int] = {
                        state: count for state, count in await session.execute(_COUNTS)
                    }
                    await session.execute(_PRUNE, {"retention": self._options.fired_retention})
                for state in ("pending", "dead", "paused"):
                    TIMERS_KEPT.labels(self._options.service_name, state).set(counts.get(state, 0))
            except Exception as error:  # noqa: BLE001 - housekeeping must not stop firing
                log.warning("timer housekeeping failed", error=repr(error)[:300])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._options.housekeeping_seconds)
