"""Closing a unit or a bed for a time (repair, quarantine), and who lives in what is
closed, to move them. The change goes through `closures.close`, the use case the API
calls."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.housing import ClosureReason
from teilhabe.scope import applies_scope

from housing import closures
from housing.dependencies import SITES
from housing.pages.common import Officer
from housing.schemas import ClosureIn

router = APIRouter()

CLOSURE_FIELDS = ("bed_id", "reason", "starts_on", "ends_on")
CLOSURE_LABELS = {
    "bed_id": ui.N_("Bed"),
    "starts_on": ui.N_("Closed from"),
    "ends_on": ui.N_("Closed until (inclusive)"),
    "reason": ui.N_("Reason"),
}
REASON_LABELS = {
    ClosureReason.REPAIR: ui.N_("Repair"),
    ClosureReason.QUARANTINE: ui.N_("Quarantine"),
}
# The rules' own messages (housing.domain, housing.closures), for the catalogue.
RULE_MESSAGES = (
    ui.N_("a closure cannot end before it starts"),
    ui.N_("no bed with this id in this unit"),
)


@router.get(
    "/einheiten/{unit_id}/sperrungen", name="unit_closures", dependencies=[applies_scope(SITES)]
)
async def unit_closures(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    values = {
        "bed_id": "",
        "reason": "",
        "starts_on": ui.date_input_value(today(), ui.texts(request).locale),
        "ends_on": "",
    }
    return await _closures_page(request, session, principal, unit_id, values)


@router.post(
    "/einheiten/{unit_id}/sperrungen", name="close_unit", dependencies=[applies_scope(SITES)]
)
async def close_unit(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, fields=CLOSURE_FIELDS)
    values = form.values(CLOSURE_FIELDS)
    data: dict[str, Any] = {"bed_id": values["bed_id"] or None}
    form.put_choice(data, "reason", values["reason"])
    form.put_date(data, "starts_on", values["starts_on"])
    form.put_date(data, "ends_on", values["ends_on"])
    body = form.model(ClosureIn, data)
    if body is not None:
        closure = await form.call(
            closures.close(session=session, principal=principal, unit_id=unit_id, closure_in=body)
        )
        if closure is not None:
            locale = form.texts.locale
            return form.done(
                ui.page_path(request, "unit_closures", unit_id=unit_id),
                form.texts.gettext("Closed from %(start)s to %(end)s.")
                % {
                    "start": ui.date_input_value(closure.starts_on, locale),
                    "end": ui.date_input_value(closure.ends_on, locale),
                },
            )
    return await form.again(
        lambda errors: _closures_page(request, session, principal, unit_id, values, errors=errors)
    )


async def _closures_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    unit_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    shown = await closures.get_unit_closures(session=session, principal=principal, unit_id=unit_id)
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "housing/closures.html",
        {
            "unit": shown,
            "values": values,
            "bed_options": [(str(bed.id), bed.label) for bed in shown.beds],
            "reason_options": ui.options(REASON_LABELS, page_texts),
            "reason_labels": REASON_LABELS,
            "labels": ui.field_labels(CLOSURE_LABELS, page_texts),
        },
        section="sites",
        errors=errors,
    )
