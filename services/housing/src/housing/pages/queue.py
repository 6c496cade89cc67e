"""Giving a waiting household priority in the queue, with a reason; through
`service.raise_priority`, the use case the API calls (audited)."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from housing import service
from housing.dependencies import WAITING_HOUSEHOLDS
from housing.pages.common import Officer
from housing.schemas import PriorityIn

router = APIRouter()

PRIORITY_FIELDS = ("reason",)
PRIORITY_LABELS = {"reason": ui.N_("Reason for the priority")}
RULE_MESSAGES = (ui.N_("raising a household's priority needs a reason"),)


@router.get(
    "/warteliste/{household_id}/vorrang",
    name="priority_form",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def priority_form(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    return await _priority_page(request, session, principal, household_id, "")


@router.post(
    "/warteliste/{household_id}/vorrang",
    name="raise_priority",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def raise_priority(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, fields=PRIORITY_FIELDS)
    reason = form.text("reason")
    body = form.model(PriorityIn, {"reason": reason})
    if body is not None:
        household = await form.call(
            service.raise_priority(
                session=session, principal=principal, household_id=household_id, reason=body.reason
            )
        )
        if household is not None:
            return form.done(
                ui.page_path(request, "waiting_queue"),
                form.texts.gettext("Household %(number)s goes ahead in the waiting queue.")
                % {"number": household.allocation_notice_number},
            )
    return await form.again(
        lambda errors: _priority_page(
            request, session, principal, household_id, reason, errors=errors
        )
    )


async def _priority_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    reason: str,
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    household = await service.get_waiting_household(
        session=session, principal=principal, household_id=household_id
    )
    return await ui.render(
        request,
        "housing/priority_form.html",
        {
            "household": household,
            "values": {"reason": reason},
            "labels": ui.field_labels(PRIORITY_LABELS, ui.texts(request)),
        },
        section="waiting_queue",
        errors=errors,
    )
