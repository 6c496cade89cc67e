"""Staff forms of a member's residence obligation (Wohnsitzauflage, § 12a AufenthG) on the
member's page: record it (or correct it), and record that it was lifted early, and why.

Every change goes through the use cases the API calls (`intake.obligations`); a refused
form shows the member's page again with the errors next to the fields.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import domain, obligations
from intake.dependencies import HOUSEHOLDS
from intake.member_pages import LIFT_FIELDS, OBLIGATION_FIELDS, member_page
from intake.pages import Staff
from intake.schemas import ObligationIn, ObligationLiftIn

router = APIRouter()

# The rules' own messages (intake.domain), so that the catalogue translates them.
RULE_MESSAGES = (
    ui.N_("the obligation ends after the recognition"),
    ui.N_("the obligation lasts three years from recognition at most"),
    ui.N_("recognition lies in the future"),
    ui.N_("the obligation is lifted already"),
    ui.N_("an obligation is lifted on a day not ahead"),
    ui.N_("the obligation has ended by then anyway"),
)
# The lifting form names its reason `lift_reason` (the page has other reasons).
_LIFT_MODEL_FIELDS = ("lifted_on", "reason")


@router.post(
    "/haushalte/{household_id}/mitglieder/{member_id}/wohnsitzauflage",
    name="record_obligation",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def record_obligation(
    request: Request,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, fields=OBLIGATION_FIELDS)
    values = form.values(OBLIGATION_FIELDS)
    data: dict[str, Any] = {}
    form.put_date(data, "bound_until", values["bound_until"])
    form.put_date(data, "recognised_on", values["recognised_on"], required=False)
    # The rules run on whatever could be read, so that every error comes in one round.
    problems = domain.obligation_problems(
        bound_until=data.get("bound_until"), recognised_on=data.get("recognised_on"), today=today()
    )
    for key, message in problems.items():
        form.refuse(key, message)
    body = form.model(ObligationIn, data)
    if body is not None:
        recorded = await form.call(
            obligations.record(
                session=session,
                principal=principal,
                household_id=household_id,
                member_id=member_id,
                obligation_in=body,
                today=today(),
            )
        )
        if recorded is not None:
            return form.done(
                ui.page_path(request, "member", household_id=household_id, member_id=member_id),
                form.texts.gettext(
                    "The residence obligation is recorded: bound to the city until %(day)s."
                )
                % {"day": ui.format_date(recorded.bound_until, form.texts.locale)},
            )
    return await form.again(
        lambda errors: member_page(
            request, session, principal, household_id, member_id, obligation=values, errors=errors
        )
    )


@router.post(
    "/haushalte/{household_id}/mitglieder/{member_id}/wohnsitzauflage/aufhebung",
    name="lift_obligation",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def lift_obligation(
    request: Request,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, fields=_LIFT_MODEL_FIELDS)
    values = form.values(LIFT_FIELDS)
    data: dict[str, Any] = {}
    form.put_date(data, "lifted_on", values["lifted_on"])
    form.put_choice(data, "reason", values["lift_reason"])
    body = form.model(ObligationLiftIn, data)
    if body is not None:
        lifted = await form.call(
            obligations.lift(
                session=session,
                principal=principal,
                household_id=household_id,
                member_id=member_id,
                lift_in=body,
                today=today(),
            )
        )
        if lifted is not None:
            return form.done(
                ui.page_path(request, "member", household_id=household_id, member_id=member_id),
                form.texts.gettext("The residence obligation is lifted."),
            )
    form.rename({"reason": "lift_reason"})
    return await form.again(
        lambda errors: member_page(
            request, session, principal, household_id, member_id, lifting=values, errors=errors
        )
    )
