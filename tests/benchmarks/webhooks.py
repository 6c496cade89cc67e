"""Webhook fan-out benchmark: 1,000 events to 20 endpoints, one slow and one failing.

The events are staged as the agency gateway stages them (each for every agency, one
transaction per 50 events, as fast as the database takes them); the webhook sender and
the timer worker run as in notifications' consumer. A receiver process of its own serves
the 20 endpoints: the healthy ones verify every signature (standardwebhooks) and note
when each event arrived; endpoint 0 answers after `--slow-seconds`, endpoint 1 always
503. Printed: the healthy endpoints' successful deliveries per second and the p50/p99
from the event's time to its arrival, beside the same run's raw HTTP client (httpx, the
same number of requests in flight, the same pre-signed bodies) posting to the same
receiver.

Run: make bench-webhooks   (options: python -m tests.benchmarks.webhooks --help)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from aiohttp import web
from notifications.config import NotificationsSettings
from notifications.main import SERVICE
from notifications.webhooks import service
from notifications.webhooks.policy import signature_header
from notifications.webhooks.secretbox import SecretBox
from notifications.webhooks.sender import WebhookSender
from notifications.webhooks.service import RETRY_TIMER, retry_due
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from teilhabe.auth import Principal, Role
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events import new_event
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe.logging import configure_logging
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure, provision
from teilhabe_dev.testing.tcp_proxy import free_port

from tests.benchmarks.backbone import percentile

ADMIN = Principal(subject="bench-admin", roles=frozenset({Role.ADMIN}))
SLOW, FAILING = 0, 1


# --- the receiver process ----------------------------------------------------------------


SECRETS_ENV = "BENCH_WEBHOOK_SECRETS"


def serve(port: int, slow_seconds: float) -> None:
    secrets: list[str] = json.loads(os.environ[SECRETS_ENV])
    hooks = [Webhook(secret) for secret in secrets]
    arrivals: list[tuple[int, str, float]] = []  # endpoint, event time, arrival (epoch)
    seen: set[str] = set()

    async def receive(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        body = await request.read()
        if n == SLOW:
            await asyncio.sleep(slow_seconds)
        if n == FAILING:
            return web.Response(status=503)
        try:
            event = hooks[n].verify(body, dict(request.headers))
        except WebhookVerificationError:
            return web.Response(status=401)
        webhook_id = request.headers["webhook-id"]
        if webhook_id not in seen:
            seen.add(webhook_id)
            arrivals.append((n, event["time"], time.time()))
        return web.Response(status=204)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(arrivals)

    async def reset(request: web.Request) -> web.Response:
        arrivals.clear()
        seen.clear()
        return web.Response(status=204)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/hooks/{n}", receive)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the run -------------------------------------------------------------------------------


def moved_in() -> Any:
    payload = HouseholdMovedIn(
        household_id=uuid.uuid4(),
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=2,
        moved_in_on=datetime(2026, 12, 1, tzinfo=UTC).date(),
    )
    return new_event(payload, source="/teilhabe/notifications")


async def healthy_arrivals(client: httpx.AsyncClient, base: str) -> list[Any]:
    rows = (await client.get(f"{base}/stats")).json()
    return [row for row in rows if row[0] not in (SLOW, FAILING)]


async def run(infra: Infrastructure, args: argparse.Namespace) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with migrated_database(infra, SERVICE) as database:
        settings = NotificationsSettings(database_url=database)
        engine = create_engine(database, pool_size=4)
        sessions = create_session_factory(engine)
        box = SecretBox(settings.webhook_key_material())
        secrets: list[str] = []
        agencies = [f"bench-{n:02d}" for n in range(args.endpoints)]
        async with sessions() as session:
            for n, agency in enumerate(agencies):
                _, secret = await service.create_endpoint(
                    session=session,
                    principal=ADMIN,
                    box=box,
                    agency=agency,
                    url=f"{base}/hooks/{n}",
                    max_in_flight=settings.webhook_max_in_flight,
                    allow_plain_http=True,  # the receiver is on this machine
                )
                secrets.append(secret)
        receiver = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.benchmarks.webhooks",
            "--serve",
            str(port),
            "--slow-seconds",
            str(args.slow_seconds),
            env={**os.environ, SECRETS_ENV: json.dumps(secrets)},
        )
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                for _ in range(200):
                    try:
                        await client.get(f"{base}/stats")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                healthy = args.endpoints - 2
                expected = args.events * healthy
                print(
                    f"webhooks: {args.events} events to {args.endpoints} endpoints "
                    f"(1 slow: {args.slow_seconds} s, 1 failing: 503), "
                    f"{settings.webhook_max_in_flight} in flight per endpoint, "
                    f"{settings.webhook_process_in_flight} per process"
                )
                sent = await _sender_run(settings, sessions, agencies, args, client, base, expected)
                await client.post(f"{base}/reset")
                raw = await _raw_run(client, base, secrets, args, healthy, settings)
                print(
                    f"  sender:     {sent['rate']:8.0f} deliveries/s to the healthy endpoints "
                    f"({sent['count']} of {expected} in {sent['seconds']:.1f} s); event -> "
                    f"delivery p50 {sent['p50'] * 1000:.0f} ms, p99 {sent['p99'] * 1000:.0f} ms; "
                    f"staging all took {sent['staged']:.1f} s"
                )
                print(
                    f"  raw httpx:  {raw['rate']:8.0f} requests/s ({raw['count']} in "
                    f"{raw['seconds']:.1f} s, the same bodies pre-signed, "
                    f"{settings.webhook_process_in_flight} in flight); ratio "
                    f"{sent['rate'] / raw['rate']:.2f}"
                )
                print(
                    f"  meanwhile:  slow endpoint {sent['slow']} delivered, failing endpoint "
                    f"{sent['failing_attempts']} attempts (retrying with backoff)"
                )
        finally:
            receiver.terminate()
            await receiver.wait()
            await engine.dispose()


async def _sender_run(
    settings: NotificationsSettings,
    sessions: Any,
    agencies: list[str],
    args: argparse.Namespace,
    client: httpx.AsyncClient,
    base: str,
    expected: int,
) -> dict[str, Any]:
    sender = WebhookSender(settings, sessions)
    timers = TimerWorker(
        TimerOptions.from_settings(settings),
        session_factory=sessions,
        handlers={RETRY_TIMER: retry_due},
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(sender.run(stop)), asyncio.create_task(timers.run(stop))]
    started = time.time()
    try:
        for offset in range(0, args.events, 50):
            async with sessions() as session, session.begin():
                for _ in range(min(50, args.events - offset)):
                    event = moved_in()
                    for agency in agencies:
                        await service.stage(session, agency, event)
        staged = time.time() - started
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            arrived = await healthy_arrivals(client, base)
            if len(arrived) >= expected:
                break
            await asyncio.sleep(0.2)
        rows = (await client.get(f"{base}/stats")).json()
        async with sessions() as session:
            failing_attempts = await session.scalar(_attempts_of(agencies[FAILING]))
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    arrived = [row for row in rows if row[0] not in (SLOW, FAILING)]
    latencies = [row[2] - datetime.fromisoformat(row[1]).timestamp() for row in arrived]
    seconds = max(row[2] for row in arrived) - started
    return {
        "count": len(arrived),
        "seconds": seconds,
        "rate": len(arrived) / seconds,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "slow": sum(1 for row in rows if row[0] == SLOW),
        "failing_attempts": failing_attempts,
        "staged": staged,
    }


def _attempts_of(agency: str) -> Any:
    from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
    from sqlalchemy import func, select

    return (
        select(func.count())
        .select_from(WebhookAttempt)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.agency == agency)
    )


async def _raw_run(
    client: httpx.AsyncClient,
    base: str,
    secrets: list[str],
    args: argparse.Namespace,
    healthy: int,
    settings: NotificationsSettings,
) -> dict[str, Any]:
    """The same number of requests to the healthy endpoints, signed beforehand."""
    requests: list[tuple[str, bytes, dict[str, str]]] = []
    for _ in range(args.events):
        body = moved_in().to_json()
        for n in range(2, 2 + healthy):
            webhook_id = str(uuid.uuid4())
            now = datetime.now(UTC)
            headers = {
                "content-type": "application/cloudevents+json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signature_header([secrets[n]], webhook_id, now, body.decode()),
            }
            requests.append((f"{base}/hooks/{n}", body, headers))
    limits = httpx.Limits(
        max_connections=settings.webhook_process_in_flight,
        max_keepalive_connections=settings.webhook_process_in_flight,
    )
    queue: asyncio.Queue[tuple[str, bytes, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    ok = 0
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as raw:

        async def worker() -> None:
            nonlocal ok
            while not queue.empty():
                url, body, headers = queue.get_nowait()
                response = await raw.post(url, content=body, headers=headers)
                ok += response.status_code == 204

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(settings.webhook_process_in_flight)))
        seconds = time.perf_counter() - started
    return {"count": ok, "seconds": seconds, "rate": ok / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.slow_seconds)
        return
    # The failing endpoint's retries would log a line each: only what goes wrong.
    configure_logging("bench-webhooks", level="WARNING", json=False)
    with provision() as infra:
        asyncio.run(run(infra, args))


if __name__ == "__main__":
    main()
