"""The tool's lists as files (CSV as German Excel opens it, XLSX): the registry for
coordinators, the shifts and the help requests for whoever sees them. Each comes from
the same use case as its page, so a download is scoped as the page is, and audited as an
export of the volunteers it names."""

from collections.abc import Sequence

from fastapi.responses import Response
from teilhabe import ui
from teilhabe.clock import today
from teilhabe.ui.downloads import Cell

from volunteers.pages.common import WEEKDAY_LABELS
from volunteers.schemas import HelpRequestOut, ShiftOut, VolunteerOut

VOLUNTEER_COLUMNS = (
    ui.N_("Name"),
    ui.N_("E-mail address"),
    ui.N_("Phone"),
    ui.N_("Languages"),
    ui.N_("Skills and interests"),
    ui.N_("Availability"),
    ui.N_("Note on availability"),
)
SHIFT_COLUMNS = (
    ui.N_("Shift"),
    ui.N_("Facility"),
    ui.N_("From"),
    ui.N_("Until"),
    ui.N_("Slots"),
    ui.N_("Slots taken"),
    ui.N_("Work with children"),
    ui.N_("Cancelled"),
)
# Coordinators' files also name who holds the slots (as the shift's page does).
SIGNED_UP_COLUMN = ui.N_("Signed up")
HELP_COLUMNS = (
    ui.N_("What is needed"),
    ui.N_("Skill"),
    ui.N_("Language"),
    ui.N_("Where"),
    ui.N_("From"),
    ui.N_("Until"),
    ui.N_("Status"),
    ui.N_("Taken by"),
    ui.N_("E-mail address"),
    ui.N_("Phone"),
)
HELP_STATUS_LABELS = {
    "open": ui.N_("open"),
    "accepted": ui.N_("taken"),
    "withdrawn": ui.N_("withdrawn"),
    "closed": ui.N_("begun without anyone taking it"),
}


def volunteers_file(
    page_texts: ui.Texts, found: Sequence[VolunteerOut], kind: ui.DownloadFormat
) -> Response:
    gettext = page_texts.gettext
    rows = [
        (
            v.display_name,
            v.email,
            v.phone,
            ui.language_names(v.languages, page_texts.locale),
            ", ".join(v.skills),
            ", ".join(
                gettext(label)
                for day, label in WEEKDAY_LABELS.items()
                if day in v.available_weekdays
            ),
            v.availability_note,
        )
        for v in found
    ]
    return _file(
        page_texts, ui.N_("volunteers"), ui.N_("Volunteers"), VOLUNTEER_COLUMNS, rows, kind
    )


def shifts_file(
    page_texts: ui.Texts, found: Sequence[ShiftOut], kind: ui.DownloadFormat, *, coordinator: bool
) -> Response:
    gettext = page_texts.gettext
    rows: list[list[Cell]] = []
    for shift in found:
        row: list[Cell] = [
            shift.title,
            shift.facility_name,
            shift.starts_at,
            shift.ends_at,
            shift.slots,
            shift.taken,
            gettext("yes") if shift.needs_clearance else gettext("no"),
            gettext("yes") if shift.cancelled else gettext("no"),
        ]
        if coordinator:
            row.append(", ".join(s.display_name for s in shift.signups or ()))
        rows.append(row)
    columns = (*SHIFT_COLUMNS, *((SIGNED_UP_COLUMN,) if coordinator else ()))
    return _file(page_texts, ui.N_("shifts"), ui.N_("Shifts"), columns, rows, kind)


def help_requests_file(
    page_texts: ui.Texts, found: Sequence[HelpRequestOut], kind: ui.DownloadFormat
) -> Response:
    gettext = page_texts.gettext
    rows = [
        (
            r.title,
            r.skill,
            ui.language_names([r.language], page_texts.locale) if r.language else None,
            r.place,
            r.starts_at,
            r.ends_at,
            gettext(HELP_STATUS_LABELS.get(r.status, r.status)),
            r.accepted_by.display_name if r.accepted_by else None,
            r.accepted_by.email if r.accepted_by else None,
            r.accepted_by.phone if r.accepted_by else None,
        )
        for r in found
    ]
    return _file(
        page_texts, ui.N_("help-requests"), ui.N_("Help requests"), HELP_COLUMNS, rows, kind
    )


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
