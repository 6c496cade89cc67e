"""Help requests (Hilfeanfragen): staff ask the volunteer pool, the volunteers it reached
take it. A volunteer sees what they are asked and whether they took it, never who else
was asked or took it; staff see who comes and how to reach them."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import clock, ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from volunteers import help_requests
from volunteers.dependencies import (
    HELP_REQUESTS,
    REQUESTING_ROLES,
    Requester,
    RequesterOrVolunteer,
)
from volunteers.pages import lists
from volunteers.pages.common import HOURS_FIELDS, OwnVolunteer, labels, page, put_hours
from volunteers.schemas import HelpRequestIn

router = APIRouter()

AskingStaff = Annotated[Principal, ui.page_roles(*ui.api_roles(Requester))]
StaffOrHelper = Annotated[Principal, ui.page_roles(*ui.api_roles(RequesterOrVolunteer))]

REQUEST_FIELDS = ("title", "place", "language", "skill", "day", "starts", "ends")
ACCEPT_CONFLICTS = {
    "already-accepted": (
        ui.FORM,
        ui.N_("Someone else has already taken this request, or it is no longer open."),
    ),
    "not-offered": (ui.FORM, ui.N_("This request was not offered to you.")),
}
WITHDRAW_CONFLICTS = {
    "already-withdrawn": (ui.FORM, ui.N_("This request has already been withdrawn.")),
    "already-begun": (
        ui.FORM,
        ui.N_("The time of this request has begun: it can no longer be withdrawn."),
    ),
    "not-yours": (
        ui.FORM,
        ui.N_("Only whoever asked for the help or a coordinator may withdraw the request."),
    ),
}
FIELD_LABELS = {
    "title": ui.N_("What is needed"),
    "place": ui.N_("Where"),
    "language": ui.N_("Language"),
    "skill": ui.N_("Skill"),
    "day": ui.N_("Day"),
    "starts": ui.N_("From"),
    "ends": ui.N_("Until"),
}


@router.get("/hilfeanfragen", name="help_requests")
async def help_request_list(
    request: Request, session: DbSession, principal: StaffOrHelper
) -> Response:
    kind = ui.download_format(request)
    if kind and principal.has_any_role(*REQUESTING_ROLES):
        # Staff's coming requests and who comes (an export of those volunteers).
        found = await help_requests.get_all(
            session=session,
            principal=principal,
            since=clock.now(),
            limit=ui.DOWNLOAD_LIMIT,
            action="export",
        )
        return lists.help_requests_file(ui.texts(request), found, kind)
    return await _list(request, session, principal, {}, {})


@router.post("/hilfeanfragen", name="ask_for_help")
async def ask_for_help(request: Request, session: DbSession, principal: AskingStaff) -> Response:
    form = await ui.FormAction.read(request, session, fields=REQUEST_FIELDS)
    values = form.values(REQUEST_FIELDS)
    data: dict[str, Any] = {
        "title": values["title"],
        "place": values["place"] or None,
        "language": values["language"].lower() or None,
        "skill": values["skill"] or None,
    }
    put_hours(form, data, values)
    request_in = form.model(HelpRequestIn, data)
    form.rename(HOURS_FIELDS)
    if request_in is not None:
        asked = await form.call(
            help_requests.ask(session=session, principal=principal, request_in=request_in)
        )
        form.rename(HOURS_FIELDS)
        if asked is not None:
            return form.done(
                ui.page_path(request, "help_requests"),
                form.texts.ngettext(
                    "The request went to %(num)s matching volunteer.",
                    "The request went to %(num)s matching volunteers.",
                    asked.offered_to or 0,
                )
                % {"num": asked.offered_to or 0},
            )
    return await form.again(lambda errors: _list(request, session, principal, values, errors))


@router.post(
    "/hilfeanfragen/{help_request_id}/annehmen",
    name="accept_help_request",
    dependencies=[applies_scope(HELP_REQUESTS)],
)
async def accept_help_request(
    request: Request, help_request_id: uuid.UUID, session: DbSession, principal: OwnVolunteer
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=ACCEPT_CONFLICTS, status=409)
    taken = await form.call(
        help_requests.accept(session=session, principal=principal, help_request_id=help_request_id)
    )
    if taken is not None:
        return form.done(
            ui.page_path(request, "help_requests"),
            form.texts.gettext("You have taken the request. Thank you!"),
        )
    return await form.again(lambda errors: _list(request, session, principal, {}, errors))


@router.post(
    "/hilfeanfragen/{help_request_id}/zurueckziehen",
    name="withdraw_help_request",
    dependencies=[applies_scope(HELP_REQUESTS)],
)
async def withdraw_help_request(
    request: Request, help_request_id: uuid.UUID, session: DbSession, principal: AskingStaff
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=WITHDRAW_CONFLICTS, status=409)
    withdrawn = await form.call(
        help_requests.withdraw(
            session=session, principal=principal, help_request_id=help_request_id
        )
    )
    if withdrawn is not None:
        return form.done(
            ui.page_path(request, "help_requests"),
            form.texts.gettext(
                "The request is withdrawn. The volunteers it reached are told they need not come."
            ),
        )
    return await form.again(lambda errors: _list(request, session, principal, {}, errors))


async def _list(
    request: Request,
    session: DbSession,
    principal: Principal,
    values: Mapping[str, str],
    errors: ui.FormErrors,
) -> Response:
    found = await help_requests.get_all(
        session=session, principal=principal, since=clock.now(), limit=200
    )
    page_texts = ui.texts(request)
    return await page(
        request,
        "volunteers/help_requests.html",
        {
            "requests": found,
            "staff": principal.has_any_role(*REQUESTING_ROLES),
            "downloads": ui.download_links(request),
            "values": values,
            "labels": labels(page_texts) | ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="help_requests",
        errors=errors,
    )
