"""The webhook sender: posts due deliveries, each endpoint with its own bounded concurrency.

A round claims due deliveries in one short transaction, leasing each (`lease_until`) for
longer than a request may take, and at most `max_in_flight` per endpoint counting those
other replicas hold: a slow or failing endpoint fills only its own slots, never the
others'. The requests run outside any transaction, with a timeout; each outcome is
written in a short transaction of its own. A failed attempt gets its next one on a
durable timer (see `service.retry_due`), or, once the retry window has passed, the
delivery is dead and counted (`teilhabe_webhook_deliveries_dead_total`: alert on it).

A process that dies mid-request leaves the lease to expire; the delivery is then sent
again with the same `webhook-id`, which a receiver deduplicates on.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog
from cryptography.fernet import InvalidToken
from prometheus_client import Counter, Histogram
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe import clock
from teilhabe.db import asyncpg_dsn
from teilhabe.events.envelope import CONTENT_TYPE
from teilhabe.timers import schedule
from teilhabe.wakeup import Wakeup

from notifications.config import NotificationsSettings
from notifications.webhooks.policy import RetrySchedule, is_success, signature_header
from notifications.webhooks.secretbox import SecretBox
from notifications.webhooks.service import RETRY_TIMER, WEBHOOK_NOTIFY_CHANNEL

log = structlog.get_logger(__name__)

WEBHOOK_ATTEMPTS = Counter(
    "teilhabe_webhook_attempts_total",
    "Webhook requests, by outcome (delivered, retry, dead)",
    ["outcome"],
)
WEBHOOKS_DEAD = Counter(
    "teilhabe_webhook_deliveries_dead_total",
    "Webhook deliveries given up after the retry window, by agency (alert on any)",
    ["agency"],
)
WEBHOOK_LATENCY = Histogram(
    "teilhabe_webhook_delivery_seconds",
    "From a webhook delivery's staging to its receiver's 2xx",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600, 86400),
)

# Due deliveries, at most as many per endpoint as its free slots (its max_in_flight less
# the leases held anywhere), oldest first; each leased by this statement. A row another
# sender leased meanwhile fails the lease condition when re-checked, and is skipped.
_CLAIM = text(
    """
WITH busy AS (
    SELECT endpoint_id, count(*) AS n FROM webhook_delivery
    WHERE state = 'pending' AND lease_until > clock_timestamp() GROUP BY endpoint_id
), ranked AS (
    SELECT d.id, d.endpoint_id, d.due_since,
        row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.due_since, d.id) AS rank
    FROM webhook_delivery d
    WHERE d.state = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= clock_timestamp())
), chosen AS (
    SELECT r.id FROM ranked r
    JOIN webhook_endpoint e ON e.id = r.endpoint_id
    LEFT JOIN busy b ON b.endpoint_id = r.endpoint_id
    WHERE e.active AND r.rank <= e.max_in_flight - coalesce(b.n, 0)
    ORDER BY r.rank, r.due_since LIMIT :limit
)
UPDATE webhook_delivery w SET lease_until = clock_timestamp() + CAST(:lease AS interval)
FROM webhook_endpoint e
WHERE w.id IN (SELECT id FROM chosen) AND e.id = w.endpoint_id AND w.state = 'pending'
    AND (w.lease_until IS NULL OR w.lease_until <= clock_timestamp())
RETURNING w.id, w.body, w.attempts, w.created_at, e.agency, e.url, e.secret,
    e.previous_secret, e.previous_secret_expires_at
