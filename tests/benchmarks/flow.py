"""End-to-end benchmark: allocations through intake's API to every downstream effect.

All five services run as processes on the same broker and database. Prints, from one run:
- latency from the API call to the notification stored (p50, p95, p99) at a steady rate,
- a burst of N allocations: API rate, and time until every downstream effect (housing's
  waiting queue, courses' people, volunteers' households, the notification) is stored,
- beside it, raw aio-pika confirmed publish and consume of N messages on the same broker.

Run: make bench-flow   (options: python -m tests.benchmarks.flow --help)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from pathlib import Path

import aio_pika
import aiohttp
import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.auth.testing import run_dev_provider
from teilhabe.db import asyncpg_dsn
from teilhabe.testing.infrastructure import provision

from tests.benchmarks.backbone import percentile
from tests.support import System, household_body, provisioned_system

ALL = ["intake", "housing", "courses", "volunteers", "notifications"]
OFFICER = "bench-officer"
LOGS = Path(__file__).resolve().parents[2] / "artifacts" / "logs"


API_SECONDS: list[float] = []


def cpu_seconds(system: System) -> dict[str, float]:
    """CPU time (user + system) so far of every process of the system, of PostgreSQL's
    backends, of the broker and of this load generator, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def of(pid: int | str) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    used = {f"{p.service} {p.command}": of(p.pid) for p in system.processes if p.pid}
    used["this load generator"] = of(os.getpid())
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
            name = {b"postgres": "PostgreSQL (all backends)"}.get(command.split(b":")[0])
            if b"beam.smp" in command:
                name = "RabbitMQ"
            if name:
                used[name] = used.get(name, 0.0) + of(pid)
        except (OSError, IndexError):
            continue  # a backend that ended meanwhile
    return used


def print_cpu_per_allocation(before: dict[str, float], after: dict[str, float], count: int) -> None:
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    print(
        f"  CPU per allocation, steady phase (ms; {sum(spent.values()) / count * 1000:.1f} in all)"
    )
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        if seconds / count >= 0.0001:
            print(f"    {name:<28} {seconds / count * 1000:6.2f}")


async def allocate(
    client: aiohttp.ClientSession, number: str, members: int = 2
) -> tuple[str, float]:
    started = time.time()
    async with client.post("/households", json=household_body(number, members=members)) as response:
        response.raise_for_status()
        created = await response.json()
    API_SECONDS.append(time.time() - started)
    return created["id"], started


DOWNSTREAM = {
    "housing waiting queue": ("housing", "SELECT count(*) FROM waiting_household"),
    "courses people": ("courses", "SELECT count(DISTINCT household_id) FROM person"),
    "volunteers households": ("volunteers", "SELECT count(*) FROM household"),
    "notifications stored": (
        "notifications",
        "SELECT count(*) FROM delivery WHERE event_type = 'household.assigned'",
    ),
}
# One connection per service for the whole run: a new one per poll would make PostgreSQL
# start a backend twenty times a second, CPU the services under test would miss.
_WATCHERS: dict[str, asyncpg.Connection] = {}


async def downstream_counts(system: System) -> dict[str, int]:
    counts = {}
    for name, (service, sql) in DOWNSTREAM.items():
        if service not in _WATCHERS:
            _WATCHERS[service] = await asyncpg.connect(asyncpg_dsn(system.databases[service]))
        counts[name] = int(await _WATCHERS[service].fetchval(sql))
    return counts


async def close_watchers() -> None:
    for connection in _WATCHERS.values():
        await connection.close()
    _WATCHERS.clear()


STAGE_DONE: dict[str, float] = {}
BURST_BEGAN: list[float] = []


async def wait_for_effects(system: System, expected: int, timeout: float) -> float:
    """Wait until every downstream count reaches `expected`; notes when each got there."""
    STAGE_DONE.clear()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = await downstream_counts(system)
        for name, count in counts.items():
            if count >= expected:
                STAGE_DONE.setdefault(name, time.time())
        if len(STAGE_DONE) == len(counts):
            return time.time()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"downstream effects incomplete: {await downstream_counts(system)}")


async def steady(
    system: System,
    client: aiohttp.ClientSession,
    rate: float,
    seconds: float,
    *,
    prefix: str = "STEADY",
    already: int = 0,
) -> list[float]:
    count = int(rate * seconds)
    started: dict[str, float] = {}
    begin = time.perf_counter()
    pending = []
    for index in range(count):
        await asyncio.sleep(max(0.0, begin + index / rate - time.perf_counter()))
        pending.append(asyncio.create_task(allocate(client, f"{prefix}-{index}")))
    for household_id, at in await asyncio.gather(*pending):
        started[household_id] = at
    await wait_for_effects(system, already + count, timeout=120)
    rows = await system.query_all(
        "notifications",
        "SELECT household_id::text AS household_id, extract(epoch FROM created_at) AS at "
        "FROM delivery WHERE event_type = 'household.assigned'",
    )
    return [
        (float(row["at"]) - started[row["household_id"]]) * 1000
        for row in rows
        if row["household_id"] in started
    ]


