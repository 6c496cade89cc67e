"""Staff pages of housing at /ui: occupancy board, waiting queue, reserving, placing, moving.

Every change goes through the use case the API calls (`service.reserve`,
`service.cancel_reservation`, `service.place`, `service.move_out`, `service.transfer`); a
page only turns a form into the API's request model and a refusal back into errors next
to the fields.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound, ProblemError
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.events.housing import MoveOutReason, SiteKind
from teilhabe.scope import applies_scope
from teilhabe.ui import (
    CHOOSE,
    FORM,
    N_,
    FormErrors,
    Section,
    StaffTool,
    Texts,
    api_roles,
    date_input_value,
    field_labels,
    flash,
    in_field_order,
    mount_staff_ui,
    options,
    page_number,
    page_path,
    page_roles,
    pager,
    problem_errors,
    put_date,
    put_whole_number,
    read_form,
    render,
    request_model,
    same_query,
    text,
    texts,
)

from housing import service
from housing.board import BoardFilters, board_units
from housing.dependencies import (
    PLACEMENTS,
    RESERVATIONS,
    SITES,
    WAITING_HOUSEHOLDS,
    HousingStaff,
)
from housing.models import Placement, Reservation, Site, Unit, WaitingHousehold
from housing.schemas import (
    BedsIn,
    MoveOutIn,
    PlacementIn,
    ReservationIn,
    SiteIn,
    SiteNameIn,
    SiteOut,
    TransferIn,
    UnitIn,
    UnitNameIn,
)

router = APIRouter()
# The pages admit exactly whom the API admits.
Officer = Annotated[Principal, page_roles(*api_roles(HousingStaff))]

SITE_KIND_LABELS = {
    SiteKind.EMERGENCY_SHELTER: N_("Emergency shelter"),
    SiteKind.COMMUNAL_HOUSING: N_("Communal accommodation"),
    SiteKind.APARTMENT: N_("Apartment"),
}
MOVE_OUT_LABELS = {
    MoveOutReason.PRIVATE_HOUSING: N_("Moved into housing of their own"),
    MoveOutReason.TRANSFER: N_("Transferred to other accommodation"),
    MoveOutReason.LEFT_MUNICIPALITY: N_("Left the municipality"),
    MoveOutReason.OTHER: N_("Other reason"),
}
PLACE_FIELDS = ("unit_id", "moved_in_on", "bed_count", "split_reason")
RESERVE_FIELDS = ("unit_id", "bed_count", "split_reason")
BOARD_PAGE_SIZE = 25  # units a page
MOVE_OUT_FIELDS = ("moved_out_on", "reason")
TRANSFER_FIELDS = ("unit_id", "moved_on", "bed_count", "split_reason")
FIELD_LABELS = {
    "unit_id": N_("Unit"),
    "moved_in_on": N_("Moving in on"),
    "bed_count": N_("Number of beds"),
    "split_reason": N_("Reason for placing only part of the household"),
    "moved_out_on": N_("Moving out on"),
    "reason": N_("Reason for moving out"),
    "moved_on": N_("Moving on"),
}
# The rules' own messages (housing.domain, housing.service), for the catalogue.
RULE_MESSAGES = (
    N_("no household with this id awaits accommodation"),
    N_("no unit with this id"),
    N_("more beds than household members"),
    N_("placing part of a household needs a reason"),
    N_("the household needs a barrier-free unit"),
    N_("move-out cannot be before move-in"),
    N_("the move-out lies too far in the past to be recorded"),
    N_("the household lives in this unit already"),
)
PLACE_CONFLICTS = {
    "not-enough-beds": ("unit_id", N_("This unit does not have enough free beds.")),
    "already-placed": (FORM, N_("The household has already been placed.")),
}
RESERVE_CONFLICTS = {
    **PLACE_CONFLICTS,
    "already-reserved": (
        FORM,
        N_(
            "Beds are already reserved for this household. To reserve others, cancel that "
            "reservation first."
        ),
    ),
}
CANCEL_CONFLICTS = {
    "reservation-ended": (FORM, N_("This reservation has already ended.")),
}
MOVE_OUT_CONFLICTS = {
    "already-moved-out": (FORM, N_("The household has already moved out.")),
}
TRANSFER_CONFLICTS = {
    "not-enough-beds": ("unit_id", N_("This unit does not have enough free beds.")),
    "already-moved-out": (FORM, N_("The household has already moved out.")),
}


@dataclass(frozen=True)
class Resident:
    """A household living in a unit now, as the board shows it."""

    placement_id: uuid.UUID
    unit_id: uuid.UUID
    notice_number: str
    bed_count: int
    moved_in_on: date


# --- occupancy board -----------------------------------------------------------------


@router.get("/", name="ui_home")
async def board(request: Request, session: DbSession, principal: Officer) -> Response:
    sites = await service.get_all_sites(session=session, principal=principal)
    residents = await _residents(session)
    filters = _board_filters(request, sites)
    shown, total = board_units(
        sites,
        {unit: [r.notice_number for r in living] for unit, living in residents.items()},
        filters,
        size=BOARD_PAGE_SIZE,
    )
    return await render(
        request,
        "housing/board.html",
        {
            "sites": shown,
            "any_site": bool(sites),
            "filters": filters,
            "total": total,
            "pager": pager(filters.page, total, BOARD_PAGE_SIZE, same_query(request)),
            "site_options": [(str(site.id), site.name) for site in sites],
            "residents": residents,
            "kind_labels": SITE_KIND_LABELS,
            "totals": {
                "beds": sum(site.beds for site in sites),
                "occupied": sum(site.occupied for site in sites),
                "reserved": sum(site.reserved for site in sites),
                "free": sum(site.free for site in sites),
            },
        },
        section="ui_home",
    )


def _board_filters(request: Request, sites: Sequence[SiteOut]) -> BoardFilters:
    """The board's filters as asked; a site that is not (or no longer) listed means all."""
    params = request.query_params
    site_ids = {str(site.id): site.id for site in sites}
    return BoardFilters(
        query=params.get("q", ""),
        site_id=site_ids.get(params.get("site", "")),
        free_only=params.get("free") == "on",
        page=page_number(params.get("page")),
    )


