"""Staff pages of housing at /ui: occupancy board, waiting queue, reserving, placing,
moving, sites and beds; one module a screen area, one router assembled here.

Every change goes through the use case the API calls (`service.reserve`,
`service.cancel_reservation`, `service.place`, `service.move_out`, `service.transfer`,
the site use cases); a page only turns a form into the API's request model and a refusal
back into errors next to the fields, and reads only through the service (which audits).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from teilhabe import ui
from teilhabe.config import ServiceSettings

from housing import service
from housing.pages import (
    arrival,
    closures,
    figures,
    moves,
    occupancy,
    persons,
    protection,
    queue,
    sites,
    waiting,
)

router = APIRouter()
for _module in (
    occupancy,
    waiting,
    moves,
    sites,
    closures,
    protection,
    queue,
    persons,
    arrival,
    figures,
):
    router.include_router(_module.router)


def mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve housing's staff pages under /ui of `app`."""
    ui.mount_staff_ui(
        app,
        settings,
        ui.StaffTool(
            name="housing",
            templates=Path(__file__).parent.parent / "templates",
            sections=(
                ui.Section("ui_home", ui.N_("Occupancy")),
                ui.Section("waiting_queue", ui.N_("Waiting queue")),
                ui.Section("sites", ui.N_("Sites and beds")),
                ui.Section("persons", ui.N_("Find a person")),
                ui.Section("figures", ui.N_("Figures")),
            ),
        ),
        [router],
        outbox=service.outbox,
    )
