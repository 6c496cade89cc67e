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
from typing import Any

import aio_pika
import aiohttp
import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import run_dev_provider
from teilhabe_dev.testing.identity import TEST_TEAM
from teilhabe_dev.testing.infrastructure import provision

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


MEMORY_GOAL_MB = 150


def resident_mb(system: System) -> dict[str, float]:
    """Resident memory of every process of the system (an API with its workers)."""
    parents: dict[int, int] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(stat[1])

    def rss(pid: int) -> float:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0.0
        line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "VmRSS: 0 kB")
        return int(line.split()[1]) / 1024

    used = {}
    for process in system.processes:
        if process.pid:
            children = [child for child, parent in parents.items() if parent == process.pid]
            used[f"{process.service} {process.command}"] = rss(process.pid) + sum(
                rss(child) for child in children
            )
    return used


def print_memory(idle: dict[str, float], busy: dict[str, float]) -> None:
    print(f"\nresident memory per process (MB; goal: at most {MEMORY_GOAL_MB} idle)")
    print(f"  {'':28}{'idle':>8}{'after burst':>13}")
    for name in sorted(idle):
        flag = "  over the goal" if idle[name] > MEMORY_GOAL_MB else ""
        print(f"  {name:<28}{idle[name]:8.0f}{busy.get(name, 0.0):13.0f}{flag}")


def print_cpu_per_allocation(before: dict[str, float], after: dict[str, float], count: int) -> None:
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    print(
        f"  CPU per allocation, steady phase (ms; {sum(spent.values()) / count * 1000:.1f} in all)"
    )
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        if seconds / count >= 0.0001:
            print(f"    {name:<28} {seconds / count * 1000:6.2f}")


RETRIES: list[str] = []


ATTEMPTS = 5


async def post_once(
    client: aiohttp.ClientSession, path: str, body: dict[str, Any]
) -> dict[str, Any] | None:
    """POST a registration, retried only where that is safe.

    Retried: a lost connection (the request may or may not have been stored: a
    registration is idempotent by its notice number, and a retry answered 409
    duplicate-allocation means the first attempt was stored), and a 503 with Retry-After
    (nothing was changed; retried after the pause the server asks for). Returns the
    answer, or None for such a duplicate.
    """
    for attempt in range(ATTEMPTS):
        last = attempt == ATTEMPTS - 1
        try:
            async with client.post(path, json=body) as response:
                if attempt and response.status == 409:
                    problem = await response.json()
                    if problem.get("type") == "urn:teilhabe:problem:duplicate-allocation":
                        return None
                retry_after = response.headers.get("Retry-After")
                if response.status == 503 and retry_after and not last:
                    RETRIES.append(f"{path}: 503, Retry-After {retry_after}")
                    await asyncio.sleep(min(float(retry_after), 10.0))
                    continue
                response.raise_for_status()
                answer: dict[str, Any] = await response.json()
                return answer
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
            RETRIES.append(f"{path}: {error!r}")
            if last:
                raise
    raise AssertionError("unreachable")


async def allocate(
    system: System, client: aiohttp.ClientSession, number: str, members: int = 2
) -> tuple[str, float]:
    started = time.time()
    created = await post_once(client, "/households", household_body(number, members=members))
    if created is None:  # stored by an attempt whose answer was lost
        household_id = str(
            await system.query(
                "intake", "SELECT id FROM household WHERE allocation_notice_number = $1", number
            )
        )
    else:
        household_id = created["id"]
    API_SECONDS.append(time.time() - started)
    return household_id, started


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
        pending.append(asyncio.create_task(allocate(system, client, f"{prefix}-{index}")))
    for household_id, at in await asyncio.gather(*pending):
        started[household_id] = at
    await wait_for_effects(system, already + count, timeout=600)  # a busy machine lags
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


P99_GOAL_MS = 50.0


async def sweep(
    system: System,
    client: aiohttp.ClientSession,
    rate: float,
    p99: float,
    seconds: float,
    already: int,
) -> int:
    """Steady phases at other rates until the p99 crosses the goal; prints where it does."""
    factors = (1.5, 2, 2.5, 3, 4) if p99 < P99_GOAL_MS else (0.75, 0.5, 0.25)
    print(
        f"\nwhere the p99 API call → notification crosses {P99_GOAL_MS:.0f} ms "
        f"({seconds:.0f} s each)"
    )
    print(f"  {rate:6.0f}/s  p99 {p99:6.1f} ms")
    previous = rate
    for step, factor in enumerate(factors):
        next_rate = rate * factor
        latencies = await steady(
            system, client, next_rate, seconds, prefix=f"SWEEP{step}", already=already
        )
        already += len(latencies)
        next_p99 = percentile(latencies, 99)
        print(f"  {next_rate:6.0f}/s  p99 {next_p99:6.1f} ms")
        if (next_p99 >= P99_GOAL_MS) != (p99 >= P99_GOAL_MS):
            low, high = sorted((previous, next_rate))
            print(
                f"  → the p99 crosses {P99_GOAL_MS:.0f} ms between {low:.0f} and {high:.0f} "
                "allocations/s"
            )
            return already
        previous = next_rate
    print(
        f"  → no crossing between {rate * min(factors):.0f} and {rate * max(factors):.0f} "
        "allocations/s"
    )
    return already


async def burst(
    system: System, client: aiohttp.ClientSession, count: int, list_size: int, already: int
) -> tuple[float, float]:
    """Allocation lists as the state authority sends them, through the import endpoint."""

    async def one_list(start: int) -> None:
        allocations = [
            household_body(f"BURST-{index}")
            for index in range(start, min(start + list_size, count))
        ]
        await post_once(client, "/households/import", {"allocations": allocations})

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
            # Fifteen processes importing at once on a shared machine may take minutes.
            system.start_all(ALL, ready_timeout=300)
            print(f"15 processes ready in {time.monotonic() - begin:.1f} s")
            memory_idle = resident_mb(system)
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
            # A run on a busy machine outlasts the five minutes of a test token.
            token = system.identity.mint(
                subject="bench-caseworker",
                roles=[Role.CASEWORKER],
                teams=[TEST_TEAM],
                expires_in=3600,
            )
            headers = {"Authorization": f"Bearer {token}"}
            async with aiohttp.ClientSession(
                base_url=intake.url,
                headers=headers,
                # Bounded, but long enough for a machine shared with other work.
                timeout=aiohttp.ClientTimeout(total=600),
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
                stored = warmed + len(latencies)
                if args.sweep_seconds > 0:
                    stored = await sweep(
                        system,
                        client,
                        args.rate,
                        percentile(latencies, 99),
                        args.sweep_seconds,
                        stored,
                    )
                api_seconds, total_seconds = await burst(
                    system, client, args.burst, args.list_size, stored
                )
                memory_after = resident_mb(system)
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
            print_memory(memory_idle, memory_after)
            if RETRIES:
                print(f"\n{len(RETRIES)} calls retried: {RETRIES[:3]}")
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
    parser.add_argument(
        "--sweep-seconds",
        type=float,
        default=5,
        help="per step of the search for the rate where the p99 crosses 50 ms (0: none)",
    )
    parser.add_argument("--api-workers", type=int, default=1, help="API processes per service")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
