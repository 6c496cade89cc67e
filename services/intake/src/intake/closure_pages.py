"""Staff page of closing a household's case (Fall abschließen): the reason and the day;
refused as "moved away" while a member is bound to the city (§ 12a AufenthG).

Every change goes through the use case the API calls (`intake.closure`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import closure, service
from intake.dependencies import HOUSEHOLDS
from intake.domain import ClosureReason
from intake.pages import Staff
from intake.schemas import ClosureIn

router = APIRouter()

FIELDS = ("reason", "closed_on")
LABELS = {"reason": ui.N_("Reason"), "closed_on": ui.N_("Closed on")}
REASON_LABELS = {
    ClosureReason.MOVED_AWAY: ui.N_("Moved away from the city"),
    ClosureReason.NATURALISED: ui.N_("Naturalised"),
    ClosureReason.OTHER: ui.N_("Case ended otherwise"),
}
# The § 12a refusal names the member and the day; the page says it in its own words.
HINTS = {
    "reason": ui.N_(
        "A member of the household is still bound to the city (residence obligation, "
        "§ 12a AufenthG): the obligation must be lifted first, or another reason chosen."
    )
}
RULE_MESSAGES = (
    ui.N_("the case is closed already"),
    ui.N_("a case is closed on a day not ahead"),
    ui.N_("a case cannot close before its allocation"),
)


@router.get(
    "/haushalte/{household_id}/abschluss",
    name="close_case",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def closure_page(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    return await _page(request, session, principal, household_id, dict.fromkeys(FIELDS, ""))


@router.post(
    "/haushalte/{household_id}/abschluss",
    name="submit_closure",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def submit_closure(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=FIELDS, hints=HINTS)
    values = form.values(FIELDS)
    data: dict[str, Any] = {}
    form.put_choice(data, "reason", values["reason"])
    form.put_date(data, "closed_on", values["closed_on"])
    body = form.model(ClosureIn, data)
    if body is not None:
        closed = await form.call(
            closure.close(
                session=session,
                principal=principal,
                household_id=household_id,
                closure_in=body,
                today=today(),
            )
        )
        if closed is not None:
            return form.done(
                ui.page_path(request, "household", household_id=household_id),
                form.texts.gettext("The case is closed."),
            )
    return await form.again(
        lambda errors: _page(request, session, principal, household_id, values, errors)
    )


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: dict[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    household = await service.get(session=session, principal=principal, household_id=household_id)
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "intake/closure.html",
        {
            "household": household,
            "reason_options": ui.options(REASON_LABELS, page_texts),
            "reason_labels": REASON_LABELS,
            "values": values,
            "labels": ui.field_labels(LABELS, page_texts),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, FIELDS),
    )
