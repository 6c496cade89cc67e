"""The administrators' page of partner agencies at /ui/partnerbehoerden: which agencies
there are and what each hears of (event type, purpose, fields; statutory or by consent).

Every change goes through the use case the API calls (`agencies.put_agency`,
`agencies.subscribe`, `agencies.unsubscribe`); the page turns a form into the API's
request model and a refusal back into errors next to the fields. No person is shown:
the registry holds none.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.messaging.agencies import shareable_types
from teilhabe.scope import applies_scope

from notifications import agencies
from notifications.dependencies import SUBSCRIPTIONS, Administrator
from notifications.schemas import AgencyIn, SubscriptionIn

router = APIRouter()
Admin = Annotated[Principal, ui.page_roles(*ui.api_roles(Administrator))]

AGENCY_FIELDS = ("agency_id", "display_name")
SUBSCRIPTION_FIELDS = ("agency", "event_type", "purpose", "fields", "statutory", "legal_basis")
LABELS = {
    "agency_id": ui.N_("Short name"),
    "display_name": ui.N_("Name"),
    "agency": ui.N_("Agency"),
    "event_type": ui.N_("Event"),
    "purpose": ui.N_("Purpose"),
    "fields": ui.N_("Fields it receives"),
    "statutory": ui.N_("Statutory: no consent needed"),
    "legal_basis": ui.N_("Legal basis"),
}
HINTS = {
    "agency_id": ui.N_(
        "Lower-case letters, digits and hyphens, e.g. jobcenter-kreis-coesfeld: also its "
        "broker user and the name caseworkers record consents for."
    ),
    "purpose": ui.N_("e.g. arbeitsvermittlung (lower-case letters, digits, hyphens)."),
    "fields": ui.N_(
        "Field names of the event, separated by commas, e.g. moved_in_on; the reference "
        "of the household or person is always included."
    ),
    "legal_basis": ui.N_("Required for a statutory flow, e.g. § 87 AufenthG."),
}
# The use cases' own messages, so that the catalogue translates them.
RULE_MESSAGES = (
    ui.N_("not an event type agencies may subscribe to"),
    ui.N_("a statutory flow names its legal basis"),
    ui.N_("lower-case letters, digits and '-', 2 to 63"),
)
CONFLICTS = {
    "subscription-exists": (
        "event_type",
        ui.N_("The agency is subscribed to this event for this purpose already."),
    ),
}


@router.get("/partnerbehoerden", name="agencies")
async def agencies_page(request: Request, session: DbSession, principal: Admin) -> Response:
    return await _page(request, session, principal, {}, {})


@router.post("/partnerbehoerden", name="register_agency")
async def register_agency(request: Request, session: DbSession, principal: Admin) -> Response:
    form = await ui.FormAction.read(request, session, fields=AGENCY_FIELDS, hints=HINTS)
    values = form.values(AGENCY_FIELDS)
    agency_in = form.model(AgencyIn, {"display_name": values["display_name"]})
    if not values["agency_id"]:
        form.refuse("agency_id", ui.REQUIRED)
    if agency_in is not None and form.ok:
        agency = await form.call(
            agencies.put_agency(
                session=session,
                principal=principal,
                agency_id=values["agency_id"],
                agency_in=agency_in,
            )
        )
        if agency is not None:
            return form.done(
                ui.page_path(request, "agencies"),
                form.texts.gettext("The agency %(agency)s is registered.") % {"agency": agency.id},
            )
    return await form.again(
        lambda errors: _page(request, session, principal, values, {}, errors=errors)
    )


@router.post("/partnerbehoerden/abonnements", name="subscribe_agency")
async def subscribe_agency(request: Request, session: DbSession, principal: Admin) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=SUBSCRIPTION_FIELDS, hints=HINTS, conflicts=CONFLICTS
    )
    values = form.values(SUBSCRIPTION_FIELDS)
    statutory = form.form.get("statutory") == "on"
    data: dict[str, Any] = {
        "purpose": values["purpose"],
        "fields": [name.strip() for name in values["fields"].split(",") if name.strip()],
        "statutory": statutory,
        "legal_basis": values["legal_basis"] or None,
    }
    form.put_choice(data, "event_type", values["event_type"])
    if not values["agency"]:
        form.refuse("agency", ui.CHOOSE)
    subscription = form.model(SubscriptionIn, data)
    if subscription is not None and form.ok:
        created = await form.call(
            agencies.subscribe(
                session=session,
                principal=principal,
                agency_id=values["agency"],
                subscription=subscription,
            )
        )
        if created is not None:
            return form.done(
                ui.page_path(request, "agencies"),
                form.texts.gettext("The agency now hears of %(event)s.")
                % {"event": created.event_type},
            )
    return await form.again(
        lambda errors: _page(
            request, session, principal, {}, {**values, "statutory": statutory}, errors=errors
        )
    )


@router.post(
    "/partnerbehoerden/{agency_id}/abonnements/{subscription_id}/beenden",
    name="unsubscribe_agency",
    dependencies=[applies_scope(SUBSCRIPTIONS)],
)
async def unsubscribe_agency(
    request: Request,
    agency_id: str,
    subscription_id: uuid.UUID,
    session: DbSession,
    principal: Admin,
) -> Response:
    form = await ui.FormAction.read(request, session)
    await form.call(
        agencies.unsubscribe(
            session=session,
            principal=principal,
            agency_id=agency_id,
            subscription_id=subscription_id,
        )
    )
    return form.done(
        ui.page_path(request, "agencies"),
        form.texts.gettext("The subscription is ended: the agency hears of it no more."),
    )


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    agency_values: dict[str, str],
    subscription_values: dict[str, Any],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    registered = await agencies.list_agencies(session=session, principal=principal)
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "notifications/agencies.html",
        {
            "agencies": registered,
            "agency_options": [(a.id, f"{a.display_name} ({a.id})") for a in registered],
            "event_options": [(name, name) for name in shareable_types()],
            "agency_values": agency_values,
            "values": subscription_values,
            "labels": ui.field_labels(LABELS, page_texts),
            "hints": {key: page_texts.fill(page_texts.gettext(h)) for key, h in HINTS.items()},
        },
        section="agencies",
        errors=errors,
    )
