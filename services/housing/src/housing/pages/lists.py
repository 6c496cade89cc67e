"""Housing's lists as files (CSV as German Excel opens it, XLSX): the waiting queue and
the occupancy with the households living in each unit. Each comes from the same use case
as its page (housing staff alone), audited as an export of the households it names."""

import uuid
from collections.abc import Mapping, Sequence

from fastapi.responses import Response
from teilhabe import ui
from teilhabe.clock import today
from teilhabe.ui.downloads import Cell

from housing.schemas import ResidentOut, SiteOut, UnitPlace, WaitingHouseholdOut

QUEUE_COLUMNS = (
    ui.N_("Position"),
    ui.N_("Allocation notice"),
    ui.N_("Why here"),
    ui.N_("Allocated on"),
    ui.N_("Expected arrival"),
    ui.N_("Persons"),
    ui.N_("of them minors"),
    ui.N_("Needs barrier-free housing"),
    ui.N_("Reservation"),
)
OCCUPANCY_COLUMNS = (
    ui.N_("Site"),
    ui.N_("Unit"),
    ui.N_("Beds"),
    ui.N_("Occupied"),
    ui.N_("Reserved"),
    ui.N_("Free"),
    ui.N_("Closed"),
    ui.N_("Allocation notice"),
    ui.N_("Beds of the household"),
    ui.N_("Moved in on"),
    ui.N_("Persons"),
    ui.N_("of them minors"),
)


def queue_file(
    page_texts: ui.Texts,
    households: Sequence[WaitingHouseholdOut],
    places: Mapping[uuid.UUID, UnitPlace],
    kind: ui.DownloadFormat,
) -> Response:
    gettext = page_texts.gettext
    rows: list[Sequence[Cell]] = []
    for household in households:
        reservation = household.reservation
        place = places.get(reservation.unit_id) if reservation else None
        rows.append(
            (
                household.position,
                household.allocation_notice_number,
                "; ".join(_reasons(page_texts, household)),
                household.allocated_on,
                household.expected_arrival_on,
                household.member_count,
                household.minor_count,
                gettext("yes") if household.needs_accessible_housing else gettext("no"),
                _reserved(page_texts, place, reservation.bed_count) if reservation else None,
            )
        )
    return _file(
        page_texts, ui.N_("waiting-queue"), ui.N_("Waiting queue"), QUEUE_COLUMNS, rows, kind
    )


def _reserved(page_texts: ui.Texts, place: UnitPlace | None, beds: int) -> str:
    where = page_texts.gettext("Reserved: %(site)s, unit %(unit)s") % {
        "site": place.site if place else "",
        "unit": place.unit if place else "",
    }
    count = page_texts.ngettext("%(num)s bed", "%(num)s beds", beds) % {"num": beds}
    return f"{where} ({count})"


def _reasons(page_texts: ui.Texts, household: WaitingHouseholdOut) -> list[str]:
    """Why it stands there, in the words of the queue's page."""
    gettext, ngettext = page_texts.gettext, page_texts.ngettext
    said = []
    for reason in household.reasons:
        day = ui.format_date(reason.on, page_texts.locale)
        days = reason.days or 0
        if reason.kind == "raised":
            said.append(
                gettext("priority given: %(reason)s") % {"reason": household.priority_reason}
            )
        elif reason.kind == "protection":
            said.append(gettext("protection needs"))
        elif reason.kind == "arriving" and days > 0:
            said.append(
                ngettext(
                    "arrives on %(day)s (in %(num)s day)",
                    "arrives on %(day)s (in %(num)s days)",
                    days,
                )
                % {"day": day, "num": days}
            )
        elif reason.kind == "arriving" and days == 0:
            said.append(gettext("arrives today"))
        elif reason.kind == "arriving":
            said.append(
                ngettext(
                    "expected on %(day)s, %(num)s day overdue",
                    "expected on %(day)s, %(num)s days overdue",
                    -days,
                )
                % {"day": day, "num": -days}
            )
        else:
            said.append(
                ngettext(
                    "waiting since %(day)s (%(num)s day)",
                    "waiting since %(day)s (%(num)s days)",
                    days,
                )
                % {"day": day, "num": days}
            )
    return said


def occupancy_file(
    page_texts: ui.Texts,
    sites: Sequence[SiteOut],
    residents: Mapping[uuid.UUID, Sequence[ResidentOut]],
    kind: ui.DownloadFormat,
) -> Response:
    """One row per household living in a unit, and one for each unit nobody lives in."""
    rows: list[Sequence[Cell]] = []
    for site in sites:
        for unit in site.units:
            beds = (
                site.name,
                unit.name,
                unit.beds,
                unit.occupied,
                unit.reserved,
                unit.free,
                unit.closed,
            )
            living = residents.get(unit.id, ())
            if not living:
                rows.append((*beds, None, None, None, None, None))
            for resident in living:
                rows.append(
                    (
                        *beds,
                        resident.notice_number,
                        resident.bed_count,
                        resident.moved_in_on,
                        resident.member_count,
                        resident.minor_count,
                    )
                )
    return _file(page_texts, ui.N_("occupancy"), ui.N_("Occupancy"), OCCUPANCY_COLUMNS, rows, kind)


def _file(
    page_texts: ui.Texts,
    name: str,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    kind: ui.DownloadFormat,
) -> Response:
    gettext = page_texts.gettext
    table = ui.Table(
        name=gettext(name),
        title=gettext(title),
        headers=[gettext(heading) for heading in columns],
        rows=rows,
    )
    return ui.download(table, kind, on=today())
