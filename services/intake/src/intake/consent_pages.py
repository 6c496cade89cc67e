"""Staff pages of a household's consents to share with partner agencies.

What a person agreed to share with which agency, for what, since when and where the
signed declaration is kept; recorded and revoked by the caseworker through the use cases
the API calls (`consents.grant`, `consents.revoke`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import consents, service
from intake.config import get_settings
from intake.dependencies import CONSENTS, HOUSEHOLDS, SocialCareStaff
from intake.schemas import ConsentIn

router = APIRouter()
Staff = Annotated[Principal, ui.page_roles(*ui.api_roles(SocialCareStaff))]

FIELDS = ("member_id", "agency", "purpose", "granted_on", "evidence_reference")
LABELS = {
    "member_id": ui.N_("Person"),
    "agency": ui.N_("Agency"),
    "purpose": ui.N_("Purpose"),
    "granted_on": ui.N_("Given on"),
    "evidence_reference": ui.N_("Where the declaration is kept"),
    "revoked_on": ui.N_("Revoked on"),
}
HINTS = {
    "agency": ui.N_(
        "The agency's short name as the city's administrator registered it, "
        "e.g. jobcenter-kreis-coesfeld (lower-case letters, digits, hyphens)."
    ),
    "purpose": ui.N_("e.g. arbeitsvermittlung (lower-case letters, digits, hyphens)."),
}
# The use cases' own messages, so that the catalogue translates them.
RULE_MESSAGES = (
    ui.N_("not a partner agency a consent may name"),
    ui.N_("not a member of this household"),
    ui.N_("must not be in the future"),
    ui.N_("must not be before the consent was given"),
)
CONFLICTS = {
    "consent-exists": (
        "agency",
        ui.N_("This person's consent for this agency and purpose is already recorded."),
    ),
    "consent-revoked": ("_form", ui.N_("This consent is already revoked.")),
}


@router.get(
    "/haushalte/{household_id}/einwilligungen",
    name="consents",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def consents_page(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    values = {name: "" for name in FIELDS}
    values["granted_on"] = ui.date_input_value(today(), ui.texts(request).locale)
    return await _page(request, session, principal, household_id, values)


@router.post(
    "/haushalte/{household_id}/einwilligungen",
    name="grant_consent",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def grant_consent(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=FIELDS, hints=HINTS, conflicts=CONFLICTS
    )
    values = form.values(FIELDS)
    data: dict[str, Any] = {
        "agency": values["agency"],
        "purpose": values["purpose"],
        "evidence_reference": values["evidence_reference"],
    }
    form.put_choice(data, "member_id", values["member_id"])
    form.put_date(data, "granted_on", values["granted_on"])
    consent_in = form.model(ConsentIn, data)
    if consent_in is not None:
        granted = await form.call(
            consents.grant(
                session=session,
                principal=principal,
                household_id=household_id,
                consent=consent_in,
                today=today(),
                agencies=get_settings().consent_agencies,
            )
        )
        if granted is not None:
            return form.done(
                ui.page_path(request, "consents", household_id=household_id),
                form.texts.gettext("The consent is recorded."),
            )
    return await form.again(
        lambda errors: _page(request, session, principal, household_id, values, errors=errors)
    )


@router.post(
    "/haushalte/{household_id}/einwilligungen/{consent_id}/widerruf",
    name="revoke_consent",
    dependencies=[applies_scope(CONSENTS)],
)
async def revoke_consent(
    request: Request,
    household_id: uuid.UUID,
    consent_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    # A button: refused only by the consent's state (revoked already), hence 409.
    form = await ui.FormAction.read(request, session, conflicts=CONFLICTS, status=409)
    revoked = await form.call(
        consents.revoke(
            session=session,
            principal=principal,
            household_id=household_id,
            consent_id=consent_id,
            revoked_on=None,  # today
            today=today(),
        )
    )
    if revoked is not None:
        return form.done(
            ui.page_path(request, "consents", household_id=household_id),
            form.texts.gettext("The consent is revoked: nothing more reaches the agency for it."),
        )
    values = {name: "" for name in FIELDS}
    return await form.again(
        lambda errors: _page(request, session, principal, household_id, values, errors=errors)
    )


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: dict[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    household = await service.get(session=session, principal=principal, household_id=household_id)
    recorded = await consents.list_consents(
        session=session, principal=principal, household_id=household_id
    )
    names = {m.id: f"{m.family_name}, {m.given_name}" for m in household.members}
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "intake/consents.html",
        {
            "household": household,
            "consents": recorded,
            "member_names": names,
            "member_options": [(str(key), name) for key, name in names.items()],
            "values": values,
            "labels": {key: page_texts.gettext(label) for key, label in LABELS.items()},
            "hints": {key: page_texts.fill(page_texts.gettext(h)) for key, h in HINTS.items()},
        },
        section="ui_home",
        errors=errors,
    )
