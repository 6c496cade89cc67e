"""Composition root of courses: the app, its processes and their wiring."""

from __future__ import annotations

from teilhabe.runtime import cli as run_cli
from teilhabe.service_package import ServiceApi, ServiceExtras, service_of_package

from courses import calendar_router, inbound
from courses.pages import mount_pages
from courses.router import router
from courses.school_place_router import router as school_place_router
from courses.timers import TIMERS
from courses.work_router import router as work_router

SERVICE = service_of_package(
    "courses",
    ServiceApi(
        title="Teilhabe Courses",
        description=(
            "Courses and other offers (integration and literacy courses, school and Kita"
            " places, job readiness, leisure, community offers), enrolments, waitlists and seat"
            " offers."
        ),
        routers=[
            router,
            work_router,
            school_place_router,
            calendar_router.router,
            # Offers' and participants' calendars, at addresses that are their own credential.
            calendar_router.feed,
        ],
        pages=mount_pages,
    ),
    ServiceExtras(companions=[inbound.consumer], side_reads=inbound.READS, timers=TIMERS),
)


def cli() -> None:
    run_cli(SERVICE)
