"""Staff page of intake's monthly figures (Zahlen): allocated and moved away per month of
a year, as a table and as CSV or Excel for the state's quota report."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today

from intake import figures
from intake.pages import Staff

router = APIRouter()

COLUMNS = (
    ui.N_("Month"),
    ui.N_("Households allocated"),
    ui.N_("Persons allocated"),
    ui.N_("Households moved away"),
    ui.N_("Persons moved away"),
)
FIRST_YEAR = 2015


@router.get("/zahlen", name="figures")
async def figures_page(request: Request, session: DbSession, principal: Staff) -> Response:
    this_year = today().year
    asked = request.query_params.get("jahr", "")
    year = int(asked) if asked.isdigit() and FIRST_YEAR <= int(asked) <= this_year else this_year
    months = await figures.monthly(session=session, principal=principal, year=year)
    page_texts = ui.texts(request)
    rows = [
        (
            f"{m.month:%m/%Y}",
            m.allocated_households,
            m.allocated_persons,
            m.moved_away_households,
            m.moved_away_persons,
        )
        for m in months
    ]
    table = ui.Table(
        name=page_texts.gettext("figures-%(year)s") % {"year": year},
        title=page_texts.gettext("Figures %(year)s") % {"year": year},
        headers=[page_texts.gettext(c) for c in COLUMNS],
        rows=rows,
    )
    return await ui.table_page(
        request,
        "intake/figures.html",
        table,
        context={
            "year": year,
            "years": [(str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)],
            "months": months,
            "totals": {
                name: sum(getattr(m, name) for m in months)
                for name in (
                    "allocated_households",
                    "allocated_persons",
                    "moved_away_households",
                    "moved_away_persons",
                )
            },
            "columns": table.headers,
            "labels": {},
        },
    )
