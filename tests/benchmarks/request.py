"""Request-path benchmark: intake's API and staff page beside a minimal FastAPI + asyncpg app.

Both run as uvicorn processes with the same worker count on databases with intake's
schema; the same aiohttp client (keep-alive) drives them in alternating rounds of the
same length. For each endpoint it prints requests/s, p50, p99, the server's CPU per
request and intake's ratio to the minimal app. `--profile` runs intake under cProfile
instead and prints where its CPU goes.

Run: make bench-request   (options: python -m tests.benchmarks.request --help)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import pstats
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import httpx
from intake.main import SERVICE as INTAKE
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.migrations import upgrade
from teilhabe_dev.devprovider import AUTHORIZE_PATH
from teilhabe_dev.testing.auth import RunningDevProvider, run_dev_provider
from teilhabe_dev.testing.identity import TEST_TEAM, oidc_env
from teilhabe_dev.testing.infrastructure import provision
from teilhabe_dev.testing.tcp_proxy import free_port

from tests.benchmarks.backbone import percentile
from tests.support import household_body

LOGS = Path(__file__).resolve().parents[2] / "artifacts" / "logs"
PACKAGES = re.compile(r"site-packages/([A-Za-z0-9_]+)|/(shared/src/teilhabe|services/\w+/src)/")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and its descendants (uvicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    tree = {pid}
    grown = True
    while grown:
        grown = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grown = True
    return sum(used.get(member, 0.0) for member in tree)


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    household_ids: list[str] = field(default_factory=list)
    cookies: aiohttp.CookieJar = field(default_factory=lambda: aiohttp.CookieJar(unsafe=True))

    def stop(self, signum: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )


async def wait_answering(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the server exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code < 500:
                    return
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} does not answer")


def start_intake(
    database: str, identity: RunningDevProvider, amqp_url: str, workers: int, profile: Path | None
) -> Server:
    port = free_port()
    env = {
        "DATABASE_URL": database,
        "AMQP_URL": amqp_url,
        **oidc_env(identity),
        "API_WORKERS": str(workers),
        "UI_SESSION_SECRET": secrets.token_urlsafe(32),
        "UI_TOOLS": "intake",
        "HTTP_PORT": str(port),
        "HTTP_HOST": "127.0.0.1",
    }
    if profile is None:
        command = [str(Path(sys.executable).parent / "teilhabe-intake"), "api"]
    else:
        # Only the measured rounds are profiled (SIGUSR1 starts, SIGUSR2 stops and writes),
        # not the imports and the warm-up. CPU time, not wall time: on a busy machine the
        # wall clock also counts other processes. Coroutines count a call per resumption.
        command = [sys.executable, "-c", PROFILED_INTAKE.format(path=str(profile))]
        profile.unlink(missing_ok=True)  # an older file must not pass for this run's
    process = spawn(command, env, LOGS / f"bench-request-intake-{port}.log")
    return Server("intake", f"http://127.0.0.1:{port}", process)


PROFILED_INTAKE = """
import cProfile, signal, sys, time
sys.argv = ["teilhabe-intake", "api"]
from intake.main import cli
profiler = cProfile.Profile(time.process_time)
def stop(*_):
    profiler.disable()
    profiler.dump_stats({path!r})
signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())
signal.signal(signal.SIGUSR2, stop)
cli()
"""


def start_minimal(database: str, workers: int) -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "tests.benchmarks.minimal_app:create_app",
        "--factory",
        "--workers",
        str(workers),
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = spawn(
        command, {"MINIMAL_DSN": asyncpg_dsn(database)}, LOGS / f"bench-request-minimal-{port}.log"
    )
    return Server("minimal", f"http://127.0.0.1:{port}", process)


async def sign_in(server: Server, identity: RunningDevProvider) -> None:
    """Through the staff tool's real sign-in: the provider's form, the code flow, the cookie."""
    async with aiohttp.ClientSession(cookie_jar=server.cookies) as browser:
        async with browser.get(f"{server.url}/ui/") as form:
            form.raise_for_status()
            query = parse_qs(urlsplit(str(form.url)).query)
            params = {key: values[0] for key, values in query.items()}
        fields = {
            **params,
            "subject": "bench-caseworker",
            "roles": "caseworker",
            "teams": TEST_TEAM,  # the team the API's households are registered for
            "action": "x",
        }
        base = identity.issuer.split("/realms/")[0]
        async with browser.post(f"{base}{AUTHORIZE_PATH}", data=fields) as signed_in:
            signed_in.raise_for_status()
            if "/ui/" not in str(signed_in.url):
                raise RuntimeError(f"sign-in ended at {signed_in.url}")


Request = Callable[[aiohttp.ClientSession, Server, int], Awaitable[None]]


async def register(client: aiohttp.ClientSession, server: Server, index: int) -> None:
    number = f"{server.name}-{os.getpid()}-{index}-{secrets.token_hex(3)}"
    async with client.post(f"{server.url}/households", json=household_body(number)) as answer:
        if answer.status != 201:
            raise RuntimeError(f"{server.name}: {answer.status} {await answer.text()}")
        server.household_ids.append((await answer.json())["id"])


async def read_one(client: aiohttp.ClientSession, server: Server, index: int) -> None:
    if not server.household_ids:  # run alone (--only): the warm-up registers some first
        await register(client, server, index)
    household_id = random.choice(server.household_ids)
    async with client.get(f"{server.url}/households/{household_id}") as answer:
        answer.raise_for_status()
        await answer.read()


async def read_list(client: aiohttp.ClientSession, server: Server, _: int) -> None:
    async with client.get(
        f"{server.url}/households", params={"housing_status": "awaiting", "limit": "25"}
    ) as answer:
        answer.raise_for_status()
        await answer.read()


async def staff_page(client: aiohttp.ClientSession, server: Server, _: int) -> None:
    async with client.get(
        f"{server.url}/ui/", params={"status": "awaiting"}, allow_redirects=False
    ) as answer:
        if answer.status != 200:
            raise RuntimeError(f"{server.name} page: {answer.status}")
        await answer.read()


ENDPOINTS: dict[str, Request] = {
    "POST /households (register)": register,
    "GET /households/{id}": read_one,
    "GET /households?housing_status (25)": read_list,
    "GET /ui/ (staff page, list of 25)": staff_page,
}


def selected(args: argparse.Namespace) -> list[tuple[str, Request]]:
    return [(name, request) for name, request in ENDPOINTS.items() if args.only in name]


@dataclass
class Round:
    requests: int
    seconds: float
    latencies_ms: list[float]
    cpu_seconds: float


@contextlib.asynccontextmanager
async def client_for(server: Server, concurrency: int, page: bool) -> AsyncIterator[Any]:
    async with aiohttp.ClientSession(
        headers=server.headers if not page else {},
        cookie_jar=server.cookies if page else aiohttp.DummyCookieJar(),
        connector=aiohttp.TCPConnector(limit=concurrency),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as client:
        yield client


async def one_round(
    server: Server,
    request: Request,
    *,
    seconds: float,
    concurrency: int,
    page: bool,
    profiling: bool = False,
) -> Round:
    latencies: list[float] = []
    counter = itertools.count()
    async with client_for(server, concurrency, page) as client:
        await asyncio.gather(*(request(client, server, next(counter)) for _ in range(concurrency)))
        if profiling:
            server.process.send_signal(signal.SIGUSR1)
        cpu_before = process_tree_cpu(server.process.pid)
        begin = time.perf_counter()
        end = begin + seconds

        async def loop() -> None:
            while time.perf_counter() < end:
                started = time.perf_counter()
                await request(client, server, next(counter))
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
        cpu = process_tree_cpu(server.process.pid) - cpu_before
        if profiling:
            server.process.send_signal(signal.SIGUSR2)
    return Round(len(latencies), elapsed, latencies, cpu)


def summary(rounds: list[Round]) -> tuple[float, float, float, float]:
    requests = sum(r.requests for r in rounds)
    latencies = [ms for r in rounds for ms in r.latencies_ms]
    return (
        requests / sum(r.seconds for r in rounds),
        percentile(latencies, 50),
        percentile(latencies, 99),
        sum(r.cpu_seconds for r in rounds) / requests * 1000,
    )


async def compare(
    servers: list[Server], identity: RunningDevProvider, args: argparse.Namespace
) -> None:
    print(
        f"\n{args.concurrency} connections, {args.rounds} alternating rounds of "
        f"{args.seconds:.0f} s per server and endpoint, {args.workers} worker(s) each"
    )
    print(f"  {'':38}{'':10}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}")
    for name, request in selected(args):
        if name.startswith("GET /ui/"):
            # Signed in just before: the page's session ends with its access token.
            await sign_in(next(s for s in servers if s.name == "intake"), identity)
        rounds: dict[str, list[Round]] = {server.name: [] for server in servers}
        for _ in range(args.rounds):
            for server in servers:
                rounds[server.name].append(
                    await one_round(
                        server,
                        request,
                        seconds=args.seconds,
                        concurrency=args.concurrency,
                        page=name.startswith("GET /ui/"),
                    )
                )
        figures = {server: summary(server_rounds) for server, server_rounds in rounds.items()}
        for server_name, (rate, p50, p99, cpu) in figures.items():
            print(f"  {name:38}{server_name:10}{rate:8.0f}{p50:9.1f}{p99:9.1f}{cpu:12.2f}")
            name = ""
        ratio = figures["intake"][0] / figures["minimal"][0]
        cpu_ratio = figures["intake"][3] / figures["minimal"][3]
        print(f"  {'':38}{'ratio':10}{ratio:8.0%}{'':18}{cpu_ratio:11.1f}×")


def print_profile(path: Path, top: int) -> None:
    stats = pstats.Stats(str(path))
    by_package: dict[str, float] = {}
    total = 0.0
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        match = PACKAGES.search(filename)
        package = (match.group(1) or match.group(2)) if match else "python (stdlib, builtins)"
        by_package[package] = by_package.get(package, 0.0) + own
        total += own
    print(f"\nintake's CPU by package (own time, {total:.1f} s profiled)")
    for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:15]:
        print(f"  {seconds / total:6.1%}  {package}")
    print(f"\ntop {top} functions by own time")
    stats.sort_stats("tottime").print_stats(top)


async def run(args: argparse.Namespace) -> None:
    with provision() as infra, run_dev_provider() as identity:
        databases = []
        try:
            for name in ("bench_intake", "bench_minimal"):
                url = await infra.create_database(infra.unique_name(name))
                await upgrade(INTAKE.migrations_dir, url)
                databases.append(url)
            profile = Path(args.profile) if args.profile else None
            intake = start_intake(databases[0], identity, infra.amqp_url, args.workers, profile)
            servers = [intake]
            try:
                # A run on a busy machine outlasts the five minutes of a test token.
                token = identity.mint(
                    subject="bench-caseworker",
                    roles=[Role.CASEWORKER],
                    teams=[TEST_TEAM],
                    expires_in=3600,
                )
                intake.headers = {"Authorization": f"Bearer {token}"}
                await wait_answering(f"{intake.url}/health/ready", intake.process)
                if profile is None:
                    minimal = start_minimal(databases[1], args.workers)
                    servers.insert(0, minimal)
                    await wait_answering(f"{minimal.url}/ui/", minimal.process)
                    await compare(servers, identity, args)
                else:
                    for name, request in selected(args):
                        if name.startswith("GET /ui/"):
                            await sign_in(intake, identity)
                        profiled = await one_round(
                            intake,
                            request,
                            seconds=args.seconds,
                            concurrency=args.concurrency,
                            page=name.startswith("GET /ui/"),
                            profiling=True,
                        )
                        rate, p50, p99, cpu = summary([profiled])
                        print(
                            f"  {name} under cProfile: {rate:.0f} req/s, p50 {p50:.1f} ms, "
                            f"p99 {p99:.1f} ms, {cpu:.2f} CPU ms/req"
                        )
            finally:
                for server in servers:
                    server.stop(signal.SIGINT)
            if profile is not None:
                print_profile(profile, args.top)
        finally:
            for url in databases:
                await infra.drop_database(url.rsplit("/", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5, help="per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating, per server")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each")
    parser.add_argument("--profile", help="run intake under cProfile, writing this file")
    parser.add_argument("--only", default="", help="only endpoints whose name contains this")
    parser.add_argument("--top", type=int, default=25, help="functions shown of the profile")
    args = parser.parse_args()
    if args.profile:
        args.profile = str(Path(args.profile).resolve())  # the server runs elsewhere
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
