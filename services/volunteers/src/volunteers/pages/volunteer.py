"""One volunteer: contact, police clearance (recording, deleting), mentorships (starting
one for a household named by its notice number, ending one)."""

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
from teilhabe.scope import applies_scope

from volunteers import service
from volunteers.dependencies import HOUSEHOLDS, MATCHES, VOLUNTEERS, Rules
from volunteers.domain import ClearanceRules
from volunteers.pages.common import Staff, end_key, labels, page
from volunteers.pages.matching import match, match_conflicts, matched_message
from volunteers.schemas import ClearanceIn, ClearanceOut, MatchEndIn, MatchOut

router = APIRouter()

CLEARANCE_FIELDS = ("inspected_on", "issued_on", "relevant_conviction")
# Matching from a volunteer's page names the household by its notice number.
MATCH_FIELDS = ("allocation_notice_number", "started_on")
CONVICTION_LABELS = {
    "no": ui.N_("No, no relevant conviction is recorded"),
    "yes": ui.N_("Yes, a relevant conviction is recorded"),
}
ALREADY_ENDED = ui.N_("This mentorship has already ended.")
UNKNOWN_HOUSEHOLD = ui.N_(
    "No household with this number is known here. New allocations arrive from intake"
    " within moments; please check the number or try again shortly."
)


@router.get(
    "/ehrenamtliche/{volunteer_id}",
    name="volunteer",
    dependencies=[applies_scope(VOLUNTEERS)],
)
async def volunteer(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff, rules: Rules
) -> Response:
    return await _volunteer_page(request, session, principal, volunteer_id, rules=rules)


@router.post(
    "/ehrenamtliche/{volunteer_id}/fuehrungszeugnis",
    name="record_clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
)
async def record_clearance(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff, rules: Rules
) -> Response:
    form = await ui.FormAction.read(request, session, fields=CLEARANCE_FIELDS)
    values = form.values(CLEARANCE_FIELDS)
    data: dict[str, Any] = {}
    form.put_date(data, "inspected_on", values["inspected_on"])
    form.put_date(data, "issued_on", values["issued_on"])
    if values["relevant_conviction"] in CONVICTION_LABELS:
        data["relevant_conviction"] = values["relevant_conviction"] == "yes"
    else:
        form.refuse("relevant_conviction", ui.CHOOSE)
    clearance_in = form.model(ClearanceIn, data)
    if clearance_in is not None:
        recorded = await form.call(
            service.record_clearance(
                session=session,
                principal=principal,
                volunteer_id=volunteer_id,
                clearance_in=clearance_in,
                today=today(),
                rules=rules,
            )
        )
        if recorded is not None:
            return form.done(
                _volunteer_path(request, volunteer_id),
                form.texts.gettext("The inspected police clearance is recorded."),
            )
    return await form.again(
        lambda errors: _volunteer_page(
            request, session, principal, volunteer_id, rules=rules, values=values, errors=errors
        )
    )


@router.post(
    "/ehrenamtliche/{volunteer_id}/fuehrungszeugnis/loeschen",
    name="delete_clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
)
async def delete_clearance(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session)
    # The volunteer must exist (404 otherwise), whether a clearance is recorded or not.
    await service.get(session=session, principal=principal, volunteer_id=volunteer_id)
    try:
        await service.delete_clearance(
            session=session, principal=principal, volunteer_id=volunteer_id
        )
    except NotFound:  # nothing to delete: said, and no error
        await session.rollback()
        return form.done(
            _volunteer_path(request, volunteer_id),
            form.texts.gettext("No police clearance was recorded."),
        )
    return form.done(
        _volunteer_path(request, volunteer_id),
        form.texts.gettext("The police clearance record is deleted."),
    )


