"""Recording a household's arrival with the persons who really came; through
`arrivals.record_arrival`, the use case the API calls (audited, household.arrived)."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from housing import arrivals, service
from housing.dependencies import WAITING_HOUSEHOLDS
from housing.pages.common import AGE_GROUP_LABELS, Officer
from housing.schemas import ArrivalIn

router = APIRouter()

ARRIVAL_FIELDS = ("arrived_on", "member_ids", "person_count")
ARRIVAL_LABELS = {
    "arrived_on": ui.N_("Arrived on"),
    "member_ids": ui.N_("Who came"),
    "person_count": ui.N_("Number of persons who came"),
}
ARRIVAL_CONFLICTS = {
    "arrival-recorded": (ui.FORM, ui.N_("The household's arrival is already recorded.")),
}
RULE_MESSAGES = (
    ui.N_("an arrival cannot lie ahead"),
    ui.N_("an arrival cannot be before the allocation"),
    ui.N_("name at least one member who came"),
    ui.N_("a person named is not a member of the household"),
    ui.N_("how many persons came"),
)


@router.get(
    "/warteliste/{household_id}/ankunft",
    name="arrival_form",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def arrival_form(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    values = {"arrived_on": ui.date_input_value(today(), ui.texts(request).locale)}
    return await _arrival_page(request, session, principal, household_id, values, None)


@router.post(
    "/warteliste/{household_id}/ankunft",
    name="record_arrival",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def record_arrival(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=ARRIVAL_FIELDS, conflicts=ARRIVAL_CONFLICTS
    )
    values: dict[str, Any] = form.values(("arrived_on", "person_count"))
    came = [str(v) for v in form.form.getlist("member_ids")]
    data: dict[str, Any] = {"member_ids": came}
    form.put_date(data, "arrived_on", values["arrived_on"])
    if values["person_count"]:
        form.put_whole_number(data, "person_count", values["person_count"])
    body = form.model(ArrivalIn, data)
    if body is not None:
        recorded = await form.call(
            arrivals.record_arrival(
                session=session, principal=principal, household_id=household_id, arrival_in=body
            )
        )
        if recorded is not None:
            number = await service.get_notice_number(session=session, household_id=household_id)
            return form.done(
                ui.page_path(request, "waiting_queue"),
                form.texts.gettext("The arrival of household %(number)s is recorded.")
                % {"number": number},
            )
    values["member_ids"] = came
    return await form.again(
        lambda errors: _arrival_page(request, session, principal, household_id, values, errors)
    )


async def _arrival_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: dict[str, Any],
    errors: ui.FormErrors | None,
) -> Response:
    household = await service.get_waiting_household(
        session=session, principal=principal, household_id=household_id
    )
    members = await arrivals.get_members(
        session=session, principal=principal, household_id=household_id
    )
    chosen: Sequence[str] = values.get("member_ids", [str(m.member_id) for m in members])
    return await ui.render(
        request,
        "housing/arrival_form.html",
        {
            "household": household,
            "members": members,
            "chosen": chosen,
            "values": values,
            "labels": ui.field_labels(ARRIVAL_LABELS, ui.texts(request)),
            "age_group_labels": AGE_GROUP_LABELS,
        },
        section="waiting_queue",
        errors=errors,
    )
