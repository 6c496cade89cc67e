"""The figures page (Kennzahlen): places and waitlists per kind of offer now, and
enrolments per month; each a chart with its table, each table downloadable as CSV and
Excel. Counts only, no persons."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today

from courses import figures as figures_service
from courses.figures import Figures
from courses.pages import KIND_LABELS, Coordinator

router = APIRouter()

PLACES, ENROLMENTS = "plaetze", "anmeldungen"


@router.get("/kennzahlen", name="figures")
async def figures(request: Request, session: DbSession, principal: Coordinator) -> Response:
    found = await figures_service.get_figures(session=session, today=today())
    gettext = ui.texts(request).gettext
    charts = {
        PLACES: _places_chart(found, gettext),
        ENROLMENTS: _enrolments_chart(found, gettext),
    }
    return await ui.figures_page(request, "courses/figures.html", charts)


def _places_chart(found: Figures, gettext: Callable[[str], str]) -> ui.Chart:
    rows = found.places
    return ui.Chart(
        id="chart-places",
        kind="bar",
        title=gettext("Places and waitlists per kind of offer"),
        description=gettext(
            "Offers running or still to start: %(seats)s places, %(taken)s taken, %(free)s "
            "free, %(waiting)s persons waiting."
        )
        % {
            "seats": sum(k.seats for k in rows),
            "taken": sum(k.taken for k in rows),
            "free": sum(k.free for k in rows),
            "waiting": sum(k.waiting for k in rows),
        },
        category_heading=gettext("Kind of offer"),
        categories=[gettext(KIND_LABELS[k.kind]) for k in rows],
        series=[
            ui.Series(gettext("Places"), [k.seats for k in rows]),
            ui.Series(gettext("Taken"), [k.taken for k in rows]),
            ui.Series(gettext("Free"), [k.free for k in rows]),
            ui.Series(gettext("Waiting"), [k.waiting for k in rows]),
        ],
        unit=gettext("Places or persons"),
    )


def _enrolments_chart(found: Figures, gettext: Callable[[str], str]) -> ui.Chart:
    return ui.Chart(
        id="chart-enrolments",
        kind="bar",
        title=gettext("Enrolments per month"),
        description=gettext("In the last twelve months %(count)s persons took a place in an offer.")
        % {"count": sum(found.enrolments)},
        category_heading=gettext("Month"),
        categories=[f"{m:%m/%Y}" for m in found.months],
        series=[ui.Series(gettext("Enrolments"), found.enrolments)],
        unit=gettext("Persons"),
    )