@router.post(
    "/ehrenamtliche/{volunteer_id}/patenschaften",
    name="match_volunteer",
    dependencies=[applies_scope(VOLUNTEERS, HOUSEHOLDS)],
)
async def match_volunteer(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff, rules: Rules
) -> Response:
    form = await ui.FormAction.read(
        request,
        session,
        fields=MATCH_FIELDS,
        conflicts=match_conflicts(refused_at="allocation_notice_number"),
    )
    values = form.values(MATCH_FIELDS)
    data: dict[str, Any] = {"volunteer_id": volunteer_id}
    form.put_date(data, "started_on", values["started_on"])
    household = None
    if not values["allocation_notice_number"]:
        form.refuse("allocation_notice_number", ui.REQUIRED)
    else:
        household = await service.find_household(
            session=session,
            principal=principal,
            allocation_notice_number=values["allocation_notice_number"],
            rules=rules,
        )
        if household is None:
            form.refuse("allocation_notice_number", UNKNOWN_HOUSEHOLD)
        else:
            data["household_id"] = household.household_id
    mentor = await match(
        form, session, principal, data, household_at="allocation_notice_number", rules=rules
    )
    if mentor is not None and household is not None:
        return form.done(
            _volunteer_path(request, volunteer_id),
            matched_message(form.texts, mentor, household),
        )
    return await form.again(
        lambda errors: _volunteer_page(
            request, session, principal, volunteer_id, rules=rules, values=values, errors=errors
        )
    )


@router.post(
    "/ehrenamtliche/{volunteer_id}/patenschaften/{match_id}/beenden",
    name="end_match",
    dependencies=[applies_scope(VOLUNTEERS, MATCHES)],
)
async def end_match(
    request: Request,
    volunteer_id: uuid.UUID,
    match_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
    rules: Rules,
) -> Response:
    form = await ui.FormAction.read(
        request,
        session,
        fields=["ended_on"],
        # Ended meanwhile: its date field is gone, the form's errors say it.
        conflicts={"already-ended": (ui.FORM, ALREADY_ENDED)},
    )
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=volunteer_id
    )
    if match_id not in {m.id for m in matches}:
        raise NotFound("match")
    key = end_key(match_id)
    typed = form.text(key)
    data: dict[str, Any] = {}
    form.put_date(data, "ended_on", typed, key=key)
    # Each mentorship has its own end form: the date's error belongs to that one.
    ending = form.model(MatchEndIn, data) if form.ok else None
    if ending is not None:
        ended = await form.call(
            service.end_match(
                session=session,
                principal=principal,
                match_id=match_id,
                ended_on=ending.ended_on,
                rules=rules,
            )
        )
        if ended is not None:
            return form.done(
                _volunteer_path(request, volunteer_id),
                form.texts.gettext("The mentorship is ended."),
            )
    form.rename({"ended_on": key})
    return await form.again(
        lambda errors: _volunteer_page(
            request,
            session,
            principal,
            volunteer_id,
            rules=rules,
            values={key: typed},
            errors=errors,
        )
    )


async def _volunteer_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    volunteer_id: uuid.UUID,
    *,
    rules: ClearanceRules,
    values: Mapping[str, str] | None = None,
    errors: ui.FormErrors | None = None,
) -> Response:
    found = await service.get(session=session, principal=principal, volunteer_id=volunteer_id)
    clearance: ClearanceOut | None
    try:
        clearance = await service.get_clearance(
            session=session,
            principal=principal,
            volunteer_id=volunteer_id,
            today=today(),
            rules=rules,
        )
    except NotFound:
        clearance = None
    matches = [
        MatchOut.model_validate(m)
        for m in await service.get_volunteer_matches(
            session=session, principal=principal, volunteer_id=volunteer_id
        )
    ]
    households = await service.get_household_briefs(
        session=session, principal=principal, household_ids=[m.household_id for m in matches]
    )
    page_texts = ui.texts(request)
    on_today = ui.date_input_value(today(), page_texts.locale)
    typed = {
        "inspected_on": on_today,
        "issued_on": "",
        "relevant_conviction": "",
        "allocation_notice_number": "",
        "started_on": on_today,
        **{end_key(m.id): on_today for m in matches if m.ended_on is None},
        **(values or {}),
    }
    return await page(
        request,
        "volunteers/volunteer.html",
        {
            "volunteer": found,
            "clearance": clearance,
            "matches": matches,
            "households": households,
            "values": typed,
            "end_key": end_key,
            "conviction_options": ui.options(CONVICTION_LABELS, page_texts),
            "labels": labels(page_texts, matches),
        },
        section="ui_home",
        errors=errors,
    )


def _volunteer_path(request: Request, volunteer_id: uuid.UUID) -> str:
    return ui.page_path(request, "volunteer", volunteer_id=volunteer_id)
