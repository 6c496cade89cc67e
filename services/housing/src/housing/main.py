"""Composition root of housing: the app, its processes and their wiring."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from teilhabe.api.app import create_service_app
from teilhabe.runtime import ServiceDefinition
from teilhabe.runtime import cli as run_cli

from housing.config import get_settings
from housing.handlers import HANDLERS, READS
from housing.models import messaging
from housing.pages import mount_pages
from housing.processing import PROCESSING
from housing.retention import RETENTION
from housing.router import router
from housing.timers import TIMERS


def create_app() -> FastAPI:
    settings = get_settings()
    app = create_service_app(
        settings,
        title="Teilhabe Housing",
        description="Sites, units and beds, the waiting queue, placements and moves.",
        routers=[router],
    )
    mount_pages(app, settings)  # the staff pages at /ui
    return app


SERVICE = ServiceDefinition(
    name="housing",
    settings=get_settings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    messaging=messaging,
    retention=RETENTION,
    processing=PROCESSING,
    handlers=HANDLERS,
    reads=READS,
    timers=TIMERS,
)


def cli() -> None:
    run_cli(SERVICE)
