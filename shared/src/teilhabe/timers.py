"""Durable timers: something to do at a time, kept in the service's database.

A use case schedules a timer in its own transaction (`schedule`), idempotent by kind and
key: scheduling the same key again moves it, `cancel` removes it. The timer worker
(`teilhabe.timer_worker`) claims due timers like the relay claims the outbox, with
`FOR UPDATE SKIP LOCKED`, and runs the handler registered for the kind in the same
transaction that marks the timer fired; a handler typically stages an event. So a timer
fires once in effect, with several workers and after a crash: a worker that dies before
its commit leaves the timer pending for the next one, and nothing of the handler's work.

A failing handler is tried again later (with growing pauses); after the last attempt the
timer is dead: kept, visible and counted, never tried again until it is scheduled anew.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.events.tracing import current_trace

TIMER_TABLE = "timer"
# Each service has its own database, so one channel name serves all.
TIMER_NOTIFY_CHANNEL = "teilhabe_timers"


class TimerState(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    DEAD = "dead"


@dataclass(frozen=True)
class DueTimer:
    """What a handler is given: the timer as scheduled, and how often it failed before."""

    kind: str
    key: str
    due_at: datetime
    payload: Mapping[str, Any]
    attempts: int


@dataclass(frozen=True)
class Again:
    """What a recurring timer's handler returns: fire me again at `at`, keeping `payload`
    (e.g. what the last run did); the timer stays pending instead of being marked fired."""

    at: datetime
    payload: Mapping[str, Any]


# A handler runs inside the worker's transaction: what it writes commits with the timer
# marked fired (or moved, when it returns `Again`). It must not commit itself.
TimerHandler = Callable[[AsyncSession, DueTimer], Awaitable[Again | None]]
TimerHandlers = Mapping[str, TimerHandler]


def define_timer_table(metadata: MetaData) -> Table:
    return Table(
        TIMER_TABLE,
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("kind", String(100), nullable=False),
        Column("key", String(200), nullable=False),
        Column("due_at", DateTime(timezone=True), nullable=False),
        # When it is next tried: the due time, or later after a failed attempt.
        Column("run_at", DateTime(timezone=True), nullable=False),
        Column("payload", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("state", String(20), nullable=False, server_default=text("'pending'")),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        # The trace of the use case that scheduled it: what the timer causes continues it.
        Column("traceparent", String(55)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("fired_at", DateTime(timezone=True)),
        UniqueConstraint("kind", "key", name="uq_timer_kind_key"),
        # The worker looks only at pending timers, by the time they are next tried.
        Index("ix_timer_pending_run_at", "run_at", postgresql_where=text("state = 'pending'")),
    )


# As the migrations create it (a snapshot: a later change needs a migration of its own).
TIMER_V1_DDL = (
    """CREATE TABLE timer (
        id BIGINT GENERATED ALWAYS AS IDENTITY,
        kind VARCHAR(100) NOT NULL,
        key VARCHAR(200) NOT NULL,
        due_at TIMESTAMP WITH TIME ZONE NOT NULL,
        run_at TIMESTAMP WITH TIME ZONE NOT NULL,
        payload JSONB DEFAULT '{}'::jsonb NOT NULL,
        state VARCHAR(20) DEFAULT 'pending' NOT NULL,
        attempts INTEGER DEFAULT 0 NOT NULL,
        last_error TEXT,
        traceparent VARCHAR(55),
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        fired_at TIMESTAMP WITH TIME ZONE,
        CONSTRAINT pk_timer PRIMARY KEY (id),
        CONSTRAINT uq_timer_kind_key UNIQUE (kind, key))""",
    "CREATE INDEX ix_timer_pending_run_at ON timer (run_at) WHERE state = 'pending'",
)


_SCHEDULE = text(
    f"""INSERT INTO {TIMER_TABLE} (kind, key, due_at, run_at, payload, traceparent)
    VALUES (:kind, :key, :due_at, :due_at, CAST(:payload AS jsonb), :traceparent)
    ON CONFLICT (kind, key) DO UPDATE SET
        due_at = excluded.due_at, run_at = excluded.run_at, payload = excluded.payload,
        traceparent = excluded.traceparent, state = 'pending', attempts = 0,
        last_error = NULL, fired_at = NULL"""  # noqa: S608 - a table name
)
_CANCEL = text(
    f"DELETE FROM {TIMER_TABLE} WHERE kind = :kind AND key = ANY(CAST(:keys AS varchar[]))"  # noqa: S608
)
_ENSURE = text(
    f"""INSERT INTO {TIMER_TABLE} (kind, key, due_at, run_at, payload)
    VALUES (:kind, :key, :due_at, :due_at, CAST(:payload AS jsonb))
    ON CONFLICT (kind, key) DO NOTHING"""  # noqa: S608 - a table name
)
_FORGET_PAYLOAD = text(
    f"UPDATE {TIMER_TABLE} SET payload = '{{}}'::jsonb WHERE kind = :kind AND key = :key"  # noqa: S608
)
_NOTIFY = text("SELECT pg_notify(:channel, :due)")


@dataclass(frozen=True)
class Timer:
    kind: str
    key: str
    due_at: datetime
    payload: Mapping[str, Any] | None = None
    # The trace what it causes continues; None: the current one (the scheduling use case's).
    traceparent: str | None = None


async def schedule(
    session: AsyncSession,
    kind: str,
    key: str,
    due_at: datetime,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """Schedule (or move) the timer `kind`/`key` in the caller's transaction."""
    await schedule_all(session, [Timer(kind, key, due_at, payload)])


