"""Staff pages of the household over time: a member added (a birth, a reunited relative),
corrected or removed, and a new residence status with its history; the member's page also
shows their residence obligation (its forms: intake.obligation_pages).

Every change goes through the use case the API calls (`intake.members`); a page only turns
a form into the API's request model and a refusal back into errors next to the fields.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from datetime import date
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import InvalidFields
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import domain, members, obligations, service
from intake.dependencies import HOUSEHOLDS
from intake.domain import (
    REASONS_FOR,
    MemberChangeKind,
    MemberChangeReason,
    ObligationLift,
    ResidenceStatus,
)
from intake.pages import (
    CHANGE_REASON_LABELS,
    FIELD_LABELS,
    HINTS,
    RESIDENCE_LABELS,
    SEX_LABELS,
    Staff,
)
from intake.schemas import MemberAddIn, MemberCorrectionIn, ResidenceStatusIn

router = APIRouter()

REASON_LABELS = CHANGE_REASON_LABELS
FACT_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nationality",
    "languages",
    "special_needs",
)
ADD_FIELDS = (
    "reason",
    *FACT_FIELDS[:-1],
    "residence_status",
    "residence_status_expires_on",
    "special_needs",
)
STATUS_FIELDS = ("residence_status", "valid_from", "expires_on")
REMOVE_FIELDS = ("removal_reason",)
# The residence obligation (§ 12a AufenthG): recorded, and lifted early (intake.obligations).
OBLIGATION_FIELDS = ("bound_until", "recognised_on")
LIFT_FIELDS = ("lifted_on", "lift_reason")
LIFT_LABELS = {
    ObligationLift.EMPLOYMENT: ui.N_(
        "Employment (at least 15 hours a week, subject to social insurance)"
    ),
    ObligationLift.TRAINING: ui.N_("Vocational training"),
    ObligationLift.STUDIES: ui.N_("Studies"),
    ObligationLift.OTHER: ui.N_("Other reason, e.g. hardship"),
}
LABELS = {
    **FIELD_LABELS,
    "reason": ui.N_("Reason"),
    "removal_reason": ui.N_("Reason"),
    "bound_until": ui.N_("Bound to the city until"),
    "recognised_on": ui.N_("Recognised on"),
    "lifted_on": ui.N_("Lifted on"),
    "lift_reason": ui.N_("Why lifted"),
    "valid_from": ui.N_("Valid from"),
    "expires_on": ui.N_("Valid until"),
}
MEMBER_HINTS = {**HINTS, "expires_on": ui.N_("This residence status needs an expiry date.")}
# The rules' own messages (intake.domain), so that the catalogue translates them.
RULE_MESSAGES = (
    ui.N_("not a reason to add a member"),
    ui.N_("a birth more than a year ago is not a new birth"),
    ui.N_("not a reason to remove a member"),
    ui.N_("may not be empty"),
    ui.N_("a status is recorded once it applies, not ahead"),
    ui.N_("lies before the status recorded last"),
    ui.N_("expiry must lie after the day it applies from"),
)
CONFLICTS = {
    "last-member": (
        "removal_reason",
        ui.N_("The household's last member cannot be removed; close the case instead."),
    ),
}


# --- adding a member ------------------------------------------------------------------


@router.get(
    "/haushalte/{household_id}/mitglieder/neu",
    name="new_member",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def new_member(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    values = dict.fromkeys(ADD_FIELDS, "")
    return await _add_page(request, session, principal, household_id, values)


@router.post(
    "/haushalte/{household_id}/mitglieder/neu",
    name="add_member",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def add_member(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=ADD_FIELDS, hints=MEMBER_HINTS)
    values = form.values(ADD_FIELDS)
    data = _facts(form, values)
    for name in ("reason", "sex", "residence_status"):
        form.put_choice(data, name, values[name])
    form.put_date(
        data, "residence_status_expires_on", values["residence_status_expires_on"], required=False
    )
    _require(form, values)
    body = form.model(MemberAddIn, data)
    # The rules run on whatever could be read, so that every error comes in one round.
    problems = domain.addition_problems(
        domain.MemberFacts(
            data.get("date_of_birth"),
            _residence_status(data.get("residence_status")),
            data.get("residence_status_expires_on"),
        ),
        _reason(data.get("reason")),
        today(),
    )
    if problems:
        form.add_problem(InvalidFields(problems))
        body = None
    if body is not None:
        household = await form.call(
            members.add_member(
                session=session,
                principal=principal,
                household_id=household_id,
                member=body,
                today=today(),
            )
        )
        if household is not None:
            return form.done(
                ui.page_path(request, "household", household_id=household_id),
                form.texts.gettext("%(name)s now belongs to the household.")
                % {"name": f"{body.given_name} {body.family_name}"},
            )
    return await form.again(
        lambda errors: _add_page(request, session, principal, household_id, values, errors)
    )


async def _add_page(
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
        "intake/member_new.html",
        {
            "household": household,
            "values": values,
            "reason_options": _reasons(MemberChangeKind.ADDED, page_texts),
            "sex_options": ui.options(SEX_LABELS, page_texts),
            "residence_options": ui.options(RESIDENCE_LABELS, page_texts),
            "labels": ui.field_labels(LABELS, page_texts),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, ADD_FIELDS),
    )


# --- one member: correct, new residence status, remove ----------------------------------


@router.get(
    "/haushalte/{household_id}/mitglieder/{member_id}",
    name="member",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def member(
    request: Request,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    return await member_page(request, session, principal, household_id, member_id)


@router.post(
    "/haushalte/{household_id}/mitglieder/{member_id}/korrektur",
    name="correct_member",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def correct_member(
    request: Request,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, fields=FACT_FIELDS, hints=MEMBER_HINTS)
    values = form.values(FACT_FIELDS)
    data = _facts(form, values)
    form.put_choice(data, "sex", values["sex"])
    _require(form, values)
    body = form.model(MemberCorrectionIn, data)
    if body is not None:
        household = await form.call(
            members.correct_member(
                session=session,
                principal=principal,
                household_id=household_id,
                member_id=member_id,
                correction=body,
                today=today(),
            )
        )
        if household is not None:
            return form.done(
                ui.page_path(request, "household", household_id=household_id),
                form.texts.gettext("The member's facts are corrected."),
            )
    return await form.again(
        lambda errors: member_page(
            request, session, principal, household_id, member_id, facts=values, errors=errors
        )
    )


@router.post(
    "/haushalte/{household_id}/mitglieder/{member_id}/aufenthaltsstatus",
    name="change_residence_status",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def change_residence_status(
    request: Request,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, fields=STATUS_FIELDS, hints=MEMBER_HINTS)
    values = form.values(STATUS_FIELDS)
    data: dict[str, Any] = {}
    form.put_choice(data, "residence_status", values["residence_status"])
    form.put_date(data, "valid_from", values["valid_from"])
    form.put_date(data, "expires_on", values["expires_on"], required=False)
    body = form.model(ResidenceStatusIn, data)
    if body is not None:
        record = await form.call(
            members.change_residence_status(
                session=session,
                principal=principal,
                household_id=household_id,
                member_id=member_id,
                change=body,
                today=today(),
            )
        )
        if record is not None:
            return form.done(
                ui.page_path(request, "member", household_id=household_id, member_id=member_id),
                form.texts.gettext("The new residence status is recorded."),
            )
    return await form.again(
        lambda errors: member_page(
            request, session, principal, household_id, member_id, status=values, errors=errors
        )
    )


@router.post(
    "/haushalte/{household_id}/mitglieder/{member_id}/entfernen",
    name="remove_member",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def remove_member(
    request: Request,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=REMOVE_FIELDS, conflicts=CONFLICTS, status=422
    )
    values = form.values(REMOVE_FIELDS)
    data: dict[str, Any] = {}
    form.put_choice(data, "removal_reason", values["removal_reason"])
    if form.ok:
        try:
            reason = MemberChangeReason(data["removal_reason"])
        except ValueError:
            form.refuse("removal_reason", ui.CHOOSE)
        else:
            household = await form.call(
                members.remove_member(
                    session=session,
                    principal=principal,
                    household_id=household_id,
                    member_id=member_id,
                    reason=reason,
                    today=today(),
                )
            )
            if household is not None:
                return form.done(
                    ui.page_path(request, "household", household_id=household_id),
                    form.texts.gettext("The member no longer belongs to the household."),
                )
            form.rename({"reason": "removal_reason"})
    return await form.again(
        lambda errors: member_page(
            request, session, principal, household_id, member_id, removal=values, errors=errors
        )
    )


async def member_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    facts: dict[str, str] | None = None,
    status: dict[str, str] | None = None,
    removal: dict[str, str] | None = None,
    obligation: dict[str, str] | None = None,
    lifting: dict[str, str] | None = None,
    errors: ui.FormErrors | None = None,
) -> Response:
    """The member's page (also shown again with the errors of one of its forms)."""
    household, found, history = await members.member_record(
        session=session, principal=principal, household_id=household_id, member_id=member_id
    )
    bound = await obligations.of_member(
        session=session, principal=principal, household_id=household_id, member_id=member_id
    )
    page_texts = ui.texts(request)
    recorded = {
        "given_name": found.given_name,
        "family_name": found.family_name,
        "date_of_birth": ui.date_input_value(found.date_of_birth, page_texts.locale),
        "sex": found.sex.value,
        "nationality": found.nationality,
        "languages": ", ".join(found.languages),
        "special_needs": found.special_needs or "",
    }
    return await ui.render(
        request,
        "intake/member.html",
        {
            "household": household,
            "member": found,
            "history": history,
            "facts": facts or recorded,
            "status": status or dict.fromkeys(STATUS_FIELDS, ""),
            "removal": removal or dict.fromkeys(REMOVE_FIELDS, ""),
            "sex_labels": SEX_LABELS,
            "residence_labels": RESIDENCE_LABELS,
            "sex_options": ui.options(SEX_LABELS, page_texts),
            "residence_options": ui.options(RESIDENCE_LABELS, page_texts),
            "removal_options": _reasons(MemberChangeKind.REMOVED, page_texts),
            "obligation": bound,
            "obligation_values": obligation or _recorded_obligation(bound, page_texts),
            "lifting": lifting or dict.fromkeys(LIFT_FIELDS, ""),
            "lift_labels": LIFT_LABELS,
            "lift_options": ui.options(LIFT_LABELS, page_texts),
            "labels": ui.field_labels(LABELS, page_texts),
        },
        section="ui_home",
        errors=ui.in_field_order(
            errors or {},
            (*FACT_FIELDS, *STATUS_FIELDS, *OBLIGATION_FIELDS, *LIFT_FIELDS, *REMOVE_FIELDS),
        ),
    )


