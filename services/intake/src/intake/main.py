"""Composition root of intake: the app, its processes and their wiring."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import structlog
from fastapi import FastAPI
from teilhabe.api.app import create_service_app
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.runtime import Command, ServiceDefinition
from teilhabe.runtime import cli as run_cli

from intake import (
    allocation_pages,
    appointment_pages,
    erasure,
    followup_pages,
    inbound,
    member_pages,
    note_pages,
)
from intake.config import get_settings
from intake.erasure_router import router as erasure_router
from intake.handlers import HANDLERS, READS
from intake.models import messaging
from intake.pages import mount_pages
from intake.processing import PROCESSING
from intake.retention import RETENTION
from intake.router import follow_ups_router, router
from intake.timers import TIMERS


async def _erasures_again(settings: ServiceSettings, args: argparse.Namespace) -> None:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            sent = await erasure.send_again(session, args.since)
    finally:
        await engine.dispose()
    structlog.get_logger(__name__).info("erasures sent again", count=sent, since=str(args.since))


def _since(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since",
        type=datetime.fromisoformat,
        required=True,
        help="ISO time, e.g. the moment a restored database was recovered to",
    )


def create_app() -> FastAPI:
    settings = get_settings()
    app = create_service_app(
        settings,
        title="Teilhabe Intake",
        description="Households allocated to the city, their members and caseworkers.",
        routers=[router, erasure_router, follow_ups_router],
    )
    mount_pages(
        app,
        settings,
        [
            allocation_pages.router,
            member_pages.router,
            note_pages.router,
            followup_pages.router,
            appointment_pages.router,
        ],
    )  # the staff pages at /ui
    return app


SERVICE = ServiceDefinition(
    name="intake",
    settings=get_settings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    messaging=messaging,
    retention=RETENTION,
    processing=PROCESSING,
    handlers=HANDLERS,
    reads=READS,
    timers=TIMERS,
    companions=[inbound.consumer],
    side_reads=inbound.READS,
    commands={
        "erasures-again": Command(
            help="send the erasure requests made since a time to every service again "
            "(after restoring a service's database from a backup)",
            run=_erasures_again,
            arguments=_since,
        )
    },
)


def cli() -> None:
    run_cli(SERVICE)
