"""The work figures page (Kennzahlen Arbeit): people in work, in job readiness or a work
opportunity, and in courses per month over the last twelve, as a chart with its table,
downloadable as CSV and Excel. Counts only, no persons: the city's figure."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today

from courses import work
from courses.figures import MONTHS_SHOWN
from courses.work import FigureReaders, MonthFigure

router = APIRouter()
FIGURE_ROLES = ui.api_roles(FigureReaders)
Reader = Annotated[Principal, ui.page_roles(*FIGURE_ROLES)]


@router.get("/arbeit/kennzahlen", name="work_figures")
async def work_figures(request: Request, session: DbSession, principal: Reader) -> Response:
    found = await work.monthly_figures(
        session=session, principal=principal, months=work.months_back(today(), MONTHS_SHOWN)
    )
    chart = _chart(found, ui.texts(request).gettext)
    return await ui.table_page(
        request,
        "courses/work_figures.html",
        ui.chart_table(chart),
        context={"chart": chart},
        section="work_figures",
    )


def _chart(found: Sequence[MonthFigure], gettext: Callable[[str], str]) -> ui.Chart:
    last = found[-1]
    return ui.Chart(
        id="chart-work",
        kind="line",
        title=gettext("People in work, job readiness or courses per month"),
        description=gettext(
            "In %(month)s %(total)s persons were in work, job readiness or courses: "
            "%(work)s in work, %(training)s in job readiness or a work opportunity, "
            "%(courses)s in courses."
        )
        % {
            "month": f"{last.month:%m/%Y}",
            "total": last.total,
            "work": last.in_work,
            "training": last.in_training,
            "courses": last.in_courses,
        },
        category_heading=gettext("Month"),
        categories=[f"{f.month:%m/%Y}" for f in found],
        series=[
            ui.Series(gettext("In work"), [f.in_work for f in found]),
            ui.Series(gettext("In job readiness"), [f.in_training for f in found]),
            ui.Series(gettext("In courses"), [f.in_courses for f in found]),
            ui.Series(gettext("Altogether"), [f.total for f in found]),
        ],
        unit=gettext("Persons"),
    )
