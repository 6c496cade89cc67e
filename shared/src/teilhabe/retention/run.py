"""The retention run: one durable timer per rule, removing what expired in slices.

Each rule has its timer (kind `retention`, key = the table). Its handler removes one
slice of expired rows in the timer worker's transaction and schedules the timer again:
at once while a full slice was found, else after the interval. So a run is safe with
several workers (the timer is claimed by one), killed mid-run it loses only its open
slice (rolled back, taken again), and no transaction grows large.

An administrator pauses a service's retention (`teilhabe-<service> retention pause`):
its timers are set aside (state `paused`) and no worker claims them until `resume`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe import clock
from teilhabe.metrics import RETENTION_LAST_RUN, RETENTION_REMOVED
from teilhabe.retention.rules import Retention, Rule
from teilhabe.timers import TIMER_TABLE, Again, DueTimer, Timer, TimerHandlers

log = structlog.get_logger(__name__)

RETENTION_TIMER = "retention"
SLICE = 500
DEFAULT_INTERVAL = timedelta(hours=6)


def _expired(rule: Rule) -> str:
    condition = f"({rule.where}) AND ({rule.clock}) IS NOT NULL"
    condition += f" AND CAST(({rule.clock}) AS timestamptz) < CAST(:cutoff AS timestamptz)"
    if rule.anonymise:
        # Rows already anonymised are not found again.
        done = " AND ".join(
            f"{column} IS NOT DISTINCT FROM {value}" for column, value in rule.anonymise.items()
        )
        condition += f" AND NOT ({done})"
    return condition


def statement(rule: Rule) -> str:
    """Remove up to :limit expired rows; rows someone holds are left for the next slice."""
    chosen = (
        f"ctid = ANY(ARRAY(SELECT ctid FROM {rule.table} WHERE {_expired(rule)} "  # noqa: S608
        "LIMIT :limit FOR UPDATE SKIP LOCKED))"
    )
    if rule.anonymise:
        changes = ", ".join(f"{column} = {value}" for column, value in rule.anonymise.items())
        return f"UPDATE {rule.table} SET {changes} WHERE {chosen}"  # noqa: S608
    return f"DELETE FROM {rule.table} WHERE {chosen}"  # noqa: S608


class ArchiveNotConfigured(RuntimeError):
    """Records must be offered to the archive first, and no directory is configured."""


async def remove_slice(
    session: AsyncSession,
    rule: Rule,
    *,
    now: datetime,
    limit: int = SLICE,
    archive_dir: Path | None = None,
) -> int:
    # A clock that is a date starts at midnight in Berlin, not in the server's zone: a
    # guest's "day after the offer ended" must not begin an hour late (or early).
    await session.execute(text(f"SET LOCAL TIME ZONE '{clock.BERLIN.key}'"))
    if rule.archive is not None:
        return await _archive_and_delete(session, rule, now, limit, archive_dir)
    result = await session.execute(
        text(statement(rule)), {"cutoff": now - rule.keep, "limit": limit}
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _archive_and_delete(
    session: AsyncSession, rule: Rule, now: datetime, limit: int, archive_dir: Path | None
) -> int:
    """Offer the slice to the archive, then delete it, in one transaction: a run killed
    in between deletes nothing and offers the same records again (the offer is replaced)."""
    assert rule.archive is not None
    keys = list(
        (
            await session.execute(
                text(
                    f"SELECT {rule.key} FROM {rule.table} WHERE {_expired(rule)} "  # noqa: S608
                    "LIMIT :limit FOR UPDATE SKIP LOCKED"
                ),
                {"cutoff": now - rule.keep, "limit": limit},
            )
        ).scalars()
    )
    if not keys:
        return 0
    if archive_dir is None:
        raise ArchiveNotConfigured(
            f"{rule.table}: records must be offered to the archive before deletion; "
            "set ARCHIVE_OFFER_DIR"
        )
    await rule.archive(session, keys, archive_dir)
    result = await session.execute(
        text(f"DELETE FROM {rule.table} WHERE {rule.key} = ANY(:keys)"),  # noqa: S608
        {"keys": keys},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def retention_timers(
    service: str,
    retention: Retention,
    *,
    interval: timedelta = DEFAULT_INTERVAL,
    slice_size: int = SLICE,
    archive_dir: Path | None = None,
) -> TimerHandlers:
    """The timer handler of a service's retention rules (one kind, keyed by table)."""

    async def run_slice(session: AsyncSession, timer: DueTimer) -> Again | None:
        try:
            rule = retention.rule(timer.key)
        except KeyError:
            log.warning("retention timer without a rule (removed?)", table=timer.key)
            return None  # fired, never again
        now = clock.now()
        removed = await remove_slice(
            session, rule, now=now, limit=slice_size, archive_dir=archive_dir
        )
        # A full slice: more may have expired, go on at once (a fresh transaction).
        more = removed == slice_size
        payload = {"last_run_at": now.isoformat(), "last_removed": removed}
        RETENTION_LAST_RUN.labels(service, rule.table).set(now.timestamp())
        RETENTION_REMOVED.labels(service, rule.table, rule.action).inc(removed)
        # What kind and how many, never which.
        log.info("retention slice", table=rule.table, action=rule.action, count=removed, more=more)
        return Again(now if more else now + interval, payload)

    return {RETENTION_TIMER: run_slice} if retention.rules else {}


def seeds(retention: Retention) -> list[Timer]:
    """A timer per rule, due now; kept as it is where one exists (paused stays paused)."""
    now = clock.now()
    return [Timer(RETENTION_TIMER, rule.table, now) for rule in retention.rules]


_PAUSE = text(
    f"UPDATE {TIMER_TABLE} SET state = 'paused' "  # noqa: S608 - a table name
    "WHERE kind = :kind AND state IN ('pending', 'dead')"
)
_RESUME = text(
    f"UPDATE {TIMER_TABLE} SET state = 'pending', attempts = 0, "  # noqa: S608
    "run_at = least(run_at, clock_timestamp()) WHERE kind = :kind AND state IN ('paused', 'dead')"
)
_STATUS = text(
    f"SELECT key, state, run_at, payload FROM {TIMER_TABLE} "  # noqa: S608
    "WHERE kind = :kind ORDER BY key"
)


async def pause(session: AsyncSession) -> int:
    """Set the retention timers aside; a slice running now finishes first (row lock)."""
    result = await session.execute(_PAUSE, {"kind": RETENTION_TIMER})
    return int(getattr(result, "rowcount", 0) or 0)


async def resume(session: AsyncSession) -> int:
    result = await session.execute(_RESUME, {"kind": RETENTION_TIMER})
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class RuleStatus:
    table: str
    state: str
    next_run_at: datetime
    last_run_at: str | None
    last_removed: int | None


async def status(session: AsyncSession) -> Sequence[RuleStatus]:
    rows = await session.execute(_STATUS, {"kind": RETENTION_TIMER})
    return [
        RuleStatus(
            row.key,
            row.state,
            row.run_at,
            row.payload.get("last_run_at"),
            row.payload.get("last_removed"),
        )
        for row in rows
    ]
