"""Protection needs in the tool: the household's caseworker records them (flags from the
list kept as data, never free text), and an officer marks what protection a unit offers.
Both go through `housing.protection`, the use cases the API calls."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import InvalidFields
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from housing import protection
from housing.dependencies import PROTECTION_NEEDS, SITES, NeedsRecorder
from housing.pages.common import Officer
from housing.schemas import ProtectionNeedsIn, UnitProtectionsIn

router = APIRouter()
# The caseworker records; the page admits exactly whom the API's recording admits.
Caseworker = Annotated[Principal, ui.page_roles(*ui.api_roles(NeedsRecorder))]

NEEDS_FIELDS = ("needs",)
NEEDS_LABELS = {"needs": ui.N_("Protection needs")}
RULE_MESSAGES = (
    ui.N_("not a protection need of the list"),
    ui.N_("not a unit protection of the list"),
)


@router.get(
    "/haushalte/{household_id}/schutzbedarf",
    name="protection_needs",
    dependencies=[applies_scope(PROTECTION_NEEDS)],
)
async def protection_needs(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Caseworker
) -> Response:
    return await _needs_page(request, session, principal, household_id)


@router.post(
    "/haushalte/{household_id}/schutzbedarf",
    name="record_protection_needs",
    dependencies=[applies_scope(PROTECTION_NEEDS)],
)
async def record_protection_needs(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Caseworker
) -> Response:
    form = await ui.FormAction.read(request, session, fields=NEEDS_FIELDS)
    chosen = [str(code) for code in form.form.getlist("needs")]
    body = form.model(ProtectionNeedsIn, {"needs": chosen})
    if body is not None:
        recorded = await form.call(
            protection.record_household_needs(
                session=session, principal=principal, household_id=household_id, codes=body.needs
            )
        )
        if recorded is not None:
            return form.done(
                ui.page_path(request, "protection_needs", household_id=household_id),
                form.texts.gettext("The protection needs of household %(number)s are saved.")
                % {"number": recorded.allocation_notice_number},
            )
    return await form.again(
        lambda errors: _needs_page(
            request, session, principal, household_id, chosen=chosen, errors=errors
        )
    )


async def _needs_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    chosen: Sequence[str] | None = None,
    errors: ui.FormErrors | None = None,
) -> Response:
    recorded = await protection.get_household_needs(
        session=session, principal=principal, household_id=household_id
    )
    lists = await protection.get_lists(session=session)
    return await ui.render(
        request,
        "housing/protection_needs.html",
        {
            "household": recorded,
            "kinds": lists.needs,
            "chosen": list(recorded.needs if chosen is None else chosen),
            "labels": ui.field_labels(NEEDS_LABELS, ui.texts(request)),
        },
        errors=errors,
    )


@router.post(
    "/einheiten/{unit_id}/schutz", name="unit_protections", dependencies=[applies_scope(SITES)]
)
async def unit_protections(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, fields=("protections",))
    codes = [str(code) for code in form.form.getlist("protections")]
    body = form.model(UnitProtectionsIn, {"protections": codes})
    if body is not None:
        unit = await form.call(
            protection.set_unit_protections(
                session=session, principal=principal, unit_id=unit_id, codes=body.protections
            )
        )
        if unit is not None:
            return form.done(
                ui.page_path(request, "site", site_id=unit.site_id),
                form.texts.gettext("The protection of unit %(unit)s is saved.")
                % {"unit": unit.name},
            )
    # Only a forged form gets here (the boxes offer the list's codes alone): the tool's
    # page for bad input, naming the field.
    raise InvalidFields(form.errors or {"protections": "not a unit protection of the list"})