async def schedule_all(session: AsyncSession, timers: Sequence[Timer]) -> None:
    """Schedule many in one statement (a bulk use case); the same rules as `schedule`."""
    if not timers:
        return
    if any(timer.due_at.tzinfo is None for timer in timers):
        raise ValueError("a timer's due time must be timezone-aware")
    trace = current_trace.get()
    traceparent = trace.traceparent if trace else None
    await session.execute(
        _SCHEDULE,
        [
            {
                "kind": timer.kind,
                "key": timer.key,
                "due_at": timer.due_at,
                "payload": json.dumps(dict(timer.payload or {}), default=str),
                "traceparent": timer.traceparent or traceparent,
            }
            for timer in timers
        ],
    )
    # Delivered on commit: a sleeping worker looks again if the earliest of the new timers
    # (the payload, seconds since the epoch) is due before it would wake anyway; one due in
    # months, as most are, lets it sleep on.
    earliest = min(timer.due_at for timer in timers)
    await session.execute(_NOTIFY, {"channel": TIMER_NOTIFY_CHANNEL, "due": wake_payload(earliest)})


def wake_payload(due_at: datetime) -> str:
    """What a notification on TIMER_NOTIFY_CHANNEL says: when the new timer is due (an
    empty payload wakes every worker)."""
    return f"{due_at.timestamp():.3f}"


async def cancel(session: AsyncSession, kind: str, *keys: str) -> None:
    """Remove the timers `kind`/`key`, in the caller's transaction; unknown keys are fine."""
    if keys:
        await session.execute(_CANCEL, {"kind": kind, "keys": list(keys)})


async def forget_payload(session: AsyncSession, kind: str, key: str) -> None:
    """Empty the payload of the timer `kind`/`key` in the caller's transaction: a handler
    whose payload names someone empties it once done, as a fired timer is kept a while."""
    await session.execute(_FORGET_PAYLOAD, {"kind": kind, "key": key})


async def ensure_all(session: AsyncSession, timers: Sequence[Timer]) -> None:
    """Create the timers that do not exist yet; existing ones stay as they are (a
    recurring timer's next run, or its pause)."""
    if timers:
        await session.execute(
            _ENSURE,
            [
                {
                    "kind": timer.kind,
                    "key": timer.key,
                    "due_at": timer.due_at,
                    "payload": json.dumps(dict(timer.payload or {}), default=str),
                }
                for timer in timers
            ],
        )
