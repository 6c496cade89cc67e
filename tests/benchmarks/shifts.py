"""Shift sign-up benchmark: 200 volunteers signing up for 50 shifts of 3 slots at once.

Every volunteer tries `--tries` shifts chosen at random, all volunteers at once, through
volunteers' own use case (`volunteers.shifts.sign_up`: the volunteer's scope, the
clearance rule, the shift's row lock, the slot count, the audit entry), as many in flight
as the connection pool holds. Most tries find their shift full: that is the contention
the row lock exists for. Printed: tries per second, sign-ups taken, p50/p99 per try, and
whether any shift holds more than its slots, beside the same run's bare PostgreSQL row
lock (asyncpg: lock the shift's row, count, insert, commit) with the same tries in the
same order, the same number in flight, on the same database server.

Run: make bench-shifts   (options: python -m tests.benchmarks.shifts --help)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg
from sqlalchemy import func, select
from teilhabe import clock
from teilhabe.api.problems import ProblemError
from teilhabe.auth import Principal, Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.logging import configure_logging
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure, provision
from volunteers import shifts
from volunteers.config import get_settings
from volunteers.main import SERVICE
from volunteers.models import Facility, Shift, ShiftSignup, Volunteer

from tests.benchmarks.backbone import percentile

COORDINATOR = Principal(subject="bench-coordinator", roles=frozenset({Role.VOLUNTEER_COORDINATOR}))

BARE_SCHEMA = """
CREATE TABLE bench_shift (id int PRIMARY KEY, slots int NOT NULL);
CREATE TABLE bench_signup (
    shift_id int NOT NULL REFERENCES bench_shift(id),
    volunteer_id int NOT NULL,
    PRIMARY KEY (shift_id, volunteer_id)
);
"""


async def timed(
    tries: list[tuple[int, int]], in_flight: int, attempt: Callable[[int, int], Awaitable[bool]]
) -> tuple[float, list[float], int]:
    """Run every (volunteer, shift) try with `in_flight` at once: seconds, latencies, taken."""
    queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    for item in tries:
        queue.put_nowait(item)
    latencies: list[float] = []
    taken = 0

    async def worker() -> None:
        nonlocal taken
        while not queue.empty():
            volunteer, shift = queue.get_nowait()
            started = time.perf_counter()
            got = await attempt(volunteer, shift)  # counted after the await, not across it
            latencies.append(time.perf_counter() - started)
            taken += got

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - started, latencies, taken


async def run(infra: Infrastructure, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    tries = [
        (volunteer, shift)
        for volunteer in range(args.volunteers)
        for shift in rng.sample(range(args.shifts), args.tries)
    ]
    rng.shuffle(tries)
    async with migrated_database(infra, SERVICE) as database:
        engine = create_engine(database, pool_size=args.in_flight)
        sessions = create_session_factory(engine)
        rules = get_settings().clearance_rules()
        async with sessions() as session:
            facility = Facility(id=uuid.uuid4(), name="Notunterkunft Bench", kind="shelter")
            session.add(facility)
            volunteers = [
                Volunteer(
                    id=uuid.uuid4(),
                    display_name=f"Bench {n}",
                    email=f"bench{n}@example.org",
                    preferred_language="de",
                    languages=["de"],
                    skills=[],
                    available_weekdays=[],
                    subject=f"bench-volunteer-{n}",
                    registered_by=COORDINATOR.subject,
                )
                for n in range(args.volunteers)
            ]
            starts = clock.now() + timedelta(days=2)
            planned = [
                Shift(
                    id=uuid.uuid4(),
                    facility_id=facility.id,
                    title=f"Schicht {n}",
                    starts_at=starts + timedelta(hours=n),
                    ends_at=starts + timedelta(hours=n, minutes=90),
                    slots=args.slots,
                    needs_clearance=False,
                    created_by=COORDINATOR.subject,
                )
                for n in range(args.shifts)
            ]
            session.add_all([*volunteers, *planned])
            await session.commit()
        principals = [
            Principal(subject=v.subject or "", roles=frozenset({Role.VOLUNTEER}))
            for v in volunteers
        ]

        async def use_case(volunteer: int, shift: int) -> bool:
            async with sessions() as session:
                try:
                    await shifts.sign_up(
                        session=session,
                        principal=principals[volunteer],
                        shift_id=planned[shift].id,
                        rules=rules,
                    )
                except ProblemError:
                    return False
                return True

        seconds, latencies, taken = await timed(tries, args.in_flight, use_case)
        async with sessions() as session:
            counts = list(
                await session.scalars(
                    select(func.count()).select_from(ShiftSignup).group_by(ShiftSignup.shift_id)
                )
            )
        await engine.dispose()

        # Its own database on the same server: the service's app role creates no tables.
        bare_name = infra.unique_name("bench_shifts")
        try:
            bare = await bare_row_lock(await infra.create_database(bare_name), tries, args)
        finally:
            await infra.drop_database(bare_name)

    over_filled = sum(count > args.slots for count in counts)
    print(
        f"\n{args.volunteers} volunteers, {args.shifts} shifts of {args.slots} slots, "
        f"{len(tries)} tries ({args.tries} each, random shifts), {args.in_flight} in flight"
    )
    print(f"{'':32}{'tries/s':>10}{'taken':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for label, (secs, lat, got) in (
        ("volunteers.shifts.sign_up", (seconds, latencies, taken)),
        ("bare PostgreSQL row lock", bare),
    ):
        print(
            f"{label:32}{len(lat) / secs:>10.0f}{got:>8}"
            f"{percentile(lat, 50) * 1000:>9.1f}{percentile(lat, 99) * 1000:>9.1f}"
        )
    print(
        f"slots: {args.shifts * args.slots}, taken: {sum(counts)}, "
        f"over-filled shifts: {over_filled}"
    )
    if over_filled or sum(counts) != taken:
        raise SystemExit("a shift holds more sign-ups than slots")


async def bare_row_lock(
    database: str, tries: list[tuple[int, int]], args: argparse.Namespace
) -> tuple[float, list[float], int]:
    """The same tries as plain SQL: lock the shift's row, count, insert, commit."""
    pool = await asyncpg.create_pool(
        asyncpg_dsn(database), min_size=args.in_flight, max_size=args.in_flight
    )
    try:
        async with pool.acquire() as connection:
            await connection.execute(BARE_SCHEMA)
            await connection.executemany(
                "INSERT INTO bench_shift VALUES ($1, $2)",
                [(n, args.slots) for n in range(args.shifts)],
            )

        async def attempt(volunteer: int, shift: int) -> bool:
            async with pool.acquire() as connection, connection.transaction():
                slots = await connection.fetchval(
                    "SELECT slots FROM bench_shift WHERE id = $1 FOR UPDATE", shift
                )
                taken = await connection.fetchval(
                    "SELECT count(*) FROM bench_signup WHERE shift_id = $1", shift
                )
                if taken >= slots:
                    return False
                await connection.execute(
                    "INSERT INTO bench_signup VALUES ($1, $2)", shift, volunteer
                )
                return True

        return await timed(tries, args.in_flight, attempt)
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--shifts", type=int, default=50)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--tries", type=int, default=5, help="shifts each volunteer tries")
    parser.add_argument("--in-flight", type=int, default=20, help="tries at once (pool size)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    configure_logging("bench-shifts", level="WARNING", json=False)
    with provision() as infra:
        asyncio.run(run(infra, args))


if __name__ == "__main__":
    main()
