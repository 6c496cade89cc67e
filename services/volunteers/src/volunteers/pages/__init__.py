"""Staff pages of volunteers at /ui: registry, registering, clearances, matching, own page;
one module a screen area, one router assembled here.

Shifts and help requests have pages of their own (pages.shifts, pages.help_requests).

Every change goes through the use case the API calls (`service.register`,
`service.record_clearance`, `service.delete_clearance`, `service.match`,
`service.end_match`) by the shared form action; a page only turns a form into the API's
request model and a refusal back into errors next to the fields. Police clearance data
appears on the coordinators' pages only, as in the API; a volunteer sees their own record
and mentorships and nothing of anyone else.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from teilhabe import ui
from teilhabe.auth import Role
from teilhabe.config import ServiceSettings

from volunteers import service
from volunteers.dependencies import MANAGING_ROLES, REQUESTING_ROLES
from volunteers.pages import (
    figures,
    help_requests,
    households,
    own,
    registry,
    shifts,
    volunteer,
)

router = APIRouter()
for _module in (registry, volunteer, households, own, shifts, help_requests, figures):
    router.include_router(_module.router)

# The pages listed in the tool's navigation, by who may open them.
# A volunteer sees only their own page, a coordinator only the registry's.
SECTIONS = (
    ui.Section("ui_home", ui.N_("Volunteers"), frozenset(MANAGING_ROLES)),
    ui.Section("households", ui.N_("Households"), frozenset(MANAGING_ROLES)),
    ui.Section("new_volunteer", ui.N_("Register new"), frozenset(MANAGING_ROLES)),
    ui.Section("own_page", ui.N_("My volunteering"), frozenset({Role.VOLUNTEER})),
    ui.Section("shifts", ui.N_("Shifts"), frozenset({*MANAGING_ROLES, Role.VOLUNTEER})),
    ui.Section(
        "help_requests",
        ui.N_("Help requests"),
        frozenset({*REQUESTING_ROLES, Role.VOLUNTEER}),
    ),
    ui.Section("figures", ui.N_("Figures"), frozenset(MANAGING_ROLES)),
)


def mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve volunteers' pages under /ui of `app`."""
    ui.mount_staff_ui(
        app,
        settings,
        ui.StaffTool(
            name="volunteers",
            templates=Path(__file__).parent.parent / "templates",
            sections=SECTIONS,
        ),
        [router],
        outbox=service.outbox,
    )
