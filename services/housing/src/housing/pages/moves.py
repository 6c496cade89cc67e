"""Moving a placed household: out (now or scheduled ahead), or to another unit."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.housing import MoveOutReason
from teilhabe.scope import applies_scope

from housing import protection, service
from housing.dependencies import PLACEMENTS
from housing.pages.common import (
    ALREADY_MOVED_OUT,
    FIELD_LABELS,
    NOT_ENOUGH_BEDS,
    SITE_KIND_LABELS,
    Officer,
    where,
)
from housing.schemas import MoveOutIn, PlacedHouseholdOut, PlacementOut, TransferIn

router = APIRouter()

MOVE_OUT_LABELS = {
    MoveOutReason.PRIVATE_HOUSING: ui.N_("Moved into housing of their own"),
    MoveOutReason.TRANSFER: ui.N_("Transferred to other accommodation"),
    MoveOutReason.LEFT_MUNICIPALITY: ui.N_("Left the municipality"),
    MoveOutReason.OTHER: ui.N_("Other reason"),
}
MOVE_OUT_FIELDS = ("moved_out_on", "reason")
TRANSFER_FIELDS = (
    "unit_id",
    "moved_on",
    "bed_count",
    "split_reason",
    "protection_override_reason",
)
MOVE_OUT_CONFLICTS = {"already-moved-out": ALREADY_MOVED_OUT}
TRANSFER_CONFLICTS = {"not-enough-beds": NOT_ENOUGH_BEDS, "already-moved-out": ALREADY_MOVED_OUT}


# --- moving out ----------------------------------------------------------------------


@router.get(
    "/belegungen/{placement_id}/auszug",
    name="move_out_form",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def move_out_form(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    values = {"moved_out_on": ui.date_input_value(today(), ui.texts(request).locale), "reason": ""}
    return await _move_out_page(request, session, principal, placement_id, values)


@router.post(
    "/belegungen/{placement_id}/auszug", name="move_out", dependencies=[applies_scope(PLACEMENTS)]
)
async def move_out(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=MOVE_OUT_FIELDS, conflicts=MOVE_OUT_CONFLICTS
    )
    values = form.values(MOVE_OUT_FIELDS)
    data: dict[str, Any] = {}
    form.put_date(data, "moved_out_on", values["moved_out_on"])
    form.put_choice(data, "reason", values["reason"])
    move_out_in = form.model(MoveOutIn, data)
    if move_out_in is not None:
        placement = await form.call(
            service.move_out(
                session=session,
                principal=principal,
                placement_id=placement_id,
                move_out_in=move_out_in,
            )
        )
        if placement is not None:
            return form.done(
                ui.page_path(request, "ui_home"),
                await _moved_out_message(
                    session, PlacementOut.model_validate(placement), form.texts
                ),
            )
    return await form.again(
        lambda errors: _move_out_page(
            request, session, principal, placement_id, values, errors=errors
        )
    )


async def _move_out_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    placement_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    placed = await _placed(session, principal, placement_id, refused=errors is not None)
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "housing/move_out_form.html",
        {
            "placement": placed.placement,
            "household": placed.household,
            "notice_number": placed.household.allocation_notice_number,
            "place": placed.place,
            "values": values,
            "reason_options": ui.options(MOVE_OUT_LABELS, page_texts),
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="ui_home",
        errors=errors,
        status_code=status_code,
    )


async def _moved_out_message(
    session: DbSession, placement: PlacementOut, page_texts: ui.Texts
) -> str:
    """Freed now, or scheduled: the beds stay occupied until the move-out day."""
    places = await service.get_unit_places(session=session, unit_ids=[placement.unit_id])
    words = where(places.get(placement.unit_id), placement.bed_count)
    assert placement.moved_out_on is not None
    if placement.moved_out_on > today():
        words["day"] = ui.date_input_value(placement.moved_out_on, page_texts.locale)
        return str(
            page_texts.ngettext(
                "Move-out scheduled: %(num)s bed in %(site)s, unit %(unit)s is free from %(day)s.",
                "Move-out scheduled: %(num)s beds in %(site)s, unit %(unit)s are free from "
                "%(day)s.",
                placement.bed_count,
            )
            % words
        )
    return str(
        page_texts.ngettext(
            "Move-out recorded: %(num)s bed in %(site)s, unit %(unit)s is free again.",
            "Move-out recorded: %(num)s beds in %(site)s, unit %(unit)s are free again.",
            placement.bed_count,
        )
        % words
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
        "moved_on": ui.date_input_value(today(), ui.texts(request).locale),
        "bed_count": "",
        "split_reason": "",
        "protection_override_reason": "",
    }
    return await _transfer_page(request, session, principal, placement_id, values)


@router.post(
    "/belegungen/{placement_id}/umzug", name="transfer", dependencies=[applies_scope(PLACEMENTS)]
)
async def transfer(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=TRANSFER_FIELDS, conflicts=TRANSFER_CONFLICTS
    )
    values = form.values(TRANSFER_FIELDS)
    data: dict[str, Any] = {
        "bed_count": values["bed_count"] or None,
        "split_reason": values["split_reason"] or None,
        "protection_override_reason": values["protection_override_reason"] or None,
    }
    form.put_choice(data, "unit_id", values["unit_id"])
    form.put_date(data, "moved_on", values["moved_on"])
    transfer_in = form.model(TransferIn, data)
    if transfer_in is not None:
        placement = await form.call(
            service.transfer(
                session=session,
                principal=principal,
                placement_id=placement_id,
                transfer_in=transfer_in,
            )
        )
        if placement is not None:
            places = await service.get_unit_places(session=session, unit_ids=[placement.unit_id])
            return form.done(
                ui.page_path(request, "ui_home"),
                form.texts.ngettext(
                    "Household %(number)s has moved to %(site)s, unit %(unit)s (%(num)s bed).",
                    "Household %(number)s has moved to %(site)s, unit %(unit)s (%(num)s beds).",
                    placement.bed_count,
                )
                % {
                    "number": await service.get_notice_number(
                        session=session, household_id=placement.household_id
                    ),
                    **where(places.get(placement.unit_id), placement.bed_count),
                },
            )
    return await form.again(
        lambda errors: _transfer_page(
            request, session, principal, placement_id, values, errors=errors
        )
    )


async def _transfer_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    placement_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    placed = await _placed(session, principal, placement_id, refused=errors is not None)
    sites = await service.get_all_sites(session=session, principal=principal)
    current_unit = placed.placement.unit_id
    targets = [
        site
        for site in sites
        if any(unit.free > 0 and unit.id != current_unit for unit in site.units)
    ]
    fit = await protection.get_unit_fit(
        session=session,
        principal=principal,
        household_id=placed.household.household_id,
        units=[(unit.id, unit.protections) for site in targets for unit in site.units],
        language=ui.texts(request).language,
    )
    return await ui.render(
        request,
        "housing/transfer_form.html",
        {
            "placement": placed.placement,
            "household": placed.household,
            "notice_number": placed.household.allocation_notice_number,
            "place": placed.place,
            "targets": targets,
            "fit": fit,
            "kind_labels": SITE_KIND_LABELS,
            "values": values,
            "labels": ui.field_labels(FIELD_LABELS, ui.texts(request)),
        },
        section="ui_home",
        errors=errors,
        status_code=status_code,
    )


async def _placed(
    session: DbSession, principal: Principal, placement_id: uuid.UUID, *, refused: bool
) -> PlacedHouseholdOut:
    """The placement a move form is about; 404 once it has ended, unless the form is shown
    again to say why it was refused (it ended meanwhile)."""
    placed = await service.get_placed_household(
        session=session, principal=principal, placement_id=placement_id
    )
    if placed.placement.moved_out_on is not None and not refused:
        raise NotFound("placement")
    return placed
