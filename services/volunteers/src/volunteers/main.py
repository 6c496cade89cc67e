"""Composition root of volunteers: the app, its processes and their wiring."""

from __future__ import annotations

import argparse
from datetime import date

import structlog
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.runtime import Command
from teilhabe.runtime import cli as run_cli
from teilhabe.service_package import ServiceApi, ServiceExtras, service_of_package

from volunteers import calendar_router, help_request_router, service, shift_router
from volunteers.pages import mount_pages
from volunteers.router import router
from volunteers.timers import TIMERS


async def purge_clearances(database_url: str, day: date) -> int:
    """One run of the deletion timer: delete clearances whose deletion day has come."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            return await service.purge_expired_clearances(session=session, today=day)
    finally:
        await engine.dispose()


async def _purge_command(settings: ServiceSettings, args: argparse.Namespace) -> None:
    day: date = args.today or today()
    purged = await purge_clearances(settings.database_url, day)
    structlog.get_logger(__name__).info("clearances purged", count=purged, today=day.isoformat())


def _purge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
    )


SERVICE = service_of_package(
    "volunteers",
    ServiceApi(
        title="Teilhabe Volunteers",
        description="Volunteer registry, police clearances (§72a SGB VIII) and mentorships.",
        routers=[
            router,
            shift_router.router,
            help_request_router.router,
            calendar_router.router,
            # A volunteer's calendar, at an address that is its own credential.
            calendar_router.feed,
        ],
        pages=mount_pages,
    ),
    ServiceExtras(
        timers=TIMERS,
        # The deletion runs on each clearance's timer; this command deletes whatever is
        # overdue all at once (e.g. records older than their timers), and is safe to repeat.
        commands={
            "purge-clearances": Command(
                help="delete police clearance records whose deletion day has come",
                run=_purge_command,
                arguments=_purge_arguments,
            )
        },
    ),
)


def cli() -> None:
    run_cli(SERVICE)
