"""Shifts (Schichten): coordinators add facilities, plan shifts and call them off;
volunteers find the board, take a slot and give it back. Who holds the slots is shown
to coordinators alone, as in the API."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import clock, ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from volunteers import shifts
from volunteers.dependencies import MANAGING_ROLES, SHIFTS, Rules
from volunteers.pages import lists
from volunteers.pages.common import (
    HOURS_FIELDS,
    OwnVolunteer,
    Staff,
    StaffOrVolunteer,
    labels,
    page,
    put_hours,
)
from volunteers.schemas import FacilityIn, FacilityKind, ShiftIn

router = APIRouter()

FACILITY_FIELDS = ("name", "kind", "address")
SHIFT_FIELDS = ("facility_id", "title", "day", "starts", "ends", "slots", "needs_clearance")
FACILITY_KINDS = {
    FacilityKind.SHELTER: ui.N_("Shelter"),
    FacilityKind.CAFE: ui.N_("Meeting café"),
    FacilityKind.OTHER: ui.N_("Other place"),
}
SIGNUP_CONFLICTS = {
    "clearance-required": (
        ui.FORM,
        ui.N_(
            "This shift includes work with children. It needs an inspected extended police"
            " clearance (§ 72a SGB VIII) that is valid on the day of the shift; please"
            " contact the volunteer coordination."
        ),
    ),
    "shift-full": (ui.FORM, ui.N_("Every slot of this shift is taken.")),
    "shift-cancelled": (ui.FORM, ui.N_("This shift has been cancelled.")),
    "shift-started": (ui.FORM, ui.N_("This shift has already begun.")),
    "already-signed-up": (ui.FORM, ui.N_("You are already signed up for this shift.")),
}


@router.get("/schichten", name="shifts")
async def shift_board(
    request: Request, session: DbSession, principal: StaffOrVolunteer
) -> Response:
    kind = ui.download_format(request)
    if kind:  # the coming shifts as the board shows them; names for coordinators
        coordinator = principal.has_any_role(*MANAGING_ROLES)
        found = await shifts.get_shifts(
            session=session,
            principal=principal,
            since=clock.now(),
            until=None,
            facility_id=None,
            limit=ui.DOWNLOAD_LIMIT,
            action="export",
        )
        return lists.shifts_file(ui.texts(request), found, kind, coordinator=coordinator)
    return await _board(request, session, principal, {}, {})


@router.post("/schichten/einrichtungen", name="add_facility")
async def add_facility(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(request, session, fields=FACILITY_FIELDS)
    values = form.values(FACILITY_FIELDS)
    data: dict[str, Any] = {"name": values["name"], "address": values["address"] or None}
    form.put_choice(data, "kind", values["kind"])
    facility_in = form.model(FacilityIn, data)
    if facility_in is not None:
        created = await form.call(
            shifts.create_facility(session=session, principal=principal, facility_in=facility_in)
        )
        if created is not None:
            return form.done(
                ui.page_path(request, "shifts"),
                form.texts.gettext("The facility %(name)s is added.") % {"name": created.name},
            )
    return await form.again(lambda errors: _board(request, session, principal, values, errors))


@router.post("/schichten", name="plan_shift")
async def plan_shift(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(request, session, fields=SHIFT_FIELDS)
    values = form.values(SHIFT_FIELDS)
    data: dict[str, Any] = {
        "title": values["title"],
        "needs_clearance": bool(values["needs_clearance"]),
    }
    form.put_choice(data, "facility_id", values["facility_id"])
    form.put_whole_number(data, "slots", values["slots"])
    put_hours(form, data, values)
    shift_in = form.model(ShiftIn, data)
    form.rename(HOURS_FIELDS)
    if shift_in is not None:
        created = await form.call(
            shifts.plan_shift(session=session, principal=principal, shift_in=shift_in)
        )
        form.rename(HOURS_FIELDS)
        if created is not None:
            return form.done(
                ui.page_path(request, "shift", shift_id=created.id),
                form.texts.gettext("The shift is planned."),
            )
    return await form.again(lambda errors: _board(request, session, principal, values, errors))


@router.get("/schichten/{shift_id}", name="shift", dependencies=[applies_scope(SHIFTS)])
async def shift_page(
    request: Request, shift_id: uuid.UUID, session: DbSession, principal: StaffOrVolunteer
) -> Response:
    return await _shift_page(request, session, principal, shift_id)


@router.post(
    "/schichten/{shift_id}/eintragen", name="sign_up", dependencies=[applies_scope(SHIFTS)]
)
async def sign_up(
    request: Request, shift_id: uuid.UUID, session: DbSession, principal: OwnVolunteer, rules: Rules
) -> Response:
    return await _act_on_shift(
        request,
        session,
        principal,
        shift_id,
        partial(shifts.sign_up, rules=rules),
        done=ui.N_("You are signed up for this shift. Thank you!"),
    )


@router.post(
    "/schichten/{shift_id}/austragen", name="give_back", dependencies=[applies_scope(SHIFTS)]
)
async def give_back(
    request: Request, shift_id: uuid.UUID, session: DbSession, principal: OwnVolunteer
) -> Response:
    return await _act_on_shift(
        request,
        session,
        principal,
        shift_id,
        shifts.cancel_signup,
        done=ui.N_("You are no longer signed up for this shift."),
    )


@router.post(
    "/schichten/{shift_id}/absagen", name="cancel_shift", dependencies=[applies_scope(SHIFTS)]
)
async def cancel_shift(
    request: Request, shift_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    return await _act_on_shift(
        request,
        session,
        principal,
        shift_id,
        shifts.cancel_shift,
        done=ui.N_("The shift is cancelled; the volunteers signed up for it are told."),
    )


async def _act_on_shift(
    request: Request,
    session: DbSession,
    principal: Principal,
    shift_id: uuid.UUID,
    use_case: Callable[..., Awaitable[object | None]],
    *,
    done: str,
) -> Response:
    """A volunteer's or coordinator's action on a shift (`use_case` of the session, the
    person and the shift), posted from its page: back to the page with `done` said, or the
    page again with the action's errors."""
    form = await ui.FormAction.read(request, session, conflicts=SIGNUP_CONFLICTS, status=409)
    acted = use_case(session=session, principal=principal, shift_id=shift_id)
    if await form.call(acted) is not None:
        return form.done(
            ui.page_path(request, "shift", shift_id=shift_id), form.texts.gettext(done)
        )
    return await form.again(
        lambda errors: _shift_page(request, session, principal, shift_id, errors)
    )


