"""Composition root of intake: the app, its processes and their wiring."""

from __future__ import annotations

import argparse
from datetime import datetime

import structlog
from fastapi import FastAPI
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.runtime import Command
from teilhabe.runtime import cli as run_cli
from teilhabe.service_package import ServiceApi, ServiceExtras, service_of_package

from intake import (
    allocation_pages,
    appointment_pages,
    calendar_feed,
    calendar_pages,
    closure_pages,
    erasure,
    figure_pages,
    followup_pages,
    import_pages,
    inbound,
    letter_pages,
    member_pages,
    note_pages,
    obligation_pages,
    referral_pages,
)
from intake.erasure_router import router as erasure_router
from intake.pages import mount_pages
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


def _mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    mount_pages(
        app,
        settings,
        [
            allocation_pages.router,
            member_pages.router,
            obligation_pages.router,
            note_pages.router,
            followup_pages.router,
            appointment_pages.router,
            calendar_pages.router,
            import_pages.router,
            letter_pages.router,
            figure_pages.router,
            referral_pages.router,
            closure_pages.router,
        ],
    )


SERVICE = service_of_package(
    "intake",
    ServiceApi(
        title="Teilhabe Intake",
        description="Households allocated to the city, their members and caseworkers.",
        routers=[
            router,
            erasure_router,
            follow_ups_router,
            # A caseworker's calendar, at an address that is its own credential.
            calendar_feed.FEEDS.router(),
        ],
        pages=_mount_pages,
    ),
    ServiceExtras(
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
    ),
)


def cli() -> None:
    run_cli(SERVICE)
