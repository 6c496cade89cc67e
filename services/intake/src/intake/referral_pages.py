"""Staff page of a household's referrals (Vermittlungen): refer a member to a partner
agency or service with a purpose, and record that a referral was accepted, done or
declined.

Every change goes through the use cases the API calls (`intake.referrals`).
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

from intake import referrals
from intake.config import get_settings
from intake.dependencies import HOUSEHOLDS
from intake.domain import REFERRAL_STEPS, ReferralState, ReferralTarget
from intake.pages import Staff, list_downloads
from intake.schemas import ReferralIn, ReferralStateIn

router = APIRouter()

FIELDS = ("member_id", "target", "purpose", "agency")
LABELS = {
    "member_id": ui.N_("Person"),
    "target": ui.N_("Referred to"),
    "purpose": ui.N_("Purpose"),
    "agency": ui.N_("Connected partner agency"),
}
HINTS = {
    "agency": ui.N_(
        "The agency's short name as the city's administrator registered it, "
        "e.g. jobcenter-kreis-coesfeld (lower-case letters, digits, hyphens)."
    )
}
TARGET_LABELS = {
    ReferralTarget.JOBCENTER: ui.N_("Jobcenter"),
    ReferralTarget.IMMIGRATION_OFFICE: ui.N_("Immigration office"),
    ReferralTarget.MIGRATION_COUNSELLING: ui.N_("Migration counselling"),
    ReferralTarget.DOCTOR: ui.N_("Doctor"),
    ReferralTarget.SCHOOL: ui.N_("School"),
    ReferralTarget.COURSE: ui.N_("Course"),
}
STATE_LABELS = {
    ReferralState.SENT: ui.N_("sent"),
    ReferralState.ACCEPTED: ui.N_("accepted"),
    ReferralState.DONE: ui.N_("done"),
    ReferralState.DECLINED: ui.N_("declined"),
}
STEP_BUTTONS = {
    ReferralState.ACCEPTED: ui.N_("Accepted"),
    ReferralState.DONE: ui.N_("Done"),
    ReferralState.DECLINED: ui.N_("Declined"),
}
# The download's columns.
COLUMNS = (
    ui.N_("Sent on"),
    ui.N_("Person"),
    ui.N_("Referred to"),
    ui.N_("Connected partner agency"),
    ui.N_("Purpose"),
    ui.N_("State"),
    ui.N_("State since"),
)
CONFLICTS = {
    "referral-closed": (ui.FORM, ui.N_("This referral is finished already.")),
    "referral-step": (ui.FORM, ui.N_("This referral cannot take that step.")),
}
RULE_MESSAGES = (
    ui.N_("not a member of this household"),
    ui.N_("not a partner agency known to the city"),
)


@router.get(
    "/haushalte/{household_id}/vermittlungen",
    name="referrals",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def referrals_page(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    kind = ui.download_format(request)
    if kind is not None:
        return await _download(request, session, principal, household_id, kind)
    return await _page(request, session, principal, household_id, dict.fromkeys(FIELDS, ""))


@router.post(
    "/haushalte/{household_id}/vermittlungen",
    name="refer",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def refer(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=FIELDS, hints=HINTS)
    values = form.values(FIELDS)
    data: dict[str, Any] = {"agency": values["agency"].lower() or None}
    form.put_choice(data, "member_id", values["member_id"])
    form.put_choice(data, "target", values["target"])
    if values["purpose"]:
        data["purpose"] = values["purpose"]
    else:
        form.refuse("purpose", ui.REQUIRED)
    body = form.model(ReferralIn, data)
    if body is not None:
        made = await form.call(
            referrals.refer(
                session=session,
                principal=principal,
                household_id=household_id,
                referral_in=body,
                today=today(),
                agencies=get_settings().consent_agencies,
            )
        )
        if made is not None:
            return form.done(
                ui.page_path(request, "referrals", household_id=household_id),
                form.texts.gettext("The referral is sent."),
            )
    return await form.again(
        lambda errors: _page(request, session, principal, household_id, values, errors)
    )


@router.post(
    "/haushalte/{household_id}/vermittlungen/{referral_id}/status",
    name="referral_state",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def referral_state(
    request: Request,
    household_id: uuid.UUID,
    referral_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=CONFLICTS, status=409)
    data: dict[str, Any] = {}
    form.put_choice(data, "state", form.text("state"))
    body = form.model(ReferralStateIn, data, fields=["state"])
    if body is not None:
        changed = await form.call(
            referrals.change_state(
                session=session,
                principal=principal,
                household_id=household_id,
                referral_id=referral_id,
                state_in=body,
                today=today(),
            )
        )
        if changed is not None:
            return form.done(
                ui.page_path(request, "referrals", household_id=household_id),
                form.texts.gettext("The referral's state is recorded."),
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
    """The household's referrals as the page lists them, audited as an export."""
    household, found = await referrals.of_household(
        session=session, principal=principal, household_id=household_id, action="export"
    )
    gettext = ui.texts(request).gettext
    members = {m.id: f"{m.family_name}, {m.given_name}" for m in household.members}
    table = ui.Table(
        name=gettext(ui.N_("referrals")),
        title=gettext("Referrals"),
        headers=[gettext(heading) for heading in COLUMNS],
        rows=[
            (
                r.sent_on,
                members.get(r.member_id, ""),
                gettext(TARGET_LABELS[ReferralTarget(r.target)]),
                r.agency,
                r.purpose,
                gettext(STATE_LABELS[ReferralState(r.state)]),
                r.state_changed_on,
            )
            for r in found
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
    household, found = await referrals.of_household(
        session=session, principal=principal, household_id=household_id
    )
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "intake/referrals.html",
        {
            "household": household,
            "referrals": found,
            "members": {m.id: f"{m.family_name}, {m.given_name}" for m in household.members},
            "member_options": [
                (str(m.id), f"{m.family_name}, {m.given_name}") for m in household.members
            ],
            "target_options": ui.options(TARGET_LABELS, page_texts),
            "target_labels": TARGET_LABELS,
            "state_labels": STATE_LABELS,
            "steps": {state.value: sorted(REFERRAL_STEPS[state]) for state in ReferralState},
            "step_buttons": STEP_BUTTONS,
            "values": values,
            "labels": ui.field_labels(LABELS, page_texts),
            "downloads": list_downloads(
                request, ui.page_path(request, "referrals", household_id=household_id)
            ),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, FIELDS),
    )
