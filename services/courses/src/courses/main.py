"""Composition root of courses: the app, its processes and their wiring."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from teilhabe.api.app import create_service_app
from teilhabe.runtime import ServiceDefinition
from teilhabe.runtime import cli as run_cli

from courses import inbound
from courses.config import get_settings
from courses.handlers import HANDLERS, READS
from courses.models import messaging
from courses.pages import mount_pages
from courses.processing import PROCESSING
from courses.retention import RETENTION
from courses.router import router


def create_app() -> FastAPI:
    settings = get_settings()
    app = create_service_app(
        settings,
        title="Teilhabe Courses",
        description=(
            "Courses and other offers (integration and literacy courses, school and Kita"
            " places, job readiness, leisure), enrolments and waitlists."
        ),
        routers=[router],
    )
    mount_pages(app, settings)  # the staff pages at /ui
    return app


SERVICE = ServiceDefinition(
    name="courses",
    settings=get_settings,
    create_app=create_app,
    migrations_dir=Path(__file__).parent / "migrations",
    messaging=messaging,
    retention=RETENTION,
    processing=PROCESSING,
    handlers=HANDLERS,
    reads=READS,
    companions=[inbound.consumer],
    side_reads=inbound.READS,
)


def cli() -> None:
    run_cli(SERVICE)