async def _board(
    request: Request,
    session: DbSession,
    principal: Principal,
    values: Mapping[str, str],
    errors: ui.FormErrors,
) -> Response:
    coordinator = principal.has_any_role(*MANAGING_ROLES)
    found = await shifts.get_shifts(
        session=session,
        principal=principal,
        since=clock.now(),
        until=None,
        facility_id=None,
        limit=200,
    )
    facilities = await shifts.get_facilities(session=session) if coordinator else []
    page_texts = ui.texts(request)
    return await page(
        request,
        "volunteers/shifts.html",
        {
            "shifts": found,
            "downloads": ui.download_links(request),
            "coordinator": coordinator,
            "facility_options": [(str(f.id), f.name) for f in facilities],
            "kind_options": ui.options(FACILITY_KINDS, page_texts),
            "values": {"kind": FacilityKind.SHELTER.value, "slots": "3", **values},
            "labels": labels(page_texts)
            | ui.field_labels(
                {
                    "name": ui.N_("Name of the facility"),
                    "kind": ui.N_("Kind"),
                    "address": ui.N_("Address"),
                    "facility_id": ui.N_("Facility"),
                    "title": ui.N_("Work"),
                    "day": ui.N_("Day"),
                    "starts": ui.N_("From"),
                    "ends": ui.N_("Until"),
                    "slots": ui.N_("Slots"),
                    "needs_clearance": ui.N_("Work with children"),
                },
                page_texts,
            ),
        },
        section="shifts",
        errors=errors,
    )


async def _shift_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    shift_id: uuid.UUID,
    errors: ui.FormErrors | None = None,
) -> Response:
    found = await shifts.get_shift(session=session, principal=principal, shift_id=shift_id)
    return await page(
        request,
        "volunteers/shift.html",
        {
            "shift": found,
            "coordinator": principal.has_any_role(*MANAGING_ROLES),
            "started": found.starts_at <= datetime.now(UTC),
            "labels": {},
        },
        section="shifts",
        errors=errors,
    )
