"""Composition root of volunteers: the app, its processes and their wiring."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

import structlog
from fastapi import FastAPI
from teilhabe.api.app import create_service_app
from teilhabe.clock import today
from teilhabe.db import create_engine, create_session_factory
from teilhabe.logging import configure_logging
from teilhabe.runtime import ServiceDefinition
from teilhabe.runtime import cli as run_cli

from volunteers import service
from volunteers.config import get_settings
from volunteers.handlers import HANDLERS
from volunteers.models import messaging
from volunteers.router import router

PURGE_COMMAND = "purge-clearances"


def create_app() -> FastAPI:
    return create_service_app(
        get_settings(),
        title="Teilhabe Volunteers",
        description="Volunteer registry, police clearances (§72a SGB VIII) and mentorships.",
        routers=[router],
    )


SERVICE = ServiceDefinition(
    name="volunteers",
    settings=get_settings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    messaging=messaging,
    handlers=HANDLERS,
)


async def purge_clearances(database_url: str, day: date) -> int:
    """One run of the deletion timer; a daily scheduled job calls it through the CLI."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            return await service.purge_expired_clearances(session=session, today=day)
    finally:
        await engine.dispose()


def cli(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != [PURGE_COMMAND]:
        run_cli(SERVICE, args)
        return
    parser = argparse.ArgumentParser(
        prog=f"teilhabe-volunteers {PURGE_COMMAND}",
        description="Delete police clearance records whose deletion day has come.",
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
    )
    options = parser.parse_args(args[1:])
    settings = get_settings()
    configure_logging(
        f"volunteers-{PURGE_COMMAND}", level=settings.log_level, json=settings.log_json
    )
    day = options.today or today()
    purged = asyncio.run(purge_clearances(settings.database_url, day))
    structlog.get_logger(__name__).info("clearances purged", count=purged, today=day.isoformat())
