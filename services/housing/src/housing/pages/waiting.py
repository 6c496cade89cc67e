"""The waiting queue and what is done for a waiting household: reserving beds before it
arrives, cancelling that reservation, placing it."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from housing import protection, service
from housing.config import get_settings
from housing.dependencies import RESERVATIONS, WAITING_HOUSEHOLDS
from housing.pages import lists
from housing.pages.common import FIELD_LABELS, NOT_ENOUGH_BEDS, SITE_KIND_LABELS, Officer, where
from housing.schemas import PlacementIn, ReservationIn, SiteOut, WaitingHouseholdOut

router = APIRouter()

PLACE_FIELDS = (
    "unit_id",
    "moved_in_on",
    "bed_count",
    "split_reason",
    "protection_override_reason",
)
RESERVE_FIELDS = ("unit_id", "bed_count", "split_reason", "protection_override_reason")
PLACE_CONFLICTS = {
    "not-enough-beds": NOT_ENOUGH_BEDS,
    "already-placed": (ui.FORM, ui.N_("The household has already been placed.")),
}
RESERVE_CONFLICTS = {
    **PLACE_CONFLICTS,
    "already-reserved": (
        ui.FORM,
        ui.N_(
            "Beds are already reserved for this household. To reserve others, cancel that "
            "reservation first."
        ),
    ),
}
CANCEL_CONFLICTS = {
    "reservation-ended": (ui.FORM, ui.N_("This reservation has already ended.")),
}


@router.get("/warteliste", name="waiting_queue")
async def waiting_queue(request: Request, session: DbSession, principal: Officer) -> Response:
    kind = ui.download_format(request)
    if kind:  # the whole queue in its order, as the page shows it: an export
        households = await service.get_waiting_queue(
            session=session, principal=principal, action="export"
        )
        reserved_in = [h.reservation.unit_id for h in households if h.reservation]
        places = await service.get_unit_places(session=session, unit_ids=reserved_in)
        return lists.queue_file(ui.texts(request), households, places, kind)
    return await _waiting_queue_page(request, session, principal)


async def _waiting_queue_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    households = await service.get_waiting_queue(session=session, principal=principal)
    reserved_in = [h.reservation.unit_id for h in households if h.reservation]
    return await ui.render(
        request,
        "housing/waiting_queue.html",
        {
            "households": households,
            "places": await service.get_unit_places(session=session, unit_ids=reserved_in),
            "arrival_window": get_settings().queue_arrival_window_days,
            "downloads": ui.download_links(request),
        },
        section="waiting_queue",
        errors=errors,
        status_code=status_code,
    )


# --- placing -------------------------------------------------------------------------


@router.get(
    "/warteliste/{household_id}/unterbringen",
    name="place_form",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def place_form(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    household = await _waiting(session, principal, household_id)
    reservation = await service.get_held_beds(session=session, household_id=household_id)
    values = {
        "unit_id": str(reservation.unit_id) if reservation else "",
        "moved_in_on": ui.date_input_value(today(), ui.texts(request).locale),
        "bed_count": "",
        "split_reason": "",
        "protection_override_reason": "",
    }
    if reservation and reservation.split_reason:  # the split the reservation was made for
        values["bed_count"] = str(reservation.bed_count)
        values["split_reason"] = reservation.split_reason
    return await _place_page(request, session, principal, household, values)


@router.post(
    "/warteliste/{household_id}/unterbringen",
    name="place",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def place(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=PLACE_FIELDS, conflicts=PLACE_CONFLICTS
    )
    values = form.values(PLACE_FIELDS)
    data: dict[str, Any] = {
        "household_id": household_id,
        "split_reason": values["split_reason"] or None,
        "bed_count": values["bed_count"] or None,
        "protection_override_reason": values["protection_override_reason"] or None,
    }
    form.put_choice(data, "unit_id", values["unit_id"])
    form.put_date(data, "moved_in_on", values["moved_in_on"])
    placement_in = form.model(PlacementIn, data)
    if placement_in is not None:
        placement = await form.call(
            service.place(session=session, principal=principal, placement_in=placement_in)
        )
        if placement is not None:
            places = await service.get_unit_places(session=session, unit_ids=[placement.unit_id])
            return form.done(
                ui.page_path(request, "ui_home"),
                form.texts.ngettext(
                    "Household %(number)s is placed in %(site)s, unit %(unit)s (%(num)s bed).",
                    "Household %(number)s is placed in %(site)s, unit %(unit)s (%(num)s beds).",
                    placement.bed_count,
                )
                % {
                    "number": await service.get_notice_number(
                        session=session, household_id=placement.household_id
                    ),
                    **where(places.get(placement.unit_id), placement.bed_count),
                },
            )

    async def again(errors: ui.FormErrors) -> Response:
        household = await _waiting(session, principal, household_id)
        return await _place_page(request, session, principal, household, values, errors=errors)

    return await form.again(again)


async def _waiting(
    session: DbSession, principal: Principal, household_id: uuid.UUID
) -> WaitingHouseholdOut:
    return await service.get_waiting_household(
        session=session, principal=principal, household_id=household_id
    )


async def _place_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household: WaitingHouseholdOut,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    # As this household sees them: its own reserved beds are free for it.
    sites = await service.get_all_sites(
        session=session, principal=principal, for_household=household.household_id
    )
    return await _beds_page(
        request,
        session,
        principal,
        "housing/place_form.html",
        household,
        sites,
        values,
        errors=errors,
        status_code=status_code,
    )


# --- reserving beds before a household arrives ---------------------------------------


@router.get(
    "/warteliste/{household_id}/reservieren",
    name="reserve_form",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def reserve_form(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    household = await _waiting(session, principal, household_id)
    values = {"unit_id": "", "bed_count": "", "split_reason": "", "protection_override_reason": ""}
    return await _reserve_page(request, session, principal, household, values)


@router.post(
    "/warteliste/{household_id}/reservieren",
    name="reserve",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def reserve(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=RESERVE_FIELDS, conflicts=RESERVE_CONFLICTS
    )
    values = form.values(RESERVE_FIELDS)
    data: dict[str, Any] = {
        "household_id": household_id,
        "bed_count": values["bed_count"] or None,
        "split_reason": values["split_reason"] or None,
        "protection_override_reason": values["protection_override_reason"] or None,
    }
    form.put_choice(data, "unit_id", values["unit_id"])
    reservation_in = form.model(ReservationIn, data)
    if reservation_in is not None:
        reservation = await form.call(
            service.reserve(session=session, principal=principal, reservation_in=reservation_in)
        )
        if reservation is not None:
            places = await service.get_unit_places(session=session, unit_ids=[reservation.unit_id])
            return form.done(
                ui.page_path(request, "waiting_queue"),
                form.texts.ngettext(
                    "%(num)s bed in %(site)s, unit %(unit)s is reserved for household %(number)s.",
                    "%(num)s beds in %(site)s, unit %(unit)s are reserved for household "
                    "%(number)s.",
                    reservation.bed_count,
                )
                % {
                    **where(places.get(reservation.unit_id), reservation.bed_count),
                    "number": await service.get_notice_number(
                        session=session, household_id=household_id
                    ),
                },
            )

    async def again(errors: ui.FormErrors) -> Response:
        household = await _waiting(session, principal, household_id)
        return await _reserve_page(request, session, principal, household, values, errors=errors)

    return await form.again(again)


async def _reserve_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household: WaitingHouseholdOut,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    # Its own reserved beds count as taken: it holds one reservation, cancelled to change.
    sites = await service.get_all_sites(session=session, principal=principal)
    return await _beds_page(
        request,
        session,
        principal,
        "housing/reserve_form.html",
        household,
        sites,
        values,
        errors=errors,
        status_code=status_code,
    )


async def _beds_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    template: str,
    household: WaitingHouseholdOut,
    sites: Sequence[SiteOut],
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None,
    status_code: int,
) -> Response:
    """A form choosing beds for a waiting household (placing, reserving): the units with
    free beds (and what each lacks of the protection the household needs), and the
    household's reservation if it has one."""
    shown = [site for site in sites if site.free > 0]
    fit = await protection.get_unit_fit(
        session=session,
        principal=principal,
        household_id=household.household_id,
        units=[(unit.id, unit.protections) for site in shown for unit in site.units],
        language=ui.texts(request).language,
    )
    return await ui.render(
        request,
        template,
        {
            "household": household,
            "reservation": await service.get_held_beds(
                session=session, household_id=household.household_id
            ),
            "sites": shown,
            "fit": fit,
            "kind_labels": SITE_KIND_LABELS,
            "values": values,
            "labels": ui.field_labels(FIELD_LABELS, ui.texts(request)),
        },
        section="waiting_queue",
        errors=errors,
        status_code=status_code,
    )


@router.post(
    "/reservierungen/{reservation_id}/aufheben",
    name="cancel_reservation",
    dependencies=[applies_scope(RESERVATIONS)],
)
async def cancel_reservation(
    request: Request, reservation_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=CANCEL_CONFLICTS, status=409)
    reservation = await form.call(
        service.cancel_reservation(
            session=session, principal=principal, reservation_id=reservation_id
        )
    )
    if reservation is None:
        return await form.again(
            lambda errors: _waiting_queue_page(request, session, principal, errors=errors)
        )
    places = await service.get_unit_places(session=session, unit_ids=[reservation.unit_id])
    return form.done(
        ui.page_path(request, "waiting_queue"),
        form.texts.ngettext(
            "The reservation for household %(number)s is cancelled: %(num)s bed in "
            "%(site)s, unit %(unit)s is free again.",
            "The reservation for household %(number)s is cancelled: %(num)s beds in "
            "%(site)s, unit %(unit)s are free again.",
            reservation.bed_count,
        )
        % {
            "number": await service.get_notice_number(
                session=session, household_id=reservation.household_id
            ),
            **where(places.get(reservation.unit_id), reservation.bed_count),
        },
    )
