"""Households known to volunteers, and choosing a mentor for one of them."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import re
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from volunteers import service
from volunteers.dependencies import HOUSEHOLDS, VOLUNTEERS, Rules
from volunteers.domain import ClearanceRules
from volunteers.pages.common import PAGE_SIZE, Staff, labels, moved, page
from volunteers.pages.matching import match, match_conflicts, matched_message, mentor_choices

router = APIRouter()

SUGGESTIONS = 50
# Matching from a household's page chooses one of the suggested mentors.
MENTOR_FIELDS = ("volunteer_id", "started_on")
WITHOUT_NUMBER = ui.N_("without number")


@router.get("/haushalte", name="households")
async def households(
    request: Request, session: DbSession, principal: Staff, rules: Rules
) -> Response:
    params = request.query_params
    number = params.get("q", "").strip()[:100]
    page_no = ui.page_number(params.get("page"))
    found, total = await service.get_households(
        session=session,
        principal=principal,
        notice_number=number or None,
        limit=PAGE_SIZE,
        offset=ui.page_offset(page_no, PAGE_SIZE),
        rules=rules,
    )
    return await page(
        request,
        "volunteers/households.html",
        {
            "q": number,
            "households": found,
            "total": total,
            "pager": ui.pager(page_no, total, PAGE_SIZE, ui.same_query(request)),
        },
        section="households",
    )


@router.get(
    "/haushalte/{household_id}",
    name="household",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def household(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff, rules: Rules
) -> Response:
    values = {
        "volunteer_id": "",
        "started_on": ui.date_input_value(today(), ui.texts(request).locale),
    }
    return await _household_page(request, session, principal, household_id, values, rules=rules)


@router.post(
    "/haushalte/{household_id}/paten",
    name="match_household",
    dependencies=[applies_scope(HOUSEHOLDS, VOLUNTEERS)],
)
async def match_household(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff, rules: Rules
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=MENTOR_FIELDS, conflicts=match_conflicts(refused_at="volunteer_id")
    )
    values = form.values(MENTOR_FIELDS)
    data: dict[str, Any] = {"household_id": household_id}
    form.put_choice(data, "volunteer_id", values["volunteer_id"])
    form.put_date(data, "started_on", values["started_on"])
    mentor = await match(form, session, principal, data, household_at=ui.FORM, rules=rules)
    if mentor is not None:
        found = await service.get_household(
            session=session, principal=principal, household_id=household_id, rules=rules
        )
        return form.done(
            ui.page_path(request, "household", household_id=household_id),
            matched_message(form.texts, mentor, found),
        )
    return await form.again(
        lambda errors: _household_page(
            request, session, principal, household_id, values, rules=rules, errors=errors
        )
    )


async def _household_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    rules: ClearanceRules,
    errors: ui.FormErrors | None = None,
) -> Response:
    found = await service.get_household(
        session=session, principal=principal, household_id=household_id, rules=rules
    )
    typed = request.query_params.get("postcode", "").strip()
    postcode = typed if re.fullmatch(r"[0-9]{5}", typed) else None
    suggestions = await service.suggest_mentors(
        session=session,
        principal=principal,
        household_id=household_id,
        today=today(),
        limit=SUGGESTIONS,
        rules=rules,
        postcode=postcode,
    )
    chosen = values.get("volunteer_id", "")
    if errors and chosen and chosen not in {str(s.volunteer_id) for s in suggestions}:
        # Refused and no longer suggested (its clearance went meanwhile): no radio button
        # to put the message next to, so it heads the form's errors.
        errors = ui.in_field_order(moved(errors, "volunteer_id", ui.FORM), MENTOR_FIELDS)
    page_texts = ui.texts(request)
    return await page(
        request,
        "volunteers/household.html",
        {
            "household": found,
            "number": found.allocation_notice_number or page_texts.gettext(WITHOUT_NUMBER),
            "suggestions": suggestions,
            "mentor_choices": mentor_choices(page_texts, suggestions),
            "postcode": postcode or "",
            "values": values,
            "labels": labels(page_texts),
        },
        section="households",
        errors=errors,
    )
