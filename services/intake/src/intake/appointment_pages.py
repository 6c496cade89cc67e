"""Staff pages of appointments: a household's appointments with a form to make one (day,
time, place, interpreter), and cancelling one.

Every change goes through the use case the API calls (`intake.appointments`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from datetime import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import on_day, today
from teilhabe.scope import applies_scope

from intake import appointments
from intake.dependencies import HOUSEHOLDS
from intake.pages import Staff, list_downloads
from intake.schemas import AppointmentIn

router = APIRouter()

FIELDS = ("day", "time", "place", "member_id", "interpreter_language")
LABELS = {
    "day": ui.N_("Day"),
    "time": ui.N_("Time"),
    "place": ui.N_("Place"),
    "member_id": ui.N_("With"),
    "interpreter_language": ui.N_("Interpreter needed for"),
    "starts_at": ui.N_("Time"),
}
HINTS = {
    "interpreter_language": ui.N_("Please enter a language code such as ar, fa or uk."),
}
RULE_MESSAGES = (ui.N_("an appointment is made for a time ahead"),)
TIME_FORMAT = ui.N_("Please enter the time as HH:MM, for example 09:30.")
# The download's columns.
COLUMNS = (
    ui.N_("Time"),
    ui.N_("Place"),
    ui.N_("With"),
    ui.N_("Caseworker"),
    ui.N_("Interpreter needed for"),
    ui.N_("Cancelled"),
)
CONFLICTS = {
    "appointment-cancelled": (ui.FORM, ui.N_("This appointment is cancelled already.")),
    "case-closed": (
        ui.FORM,
        ui.N_("The case is closed: its appointments stay as they are and cannot be cancelled."),
    ),
}


@router.get(
    "/haushalte/{household_id}/termine",
    name="appointments",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def appointments_page(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    kind = ui.download_format(request)
    if kind is not None:
        return await _download(request, session, principal, household_id, kind)
    return await _page(request, session, principal, household_id, dict.fromkeys(FIELDS, ""))


@router.post(
    "/haushalte/{household_id}/termine",
    name="make_appointment",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def make_appointment(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=FIELDS, hints=HINTS)
    values = form.values(FIELDS)
    data: dict[str, Any] = {
        "member_id": values["member_id"] or None,
        "interpreter_language": values["interpreter_language"].lower() or None,
    }
    days: dict[str, Any] = {}
    form.put_date(days, "day", values["day"])
    times: dict[str, time] = {}
    form.put_time(times, "time", values["time"], message=TIME_FORMAT)
    if "day" in days and "time" in times:
        data["starts_at"] = on_day(days["day"], times["time"])
    if values["place"]:
        data["place"] = values["place"]
    else:
        form.refuse("place", ui.REQUIRED)
    body = form.model(AppointmentIn, data)
    form.rename({"starts_at": "time"})
    if body is not None:
        made = await form.call(
            appointments.make(
                session=session, principal=principal, household_id=household_id, appointment_in=body
            )
        )
        form.rename({"starts_at": "time"})
        if made is not None:
            return form.done(
                ui.page_path(request, "appointments", household_id=household_id),
                form.texts.gettext("The appointment is made."),
            )
    return await form.again(
        lambda errors: _page(request, session, principal, household_id, values, errors)
    )


@router.post(
    "/haushalte/{household_id}/termine/{appointment_id}/absagen",
    name="cancel_appointment",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def cancel_appointment(
    request: Request,
    household_id: uuid.UUID,
    appointment_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=CONFLICTS, status=409)
    cancelled = await form.call(
        appointments.cancel(
            session=session,
            principal=principal,
            household_id=household_id,
            appointment_id=appointment_id,
        )
    )
    if cancelled is not None:
        return form.done(
            ui.page_path(request, "appointments", household_id=household_id),
            form.texts.gettext("The appointment is cancelled."),
        )
    return await form.again(
        lambda errors: _page(
            request, session, principal, household_id, dict.fromkeys(FIELDS, ""), errors
        )
    )


async def _download(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    kind: ui.DownloadFormat,
) -> Response:
    """The household's appointments as the page lists them, audited as an export."""
    household, found = await appointments.of_household(
        session=session, principal=principal, household_id=household_id, action="export"
    )
    page_texts = ui.texts(request)
    gettext = page_texts.gettext
    members = {m.id: f"{m.family_name}, {m.given_name}" for m in household.members}
    table = ui.Table(
        name=gettext(ui.N_("appointments")),
        title=gettext("Appointments"),
        headers=[gettext(heading) for heading in COLUMNS],
        rows=[
            (
                a.starts_at,
                a.place,
                members.get(a.member_id, "") if a.member_id else gettext("The whole household"),
                a.caseworker,
                ui.spoken_language_name(a.interpreter_language, page_texts.locale)
                if a.interpreter_language
                else None,
                gettext("cancelled") if a.cancelled_at else None,
            )
            for a in found
        ],
    )
    return ui.download(table, kind, on=today())


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: dict[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    household, found = await appointments.of_household(
        session=session, principal=principal, household_id=household_id
    )
    return await ui.render(
        request,
        "intake/appointments.html",
        {
            "household": household,
            "appointments": found,
            "members": {m.id: f"{m.family_name}, {m.given_name}" for m in household.members},
            "member_options": [
                (str(m.id), f"{m.family_name}, {m.given_name}") for m in household.members
            ],
            "values": values,
            "labels": ui.field_labels(LABELS, ui.texts(request)),
            "downloads": list_downloads(
                request, ui.page_path(request, "appointments", household_id=household_id)
            ),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, FIELDS),
    )