async def burst(
    system: System, client: aiohttp.ClientSession, count: int, list_size: int, already: int
) -> tuple[float, float]:
    """Allocation lists as the state authority sends them, through the import endpoint."""

    async def one_list(start: int) -> None:
        allocations = [
            household_body(f"BURST-{index}")
            for index in range(start, min(start + list_size, count))
        ]
        async with client.post("/households/import", json={"allocations": allocations}) as response:
            response.raise_for_status()

    begin = time.time()
    BURST_BEGAN.append(begin)
    gate = asyncio.Semaphore(2)

    async def gated(start: int) -> None:
        async with gate:
            await one_list(start)

    await asyncio.gather(*(gated(start) for start in range(0, count, list_size)))
    api_done = time.time()
    finished = await wait_for_effects(system, already + count, timeout=600)
    return api_done - begin, finished - begin


async def raw_round_trip(amqp_url: str, count: int, body: bytes) -> float:
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(
        "bench.raw", durable=True, arguments={"x-queue-type": "quorum"}
    )
    received = 0
    done = asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal received
        await message.ack()
        received += 1
        if received == count:
            done.set()

    consumer_channel = await connection.channel()
    await consumer_channel.set_qos(prefetch_count=100)
    consume_queue = await consumer_channel.get_queue("bench.raw")
    await consume_queue.consume(on_message)
    begin = time.perf_counter()
    for start in range(0, count, 100):
        await asyncio.gather(
            *(
                channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name,
                )
                for _ in range(min(100, count - start))
            )
        )
    await done.wait()
    elapsed = time.perf_counter() - begin
    await connection.close()
    return elapsed


async def run(args: argparse.Namespace) -> None:
    with provision() as infra, run_dev_provider() as identity:
        async with provisioned_system(infra, identity, LOGS, ALL) as system:
            system.extra_env |= {
                "API_WORKERS": str(args.api_workers),
                # Several API processes share sign-in sessions only through one secret.
                "UI_SESSION_SECRET": secrets.token_urlsafe(32),
            }
            begin = time.monotonic()
            system.start_all(ALL)
            print(f"15 processes ready in {time.monotonic() - begin:.1f} s")
            notifications = next(
                p for p in system.processes if p.service == "notifications" and p.command == "api"
            )
            intake = next(
                p for p in system.processes if p.service == "intake" and p.command == "api"
            )
            async with httpx.AsyncClient(
                base_url=notifications.url, headers=system.headers(Role.HOUSING_OFFICER, OFFICER)
            ) as officer:
                (
                    await officer.put("/me", json={"name": "Bench Officer", "language": "de"})
                ).raise_for_status()
            # aiohttp, not httpx, as the load generator: it costs a quarter of the CPU per
            # request, which the services under test would otherwise miss on this machine.
            headers = system.headers(Role.CASEWORKER, "bench-caseworker")
            async with aiohttp.ClientSession(
                base_url=intake.url,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=120),
                connector=aiohttp.TCPConnector(limit=args.concurrency),
            ) as client:
                # Warm up first: every process's first statements compile and prepare.
                warmed = len(await steady(system, client, args.rate, 2, prefix="WARMUP"))
                API_SECONDS.clear()
                cpu_before = cpu_seconds(system)
                latencies = await steady(system, client, args.rate, args.seconds, already=warmed)
                cpu_after = cpu_seconds(system)
                print(
                    f"\nsteady {args.rate:.0f} allocations/s for {args.seconds:.0f} s "
                    f"({len(latencies)} allocations, one POST each)"
                )
                print(
                    "  API call → notification stored (ms): "
                    f"p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
                    f"p99 {percentile(latencies, 99):.1f}"
                )
                api_ms = [seconds * 1000 for seconds in API_SECONDS]
                print(
                    "  of that, the API call itself (ms):    "
                    f"p50 {percentile(api_ms, 50):.1f}  p95 {percentile(api_ms, 95):.1f}  "
                    f"p99 {percentile(api_ms, 99):.1f}"
                )
                print_cpu_per_allocation(cpu_before, cpu_after, len(latencies))
                api_seconds, total_seconds = await burst(
                    system, client, args.burst, args.list_size, warmed + len(latencies)
                )
            print(
                f"\nburst of {args.burst} allocations as lists of {args.list_size} "
                "(POST /households/import)"
            )
            print(f"  API accepted all in {api_seconds:.1f} s ({args.burst / api_seconds:,.0f}/s)")
            print(
                f"  every downstream effect and notification stored after {total_seconds:.1f} s "
                f"({args.burst / total_seconds:,.0f} allocations/s end to end)"
            )
            burst_began = BURST_BEGAN[-1]
            for stage, at in sorted(STAGE_DONE.items(), key=lambda item: item[1]):
                print(f"    {stage:<24} complete after {at - burst_began:5.1f} s")
            body = await system.query("intake", "SELECT body FROM outbox_message LIMIT 1")
            await close_watchers()
            raw = await raw_round_trip(system.amqp_url, args.burst, bytes(body))
            print(
                f"\nraw aio-pika, {args.burst} confirmed publishes and consumes: {raw:.1f} s "
                f"({args.burst / raw:,.0f}/s)"
            )
            print(
                f"  ratio system / raw: {total_seconds / raw:.1f}× the time "
                "(the system does 4 consumers' effects, 5 transactions and an HTTP call each)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32, help="for the steady phase")
    parser.add_argument("--list-size", type=int, default=500)
    parser.add_argument("--api-workers", type=int, default=1, help="API processes per service")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
