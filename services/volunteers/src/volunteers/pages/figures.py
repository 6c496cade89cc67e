"""The figures page (Kennzahlen): volunteers active and mentorships running per month,
shifts with their slots and the slots filled per month; each a chart with its table, each
table downloadable as CSV and Excel. Counts only, no persons."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today

from volunteers import figures as figures_service
from volunteers.figures import MonthFigures
from volunteers.pages.common import Staff

router = APIRouter()

ACTIVE, SHIFTS = "aktiv", "schichten"


@router.get("/kennzahlen", name="figures")
async def figures(request: Request, session: DbSession, principal: Staff) -> Response:
    monthly = await figures_service.get_monthly(session=session, today=today())
    gettext = ui.texts(request).gettext
    charts = {ACTIVE: _active_chart(monthly, gettext), SHIFTS: _shifts_chart(monthly, gettext)}
    return await ui.figures_page(request, "volunteers/figures.html", charts)


def _active_chart(rows: list[MonthFigures], gettext: Callable[[str], str]) -> ui.Chart:
    latest = rows[-1] if rows else None
    return ui.Chart(
        id="chart-active",
        kind="bar",
        title=gettext("Volunteers active and mentorships running per month"),
        description=gettext(
            "This month %(active)s volunteers are active and %(mentorships)s mentorships run."
        )
        % {
            "active": latest.active_volunteers if latest else 0,
            "mentorships": latest.mentorships if latest else 0,
        },
        category_heading=gettext("Month"),
        categories=[f"{m.month:%m/%Y}" for m in rows],
        series=[
            ui.Series(gettext("Volunteers active"), [m.active_volunteers for m in rows]),
            ui.Series(gettext("Mentorships running"), [m.mentorships for m in rows]),
        ],
        unit=gettext("Volunteers or mentorships"),
    )


def _shifts_chart(rows: list[MonthFigures], gettext: Callable[[str], str]) -> ui.Chart:
    return ui.Chart(
        id="chart-shifts",
        kind="bar",
        title=gettext("Shifts, slots and slots filled per month"),
        description=gettext(
            "In the last twelve months %(shifts)s shifts with %(slots)s slots, of which "
            "%(filled)s were filled."
        )
        % {
            "shifts": sum(m.shifts for m in rows),
            "slots": sum(m.slots for m in rows),
            "filled": sum(m.filled for m in rows),
        },
        category_heading=gettext("Month"),
        categories=[f"{m.month:%m/%Y}" for m in rows],
        series=[
            ui.Series(gettext("Shifts"), [m.shifts for m in rows]),
            ui.Series(gettext("Slots"), [m.slots for m in rows]),
            ui.Series(gettext("Slots filled"), [m.filled for m in rows]),
        ],
        unit=gettext("Shifts or slots"),
    )