async def _residents(session: AsyncSession) -> dict[uuid.UUID, list[Resident]]:
    """Unit id → the households living there now.

    A read the API does not offer (its site view lists household ids only); it belongs in
    `service` once the API needs it too.
    """
    rows = await session.execute(
        select(
            Placement.id,
            Placement.unit_id,
            Placement.household_id,
            Placement.bed_count,
            Placement.moved_in_on,
            WaitingHousehold.allocation_notice_number,
        )
        .join(
            WaitingHousehold,
            WaitingHousehold.household_id == Placement.household_id,
            isouter=True,
        )
        .where(service.occupying(today()))
        .order_by(Placement.moved_in_on, Placement.created_at)
    )
    residents: dict[uuid.UUID, list[Resident]] = {}
    for placement_id, unit_id, household_id, bed_count, moved_in_on, number in rows:
        residents.setdefault(unit_id, []).append(
            Resident(placement_id, unit_id, number or str(household_id), bed_count, moved_in_on)
        )
    return residents


# --- waiting queue and placing -------------------------------------------------------


@router.get("/warteliste", name="waiting_queue")
async def waiting_queue(request: Request, session: DbSession, principal: Officer) -> Response:
    return await _waiting_queue_page(request, session, principal)


async def _waiting_queue_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    households = await service.get_waiting_queue(session=session, principal=principal)
    reserved_in = [h.reservation.unit_id for h in households if h.reservation]
    return await render(
        request,
        "housing/waiting_queue.html",
        {"households": households, "places": await _places(session, reserved_in)},
        section="waiting_queue",
        errors=errors,
        status_code=status_code,
    )