class RecordedObligation(Protocol):
    """What the member's page shows of a residence obligation."""

    @property
    def bound_until(self) -> date: ...
    @property
    def recognised_on(self) -> date | None: ...


def _recorded_obligation(bound: RecordedObligation | None, page_texts: ui.Texts) -> dict[str, str]:
    """The record form filled with the obligation as recorded (recording again corrects it)."""
    if bound is None:
        return dict.fromkeys(OBLIGATION_FIELDS, "")
    return {
        "bound_until": ui.date_input_value(bound.bound_until, page_texts.locale),
        "recognised_on": ui.date_input_value(bound.recognised_on, page_texts.locale)
        if bound.recognised_on
        else "",
    }


# --- small helpers -------------------------------------------------------------------


def _facts(form: ui.FormAction, values: dict[str, str]) -> dict[str, Any]:
    """A member's facts typed in the form, as the request models take them."""
    data: dict[str, Any] = {
        "nationality": values["nationality"].upper(),
        "languages": ui.language_codes(values["languages"]),
        "special_needs": values["special_needs"] or None,
    }
    for name in ("given_name", "family_name"):
        if values[name]:
            data[name] = values[name]
    form.put_date(data, "date_of_birth", values["date_of_birth"])
    return data


def _residence_status(value: Any) -> ResidenceStatus | None:
    try:
        return ResidenceStatus(value)
    except ValueError:
        return None


def _reason(value: Any) -> MemberChangeReason:
    try:
        return MemberChangeReason(value)
    except ValueError:
        return MemberChangeReason.OTHER  # no reason chosen: its own error says so


def _require(form: ui.FormAction, values: dict[str, str]) -> None:
    """A member's name and nationality are never empty (a correction cannot empty them)."""
    for name in ("given_name", "family_name", "nationality"):
        if not values[name]:
            form.refuse(name, ui.REQUIRED)


def _reasons(kind: MemberChangeKind, page_texts: ui.Texts) -> list[tuple[str, str]]:
    fitting = {
        reason: label for reason, label in REASON_LABELS.items() if reason in REASONS_FOR[kind]
    }
    return ui.options(fitting, page_texts)