"""
)
_DELIVERED = text(
    """UPDATE webhook_delivery SET state = 'delivered', delivered_at = clock_timestamp(),
        attempts = attempts + 1, lease_until = NULL, last_status = :status, last_error = NULL
    WHERE id = :id AND state = 'pending'
    RETURNING extract(epoch FROM clock_timestamp() - created_at)"""
)
_FAILED = text(
    """UPDATE webhook_delivery SET state = :state, attempts = attempts + 1,
        lease_until = NULL, next_attempt_at = :next, last_status = :status, last_error = :error
    WHERE id = :id AND state = 'pending' RETURNING attempts"""
)
_ATTEMPT = text(
    """INSERT INTO webhook_attempt (delivery_id, attempt, at, duration_ms, status, error)
    VALUES (:id, :attempt, clock_timestamp(), :duration_ms, :status, :error)"""
)


@dataclass(frozen=True)
class _Job:
    id: uuid.UUID
    body: bytes
    attempts: int
    created_at: datetime
    agency: str
    url: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class _Outcome:
    status: int | None
    error: str | None
    duration_ms: int


class WebhookSender:
    def __init__(
        self, settings: NotificationsSettings, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._box = SecretBox(settings.webhook_key_material())
        self._schedule = RetrySchedule(
            first=timedelta(seconds=settings.webhook_retry_first_seconds),
            longest=timedelta(seconds=settings.webhook_retry_longest_seconds),
            window=timedelta(seconds=settings.webhook_retry_window_seconds),
        )
        # Longer than a request may take: a lease outlives the attempt it covers.
        self._lease = timedelta(seconds=settings.webhook_timeout_seconds * 2 + 30)
        self._wakeup = Wakeup(asyncpg_dsn(settings.database_url), WEBHOOK_NOTIFY_CHANNEL)
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        settings = self._settings
        log.info("webhook sender started")
        limits = httpx.Limits(
            max_connections=settings.webhook_process_in_flight,
            max_keepalive_connections=settings.webhook_process_in_flight,
        )
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        backoff = 0.0
        async with httpx.AsyncClient(
            timeout=timeout, limits=limits, follow_redirects=False, trust_env=False
        ) as client:
            try:
                while not stop.is_set():
                    await self._wakeup.arm()  # before claiming: a commit meanwhile wakes
                    free = settings.webhook_process_in_flight - len(self._tasks)
                    claimed = 0
                    if free > 0:
                        try:
                            claimed = self._start(client, await self._claim(free))
                            backoff = 0.0
                        except (OSError, SQLAlchemyError) as error:
                            log.warning("cannot reach the database", error=repr(error)[:300])
                            backoff = min(max(backoff * 2, 0.5), 5.0)
                    if free <= 0 or claimed < free or backoff:
                        await self._wakeup.sleep(stop, backoff or settings.webhook_poll_seconds)
            finally:
                await self._drain()
                await self._wakeup.close()

    def _start(self, client: httpx.AsyncClient, jobs: list[_Job]) -> int:
        for job in jobs:
            task = asyncio.create_task(self._deliver(client, job))
            self._tasks.add(task)
            task.add_done_callback(self._finished)
        return len(jobs)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._wakeup.wake()  # a slot is free: claim again

    async def _drain(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self._settings.webhook_timeout_seconds)
        for task in set(self._tasks):
            task.cancel()  # its lease expires; the delivery is sent again later

    async def _claim(self, limit: int) -> list[_Job]:
        async with self._sessions() as session, session.begin():
            rows = (await session.execute(_CLAIM, {"limit": limit, "lease": self._lease})).all()
        now = clock.now()
        jobs = []
        for row in rows:
            try:
                secrets = [self._box.open(row.secret)]
                if row.previous_secret is not None and (
                    row.previous_secret_expires_at is None or row.previous_secret_expires_at > now
                ):
                    secrets.append(self._box.open(row.previous_secret))
            except InvalidToken:
                # The secrets key changed: nothing can be signed for this endpoint. Its
                # deliveries wait (the lease runs out, they are taken again) for the key.
                log.error("webhook secret cannot be decrypted", agency=row.agency)
                continue
            jobs.append(
                _Job(
                    row.id,
                    row.body,
                    row.attempts,
                    row.created_at,
                    row.agency,
                    row.url,
                    tuple(secrets),
                )
            )
        return jobs

    async def _deliver(self, client: httpx.AsyncClient, job: _Job) -> None:
        bound = structlog.contextvars.bind_contextvars(
            webhook_delivery_id=str(job.id), agency=job.agency, attempt=job.attempts + 1
        )
        try:
            outcome = await self._post(client, job)
            await self._record(job, outcome)
        except Exception as error:  # noqa: BLE001 - one delivery's trouble is its own
            log.warning("webhook outcome not recorded; the lease will expire", error=repr(error))
        finally:
            structlog.contextvars.unbind_contextvars(*bound)

    async def _post(self, client: httpx.AsyncClient, job: _Job) -> _Outcome:
        webhook_id = str(job.id)
        now = clock.now()
        headers = {
            "content-type": CONTENT_TYPE,
            "user-agent": "Teilhabe-Webhooks/1",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature_header(job.secrets, webhook_id, now, job.body.decode()),
        }
        started = time.monotonic()
        try:
            response = await client.post(job.url, content=job.body, headers=headers)
        except httpx.HTTPError as error:
            return _Outcome(None, f"{type(error).__name__}: {error}"[:1000], _ms(started))
        status = response.status_code
        return _Outcome(status, None if is_success(status) else f"HTTP {status}", _ms(started))

    async def _record(self, job: _Job, outcome: _Outcome) -> None:
        attempt = job.attempts + 1
        async with self._sessions() as session, session.begin():
            if outcome.error is None:
                seconds = await session.scalar(_DELIVERED, {"id": job.id, "status": outcome.status})
                if seconds is not None:
                    WEBHOOK_LATENCY.observe(float(seconds))
                    WEBHOOK_ATTEMPTS.labels("delivered").inc()
            else:
                next_at = self._schedule.after_failure(
                    attempt,
                    job.created_at,
                    clock.now(),
                    random.random(),  # noqa: S311 - jitter
                )
                state = "dead" if next_at is None else "retrying"
                updated = await session.scalar(
                    _FAILED,
                    {
                        "id": job.id,
                        "state": state,
                        "next": next_at,
                        "status": outcome.status,
                        "error": outcome.error,
                    },
                )
                if updated is not None:
                    if next_at is None:
                        WEBHOOKS_DEAD.labels(job.agency).inc()
                        WEBHOOK_ATTEMPTS.labels("dead").inc()
                        log.error("webhook delivery dead", error=outcome.error)
                    else:
                        await schedule(session, RETRY_TIMER, str(job.id), next_at)
                        WEBHOOK_ATTEMPTS.labels("retry").inc()
                        log.info("webhook attempt failed, will retry", error=outcome.error)
            await session.execute(
                _ATTEMPT,
                {
                    "id": job.id,
                    "attempt": attempt,
                    "duration_ms": outcome.duration_ms,
                    "status": outcome.status,
                    "error": outcome.error,
                },
            )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
