"""Composition root of housing: the app, its processes and their wiring."""

from __future__ import annotations

from teilhabe.runtime import cli as run_cli
from teilhabe.service_package import ServiceApi, ServiceExtras, service_of_package

from housing.pages import mount_pages
from housing.router import router
from housing.timers import TIMERS

SERVICE = service_of_package(
    "housing",
    ServiceApi(
        title="Teilhabe Housing",
        description="Sites, units and beds, the waiting queue, placements and moves.",
        routers=[router],
        pages=mount_pages,
    ),
    ServiceExtras(timers=TIMERS),
)


def cli() -> None:
    run_cli(SERVICE)
