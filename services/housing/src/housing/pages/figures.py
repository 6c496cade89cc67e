"""The figures page (Kennzahlen): occupancy over time per site, allocations, arrivals,
move-ins and departures per month (the state's quota figures), and how long households
wait; each a chart with its table, each table downloadable as CSV and Excel."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today

from housing import figures as figures_service
from housing.figures import Figures
from housing.pages.common import Officer

router = APIRouter()

OCCUPANCY, MONTHLY, WAITING = "belegung", "monate", "wartezeit"
QUOTA_COLUMNS = (
    ui.N_("Month"),
    ui.N_("Households allocated"),
    ui.N_("Persons allocated"),
    ui.N_("Households arrived"),
    ui.N_("Persons arrived"),
    ui.N_("Households housed"),
    ui.N_("Persons housed"),
    # Move-outs of the city's accommodation, not the quota's "moved away" (a case closed
    # as moved away from the city): intake's figures count those.
    ui.N_("Households moved out of the accommodation"),
    ui.N_("Persons moved out of the accommodation"),
)


@router.get("/kennzahlen", name="figures")
async def figures(request: Request, session: DbSession, principal: Officer) -> Response:
    found = await figures_service.get_figures(session=session, today=today())
    gettext = ui.texts(request).gettext
    charts = {
        OCCUPANCY: _occupancy_chart(found, gettext),
        MONTHLY: _monthly_chart(found, gettext),
        WAITING: _waiting_chart(found, gettext),
    }
    return await ui.figures_page(
        request,
        "housing/figures.html",
        charts,
        # The month's table holds the state's quota figures, households and persons.
        tables={MONTHLY: _quota_table(found, gettext)},
        context={"quota": found.monthly},
    )


def _month(first: date) -> str:
    return f"{first:%m/%Y}"


def _occupancy_chart(found: Figures, gettext: Callable[[str], str]) -> ui.Chart:
    series = [ui.Series(site, beds) for site, beds in found.occupancy.items()]
    highest = max(((max(s.values), s.name) for s in series if s.values), default=(0, ""))
    description = gettext(
        "Beds occupied per site at the end of each month of the last twelve, the running "
        "month as of today."
    )
    if highest[0]:
        description += " " + gettext("The most at one site: %(beds)s beds (%(site)s).") % {
            "beds": highest[0],
            "site": highest[1],
        }
    return ui.Chart(
        id="chart-occupancy",
        kind="line",
        title=gettext("Occupancy over time per site"),
        description=description,
        category_heading=gettext("Month"),
        categories=[_month(m) for m in found.months],
        series=series,
        unit=gettext("Beds occupied"),
    )


def _monthly_chart(found: Figures, gettext: Callable[[str], str]) -> ui.Chart:
    rows = found.monthly
    totals = {
        "allocated": sum(m.allocated_persons for m in rows),
        "arrived": sum(m.arrived_persons for m in rows),
        "housed": sum(m.housed_persons for m in rows),
        "moved": sum(m.moved_out_persons for m in rows),
    }
    return ui.Chart(
        id="chart-monthly",
        kind="bar",
        title=gettext("Persons allocated, arrived, housed and moved out per month"),
        description=gettext(
            "In the last twelve months %(allocated)s persons were allocated, %(arrived)s "
            "arrived, %(housed)s were housed and %(moved)s moved out of the accommodation."
        )
        % totals,
        category_heading=gettext("Month"),
        categories=[_month(m.month) for m in rows],
        series=[
            ui.Series(gettext("Allocated"), [m.allocated_persons for m in rows]),
            ui.Series(gettext("Arrived"), [m.arrived_persons for m in rows]),
            ui.Series(gettext("Housed"), [m.housed_persons for m in rows]),
            ui.Series(gettext("Moved out"), [m.moved_out_persons for m in rows]),
        ],
        unit=gettext("Persons"),
    )


def _waiting_chart(found: Figures, gettext: Callable[[str], str]) -> ui.Chart:
    groups = found.waiting
    labels = []
    lower = 0
    for group in groups:
        if group.up_to_days is None:
            labels.append(gettext("more than %(days)s days") % {"days": lower - 1})
        else:
            labels.append(
                gettext("%(low)s to %(high)s days") % {"low": lower, "high": group.up_to_days}
            )
            lower = group.up_to_days + 1
    housed, waiting = sum(g.housed for g in groups), sum(g.waiting for g in groups)
    return ui.Chart(
        id="chart-waiting",
        kind="bar",
        title=gettext("Waiting time from allocation to move-in"),
        description=gettext(
            "%(housed)s households housed, by the days they waited from their allocation to "
            "their move-in; %(waiting)s households still waiting, by the days so far."
        )
        % {"housed": housed, "waiting": waiting},
        category_heading=gettext("Waiting time"),
        categories=labels,
        series=[
            ui.Series(gettext("Housed after"), [g.housed for g in groups]),
            ui.Series(gettext("Still waiting for"), [g.waiting for g in groups]),
        ],
        unit=gettext("Households"),
    )


def _quota_table(found: Figures, gettext: Callable[[str], str]) -> ui.Table:
    """The state's quota figures in one table: per month, households and persons
    allocated, arrived, housed and moved out of the accommodation."""
    return ui.Table(
        name=gettext(ui.N_("quota-figures")),
        title=gettext("Quota figures"),
        headers=[gettext(heading) for heading in QUOTA_COLUMNS],
        rows=[
            (
                _month(m.month),
                m.allocated_households,
                m.allocated_persons,
                m.arrived_households,
                m.arrived_persons,
                m.housed_households,
                m.housed_persons,
                m.moved_out_households,
                m.moved_out_persons,
            )
            for m in found.monthly
        ],
    )
