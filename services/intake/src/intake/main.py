"""Composition root of intake: the app, its processes and their wiring."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from teilhabe.api.app import create_service_app
from teilhabe.runtime import ServiceDefinition
from teilhabe.runtime import cli as run_cli

from intake import inbound, member_pages, note_pages
from intake.config import get_settings
from intake.handlers import HANDLERS, READS
from intake.models import messaging
from intake.pages import mount_pages
from intake.retention import RETENTION
from intake.router import router
from intake.timers import TIMERS


def create_app() -> FastAPI:
    settings = get_settings()
    app = create_service_app(
        settings,
        title="Teilhabe Intake",
        description="Households allocated to the city, their members and caseworkers.",
        routers=[router],
    )
    mount_pages(app, settings, [member_pages.router, note_pages.router])  # the staff pages at /ui
    return app


SERVICE = ServiceDefinition(
    name="intake",
    settings=get_settings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    messaging=messaging,
    retention=RETENTION,
    handlers=HANDLERS,
    reads=READS,
    timers=TIMERS,
    companions=[inbound.InboundConsumer],
    side_reads=inbound.READS,
)


def cli() -> None:
    run_cli(SERVICE)