@router.get(
    "/warteliste/{household_id}/unterbringen",
    name="place_form",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def place_form(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    household = await _waiting(session, principal, household_id)
    reservation = await service.get_active_reservation(session=session, household_id=household_id)
    values = {
        "unit_id": str(reservation.unit_id) if reservation else "",
        "moved_in_on": date_input_value(today(), texts(request).locale),
        "bed_count": "",
        "split_reason": "",
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
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in PLACE_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {
        "household_id": household_id,
        "split_reason": values["split_reason"] or None,
    }
    if values["unit_id"]:
        data["unit_id"] = values["unit_id"]
    else:
        errors["unit_id"] = page_texts.gettext(CHOOSE)
    put_date(data, "moved_in_on", values["moved_in_on"], errors, page_texts)
    data["bed_count"] = values["bed_count"] or None
    placement_in, errors = request_model(
        PlacementIn, data, page_texts, fields=PLACE_FIELDS, typed_errors=errors
    )
    if placement_in is not None:
        try:
            placement = await service.place(
                session=session, principal=principal, placement_in=placement_in
            )
        except ProblemError as problem:
            errors = problem_errors(
                problem, page_texts, fields=PLACE_FIELDS, conflicts=PLACE_CONFLICTS
            )
        else:
            flash(
                request,
                page_texts.ngettext(
                    "Household %(number)s is placed in %(site)s, unit %(unit)s (%(num)s bed).",
                    "Household %(number)s is placed in %(site)s, unit %(unit)s (%(num)s beds).",
                    placement.bed_count,
                )
                % {
                    "number": await _notice_number(session, placement.household_id),
                    **await _where(session, placement),
                },
            )
            return RedirectResponse(page_path(request, "ui_home"), status_code=303)
    await session.rollback()
    household = await _waiting(session, principal, household_id)
    return await _place_page(
        request,
        session,
        principal,
        household,
        values,
        errors=in_field_order(errors, PLACE_FIELDS),
        status_code=422,
    )


async def _waiting(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> WaitingHousehold:
    return await service.get_waiting_household(
        session=session, principal=principal, household_id=household_id
    )


async def _place_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    household: WaitingHousehold,
    values: Mapping[str, str],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    # As this household sees them: its own reserved beds are free for it.
    sites = await service.get_all_sites(
        session=session, principal=principal, for_household=household.household_id
    )
    return await _beds_page(
        request,
        session,
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
    values = {"unit_id": "", "bed_count": "", "split_reason": ""}
    return await _reserve_page(request, session, principal, household, values)


@router.post(
    "/warteliste/{household_id}/reservieren",
    name="reserve",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def reserve(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in RESERVE_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {
        "household_id": household_id,
        "bed_count": values["bed_count"] or None,
        "split_reason": values["split_reason"] or None,
    }
    if values["unit_id"]:
        data["unit_id"] = values["unit_id"]
    else:
        errors["unit_id"] = page_texts.gettext(CHOOSE)
    reservation_in, errors = request_model(
        ReservationIn, data, page_texts, fields=RESERVE_FIELDS, typed_errors=errors
    )
    if reservation_in is not None:
        try:
            reservation = await service.reserve(
                session=session, principal=principal, reservation_in=reservation_in
            )
        except ProblemError as problem:
            errors = problem_errors(
                problem, page_texts, fields=RESERVE_FIELDS, conflicts=RESERVE_CONFLICTS
            )
        else:
            site, unit = await _place_of(session, reservation) or ("", "")
            flash(
                request,
                page_texts.ngettext(
                    "%(num)s bed in %(site)s, unit %(unit)s is reserved for household %(number)s.",
                    "%(num)s beds in %(site)s, unit %(unit)s are reserved for household "
                    "%(number)s.",
                    reservation.bed_count,
                )
                % {
                    "num": reservation.bed_count,
                    "site": site,
                    "unit": unit,
                    "number": await _notice_number(session, household_id),
                },
            )
            return RedirectResponse(page_path(request, "waiting_queue"), status_code=303)
    await session.rollback()
    household = await _waiting(session, principal, household_id)
    return await _reserve_page(
        request,
        session,
        principal,
        household,
        values,
        errors=in_field_order(errors, RESERVE_FIELDS),
        status_code=422,
    )


async def _reserve_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    household: WaitingHousehold,
    values: Mapping[str, str],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    # Its own reserved beds count as taken: it holds one reservation, cancelled to change.
    sites = await service.get_all_sites(session=session, principal=principal)
    return await _beds_page(
        request,
        session,
        "housing/reserve_form.html",
        household,
        sites,
        values,
        errors=errors,
        status_code=status_code,
    )


async def _beds_page(
    request: Request,
    session: AsyncSession,
    template: str,
    household: WaitingHousehold,
    sites: Sequence[SiteOut],
    values: Mapping[str, str],
    *,
    errors: FormErrors | None,
    status_code: int,
) -> Response:
    """A form choosing beds for a waiting household (placing, reserving): the units with
    free beds, and the household's reservation if it has one."""
    reservation = await service.get_active_reservation(
        session=session, household_id=household.household_id
    )
    return await render(
        request,
        template,
        {
            "household": household,
            "reservation": reservation,
            "place": await _place_of(session, reservation),
            "sites": [site for site in sites if site.free > 0],
            "kind_labels": SITE_KIND_LABELS,
            "values": values,
            "labels": field_labels(FIELD_LABELS, texts(request)),
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
    await read_form(request)
    page_texts = texts(request)
    try:
        reservation = await service.cancel_reservation(
            session=session, principal=principal, reservation_id=reservation_id
        )
    except ProblemError as problem:
        if isinstance(problem, NotFound):
            raise
        await session.rollback()
        errors = problem_errors(problem, page_texts, fields=(), conflicts=CANCEL_CONFLICTS)
        return await _waiting_queue_page(
            request, session, principal, errors=errors, status_code=409
        )
    site, unit = await _place_of(session, reservation) or ("", "")
    flash(
        request,
        page_texts.ngettext(
            "The reservation for household %(number)s is cancelled: %(num)s bed in "
            "%(site)s, unit %(unit)s is free again.",
            "The reservation for household %(number)s is cancelled: %(num)s beds in "
            "%(site)s, unit %(unit)s are free again.",
            reservation.bed_count,
        )
        % {
            "number": await _notice_number(session, reservation.household_id),
            "num": reservation.bed_count,
            "site": site,
            "unit": unit,
        },
    )
    return RedirectResponse(page_path(request, "waiting_queue"), status_code=303)


# --- moving out ----------------------------------------------------------------------


@router.get(
    "/belegungen/{placement_id}/auszug",
    name="move_out_form",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def move_out_form(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    values = {"moved_out_on": date_input_value(today(), texts(request).locale), "reason": ""}
    return await _move_out_page(request, session, principal, placement_id, values)


@router.post(
    "/belegungen/{placement_id}/auszug", name="move_out", dependencies=[applies_scope(PLACEMENTS)]
)
async def move_out(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in MOVE_OUT_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {}
    put_date(data, "moved_out_on", values["moved_out_on"], errors, page_texts)
    if values["reason"]:
        data["reason"] = values["reason"]
    else:
        errors["reason"] = page_texts.gettext(CHOOSE)
    move_out_in, errors = request_model(
        MoveOutIn, data, page_texts, fields=MOVE_OUT_FIELDS, typed_errors=errors
    )
    if move_out_in is not None:
        try:
            placement = await service.move_out(
                session=session,
                principal=principal,
                placement_id=placement_id,
                move_out_in=move_out_in,
            )
        except ProblemError as problem:
            if isinstance(problem, NotFound):
                raise
            errors = problem_errors(
                problem, page_texts, fields=MOVE_OUT_FIELDS, conflicts=MOVE_OUT_CONFLICTS
            )
        else:
            flash(request, await _moved_out_message(session, placement, page_texts))
            return RedirectResponse(page_path(request, "ui_home"), status_code=303)
    await session.rollback()
    return await _move_out_page(
        request,
        session,
        principal,
        placement_id,
        values,
        errors=in_field_order(errors, MOVE_OUT_FIELDS),
        status_code=422,
    )


async def _move_out_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    placement_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    placement = await _placement(session, principal, placement_id, refused=errors is not None)
    site: Site | None = await session.get(Site, placement.site_id)
    unit: Unit | None = await session.get(Unit, placement.unit_id)
    page_texts = texts(request)
    return await render(
        request,
        "housing/move_out_form.html",
        {
            "placement": placement,
            "notice_number": await _notice_number(session, placement.household_id),
            "site": site,
            "unit": unit,
            "values": values,
            "reason_options": options(MOVE_OUT_LABELS, page_texts),
            "labels": field_labels(FIELD_LABELS, page_texts),
        },
        section="ui_home",
        errors=errors,
        status_code=status_code,
    )


# --- moving to another unit ----------------------------------------------------------


@router.get(
    "/belegungen/{placement_id}/umzug",
    name="transfer_form",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def transfer_form(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    values = {
        "unit_id": "",
        "moved_on": date_input_value(today(), texts(request).locale),
        "bed_count": "",
        "split_reason": "",
    }
    return await _transfer_page(request, session, principal, placement_id, values)


@router.post(
    "/belegungen/{placement_id}/umzug", name="transfer", dependencies=[applies_scope(PLACEMENTS)]
)
async def transfer(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in TRANSFER_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {
        "bed_count": values["bed_count"] or None,
        "split_reason": values["split_reason"] or None,
    }
    if values["unit_id"]:
        data["unit_id"] = values["unit_id"]
    else:
        errors["unit_id"] = page_texts.gettext(CHOOSE)
    put_date(data, "moved_on", values["moved_on"], errors, page_texts)
    transfer_in, errors = request_model(
        TransferIn, data, page_texts, fields=TRANSFER_FIELDS, typed_errors=errors
    )
    if transfer_in is not None:
        try:
            placement = await service.transfer(
                session=session,
                principal=principal,
                placement_id=placement_id,
                transfer_in=transfer_in,
            )
        except ProblemError as problem:
            if isinstance(problem, NotFound):
                raise
            errors = problem_errors(
                problem, page_texts, fields=TRANSFER_FIELDS, conflicts=TRANSFER_CONFLICTS
            )
        else:
            flash(
                request,
                page_texts.ngettext(
                    "Household %(number)s has moved to %(site)s, unit %(unit)s (%(num)s bed).",
                    "Household %(number)s has moved to %(site)s, unit %(unit)s (%(num)s beds).",
                    placement.bed_count,
                )
                % {
                    "number": await _notice_number(session, placement.household_id),
                    **await _where(session, placement),
                },
            )
            return RedirectResponse(page_path(request, "ui_home"), status_code=303)
    await session.rollback()
    return await _transfer_page(
        request,
        session,
        principal,
        placement_id,
        values,
        errors=in_field_order(errors, TRANSFER_FIELDS),
        status_code=422,
    )


async def _transfer_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    placement_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    placement = await _placement(session, principal, placement_id, refused=errors is not None)
    household = await session.get(WaitingHousehold, placement.household_id)
    if household is None:
        raise NotFound("placement")
    sites = await service.get_all_sites(session=session, principal=principal)
    targets = [
        site
        for site in sites
        if any(unit.free > 0 and unit.id != placement.unit_id for unit in site.units)
    ]
    return await render(
        request,
        "housing/transfer_form.html",
        {
            "placement": placement,
            "household": household,
            "notice_number": household.allocation_notice_number,
            "site": await session.get(Site, placement.site_id),
            "unit": await session.get(Unit, placement.unit_id),
            "targets": targets,
            "kind_labels": SITE_KIND_LABELS,
            "values": values,
            "labels": field_labels(FIELD_LABELS, texts(request)),
        },
        section="ui_home",
        errors=errors,
        status_code=status_code,
    )


# --- small helpers -------------------------------------------------------------------


async def _placement(
    session: AsyncSession, principal: Principal, placement_id: uuid.UUID, *, refused: bool
) -> Placement:
    """The placement a move form is about; 404 once it has ended, unless the form is shown
    again to say why it was refused (it ended meanwhile)."""
    placement = await PLACEMENTS.get(session, principal, placement_id)
    if placement.moved_out_on is not None and not refused:
        raise NotFound("placement")
    return placement


async def _moved_out_message(session: AsyncSession, placement: Placement, page_texts: Texts) -> str:
    """Freed now, or scheduled: the beds stay occupied until the move-out day."""
    where = await _where(session, placement)
    assert placement.moved_out_on is not None
    if placement.moved_out_on > today():
        where["day"] = date_input_value(placement.moved_out_on, page_texts.locale)
        return str(
            page_texts.ngettext(
                "Move-out scheduled: %(num)s bed in %(site)s, unit %(unit)s is free from %(day)s.",
                "Move-out scheduled: %(num)s beds in %(site)s, unit %(unit)s are free from "
                "%(day)s.",
                placement.bed_count,
            )
            % where
        )
    return str(
        page_texts.ngettext(
            "Move-out recorded: %(num)s bed in %(site)s, unit %(unit)s is free again.",
            "Move-out recorded: %(num)s beds in %(site)s, unit %(unit)s are free again.",
            placement.bed_count,
        )
        % where
    )


async def _notice_number(session: AsyncSession, household_id: uuid.UUID) -> str:
    household = await session.get(WaitingHousehold, household_id)
    return household.allocation_notice_number if household else str(household_id)


async def _where(session: AsyncSession, placement: Placement) -> dict[str, str | int]:
    """Where a placement is (site, unit) and its beds, for the confirmations."""
    site = await session.get(Site, placement.site_id)
    unit = await session.get(Unit, placement.unit_id)
    return {
        "site": site.name if site else "",
        "unit": unit.name if unit else "",
        "num": placement.bed_count,
    }


async def _places(
    session: AsyncSession, unit_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """Unit id → (site name, unit name), for saying where beds are reserved."""
    if not unit_ids:
        return {}
    rows = await session.execute(
        select(Unit.id, Site.name, Unit.name)
        .join(Site, Site.id == Unit.site_id)
        .where(Unit.id.in_(unit_ids))
    )
    return {unit_id: (site, unit) for unit_id, site, unit in rows}


async def _place_of(
    session: AsyncSession, reservation: Reservation | None
) -> tuple[str, str] | None:
    if reservation is None:
        return None
    return (await _places(session, [reservation.unit_id])).get(reservation.unit_id)


# --- sites, units and beds ------------------------------------------------------------

SITE_FIELDS = ("name", "kind", "address", "unit_name", "beds", "accessible")
SITE_LABELS = {
    "name": N_("Name of the site"),
    "kind": N_("Kind of accommodation"),
    "address": N_("Address"),
    "unit_name": N_("Name of the unit"),
    "beds": N_("Number of beds"),
    "accessible": N_("Barrier-free"),
    "count": N_("Beds to add"),
}
SITE_CONFLICTS = {
    "duplicate-site": ("name", N_("A site with this name exists already.")),
}


@router.get("/standorte", name="sites")
async def sites(request: Request, session: DbSession, principal: Officer) -> Response:
    return await _sites_page(request, session, principal, {"kind": "", "accessible": False})


@router.post("/standorte", name="create_site")
async def create_site(request: Request, session: DbSession, principal: Officer) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values: dict[str, Any] = {name: text(form, name) for name in SITE_FIELDS}
    values["accessible"] = values["accessible"] == "on"
    errors: FormErrors = {}
    unit: dict[str, Any] = {"accessible": values["accessible"]}
    if values["unit_name"]:
        unit["name"] = values["unit_name"]
    put_whole_number(unit, "beds", values["beds"], errors, page_texts, key="units-0-beds")
    data = {k: values[k] for k in ("name", "kind", "address") if values[k]} | {"units": [unit]}
    fields = list(SITE_FIELDS)
    body, model_errors = request_model(
        SiteIn, data, page_texts, fields=_SITE_MODEL_FIELDS, hints=SITE_HINTS, typed_errors=errors
    )
    errors = {_SITE_FORM_KEYS.get(key, key): message for key, message in model_errors.items()}
    if body is not None:
        try:
            site = await service.create_site(session=session, site_in=body)
        except ProblemError as problem:
            errors = problem_errors(problem, page_texts, fields=fields, conflicts=SITE_CONFLICTS)
        else:
            flash(request, page_texts.gettext("Site %(name)s is recorded.") % {"name": site.name})
            return RedirectResponse(page_path(request, "site", site_id=site.id), status_code=303)
    await session.rollback()
    return await _sites_page(request, session, principal, values, errors=errors, status_code=422)


@router.get("/standorte/{site_id}", name="site", dependencies=[applies_scope(SITES)])
async def site(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    return await _site_page(request, session, principal, site_id)


@router.post("/standorte/{site_id}/name", name="rename_site", dependencies=[applies_scope(SITES)])
async def rename_site(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    name = text(form, "site_name")
    page_texts = texts(request)
    body, errors = request_model(SiteNameIn, {"name": name}, page_texts, fields=["name"])
    if body is not None:
        try:
            await service.rename_site(
                session=session, principal=principal, site_id=site_id, name=body.name
            )
        except ProblemError as problem:
            if problem.status == 404:
                raise
            errors = problem_errors(problem, page_texts, fields=["name"], conflicts=SITE_CONFLICTS)
        else:
            flash(request, page_texts.gettext("The site is now called %(name)s.") % {"name": name})
            return RedirectResponse(page_path(request, "site", site_id=site_id), status_code=303)
    await session.rollback()
    errors = _one_field("site_name", errors)
    return await _site_page(
        request, session, principal, site_id, {"site_name": name}, errors, status_code=422
    )


@router.post("/standorte/{site_id}/einheiten", name="add_unit", dependencies=[applies_scope(SITES)])
async def add_unit(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in ("unit_name", "beds", "accessible")}
    errors: FormErrors = {}
    data: dict[str, Any] = {"accessible": values["accessible"] == "on"}
    if values["unit_name"]:
        data["name"] = values["unit_name"]
    put_whole_number(data, "beds", values["beds"], errors, page_texts)
    body, model_errors = request_model(
        UnitIn, data, page_texts, fields=["name", "beds"], hints=SITE_HINTS, typed_errors=errors
    )
    errors = {_UNIT_FORM_KEYS.get(key, key): message for key, message in model_errors.items()}
    if body is not None:
        await service.add_unit(session=session, principal=principal, site_id=site_id, unit_in=body)
        flash(request, page_texts.gettext("Unit %(unit)s is added.") % {"unit": body.name})
        return RedirectResponse(page_path(request, "site", site_id=site_id), status_code=303)
    return await _site_page(request, session, principal, site_id, values, errors, status_code=422)


# A unit is loaded through its site's scope (service._unit).
@router.post("/einheiten/{unit_id}/name", name="rename_unit", dependencies=[applies_scope(SITES)])
async def rename_unit(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    key = f"unit-{unit_id}-name"
    name = text(form, key)
    body, errors = request_model(UnitNameIn, {"name": name}, page_texts, fields=["name"])
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    site_id = unit.site_id
    if body is not None:
        await service.rename_unit(
            session=session, principal=principal, unit_id=unit_id, name=body.name
        )
        flash(request, page_texts.gettext("The unit is now called %(unit)s.") % {"unit": name})
        return RedirectResponse(page_path(request, "site", site_id=site_id), status_code=303)
    errors = _one_field(key, errors)
    return await _site_page(
        request, session, principal, site_id, {key: name}, errors, status_code=422
    )


@router.post("/einheiten/{unit_id}/betten", name="add_beds", dependencies=[applies_scope(SITES)])
async def add_beds(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    key = f"unit-{unit_id}-count"
    typed = text(form, key)
    errors: FormErrors = {}
    data: dict[str, Any] = {}
    put_whole_number(data, "count", typed, errors, page_texts)
    body, errors = request_model(BedsIn, data, page_texts, fields=["count"], typed_errors=errors)
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    site_id = unit.site_id
    if body is not None:
        await service.add_beds(
            session=session, principal=principal, unit_id=unit_id, count=body.count
        )
        flash(
            request,
            page_texts.ngettext(
                "%(num)s bed is added to unit %(unit)s.",
                "%(num)s beds are added to unit %(unit)s.",
                body.count,
            )
            % {"num": body.count, "unit": unit.name},
        )
        return RedirectResponse(page_path(request, "site", site_id=site_id), status_code=303)
    errors = _one_field(key, errors)
    return await _site_page(
        request, session, principal, site_id, {key: typed}, errors, status_code=422
    )


SITE_HINTS = {
    "beds": N_("Please enter a whole number from 1 to 200."),
    "count": N_("Please enter a whole number from 1 to 200."),
}


def _one_field(key: str, errors: FormErrors) -> FormErrors:
    """The first error of a one-field form, under that field's key on the site page."""
    messages = list(errors.values())
    return {key: messages[0]} if messages else {}


# The request models' field keys, as the site forms name their fields.
_SITE_FORM_KEYS = {"units-0-name": "unit_name", "units-0-beds": "beds"}
_UNIT_FORM_KEYS = {"name": "unit_name"}
_SITE_MODEL_FIELDS = ("name", "kind", "address", "units-0-name", "units-0-beds")


async def _sites_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    values: dict[str, Any],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    page_texts = texts(request)
    return await render(
        request,
        "housing/sites.html",
        {
            "sites": await service.get_all_sites(session=session, principal=principal),
            "values": values,
            "kind_labels": SITE_KIND_LABELS,
            "kind_options": options(SITE_KIND_LABELS, page_texts),
            "labels": field_labels(SITE_LABELS, page_texts),
        },
        section="sites",
        errors=in_field_order(errors or {}, SITE_FIELDS),
        status_code=status_code,
    )


async def _site_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    site_id: uuid.UUID,
    values: Mapping[str, Any] | None = None,
    errors: FormErrors | None = None,
    *,
    status_code: int = 200,
) -> Response:
    found = await service.get_site(session=session, principal=principal, site_id=site_id)
    page_texts = texts(request)
    labels = field_labels(SITE_LABELS, page_texts)
    labels["site_name"] = labels["name"]
    for unit in found.units:
        labels[f"unit-{unit.id}-name"] = page_texts.gettext("Name of unit %(unit)s") % {
            "unit": unit.name
        }
        labels[f"unit-{unit.id}-count"] = page_texts.gettext("Beds to add to unit %(unit)s") % {
            "unit": unit.name
        }
    return await render(
        request,
        "housing/site.html",
        {
            "site": found,
            "values": {"site_name": found.name, **(values or {})},
            "kind_labels": SITE_KIND_LABELS,
            "labels": labels,
        },
        section="sites",
        errors=errors,
        status_code=status_code,
    )


def mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve housing's staff pages under /ui of `app`."""
    mount_staff_ui(
        app,
        settings,
        StaffTool(
            name="housing",
            templates=Path(__file__).parent / "templates",
            sections=(
                Section("ui_home", N_("Occupancy")),
                Section("waiting_queue", N_("Waiting queue")),
                Section("sites", N_("Sites and beds")),
            ),
        ),
        [router],
        outbox=service.outbox,
    )
