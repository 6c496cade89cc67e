"""Staff pages of erasure requests (Löschanträge), the data-protection officer's alone:
the requests with each service's confirmation, a form to request one with its reason,
and one request with its services.

Every change goes through the use case the API calls (`intake.erasure`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.events.erasure import ErasureSubject
from teilhabe.scope import applies_scope

from intake import erasure
from intake.dependencies import ERASURE_REQUESTS, DataProtection
from intake.schemas import ErasureRequestIn, ErasureRequestOut

router = APIRouter()
# The pages admit exactly whom the API admits.
Officer = Annotated[Principal, ui.page_roles(*ui.api_roles(DataProtection))]

PAGE_SIZE = 25
FIELDS = ("subject_kind", "subject_id", "reason")
LABELS = {
    "subject_kind": ui.N_("Whose data"),
    "subject_id": ui.N_("Id"),
    "reason": ui.N_("Reason"),
}
SUBJECT_LABELS = {
    ErasureSubject.HOUSEHOLD: ui.N_("Household (with every member)"),
    ErasureSubject.MEMBER: ui.N_("One person of a household"),
    ErasureSubject.VOLUNTEER: ui.N_("Volunteer"),
}
SERVICE_LABELS = {
    "courses": ui.N_("Language and education"),
    "housing": ui.N_("Accommodation"),
    "intake": ui.N_("Allocation and care"),
    "notifications": ui.N_("Notifications"),
    "volunteers": ui.N_("Volunteering"),
}
NOT_AN_ID = ui.N_("Enter the id as the tools show it (36 characters with hyphens).")


@router.get("/loeschantraege", name="erasure_requests")
async def erasure_requests(request: Request, session: DbSession, principal: Officer) -> Response:
    return await _page(request, session, principal, dict.fromkeys(FIELDS, ""))


@router.post("/loeschantraege", name="request_erasure")
async def request_erasure(request: Request, session: DbSession, principal: Officer) -> Response:
    form = await ui.FormAction.read(request, session, fields=FIELDS)
    values = form.values(FIELDS)
    data: dict[str, Any] = {}
    form.put_choice(data, "subject_kind", values["subject_kind"])
    if not values["subject_id"]:
        form.refuse("subject_id", ui.REQUIRED)
    else:
        try:
            data["subject_id"] = uuid.UUID(values["subject_id"])
        except ValueError:
            form.refuse("subject_id", NOT_AN_ID)
    if values["reason"]:
        data["reason"] = values["reason"]
    else:
        form.refuse("reason", ui.REQUIRED)
    body = form.model(ErasureRequestIn, data)
    if body is not None:
        made = await form.call(
            erasure.request_erasure(
                session=session,
                principal=principal,
                subject_kind=body.subject_kind,
                subject_id=body.subject_id,
                reason=body.reason,
            )
        )
        if made is not None:
            return form.done(
                ui.page_path(request, "erasure_request", request_id=made.id),
                form.texts.gettext(
                    "The erasure is requested; every service is told and will confirm."
                ),
            )
    return await form.again(lambda errors: _page(request, session, principal, values, errors))


@router.get(
    "/loeschantraege/{request_id}",
    name="erasure_request",
    dependencies=[applies_scope(ERASURE_REQUESTS)],
)
async def erasure_request(
    request: Request, request_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    found = await erasure.get_request(session=session, principal=principal, request_id=request_id)
    return await ui.render(
        request,
        "intake/erasure_request.html",
        {
            "item": ErasureRequestOut.of(found),
            "subject_labels": SUBJECT_LABELS,
            "service_labels": SERVICE_LABELS,
        },
        section="erasure_requests",
    )


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    values: dict[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    page_texts = ui.texts(request)
    params = request.query_params
    number = ui.page_number(params.get("page"))
    open_only = params.get("offen") == "1"
    rows, total = await erasure.list_requests(
        session=session,
        principal=principal,
        open_only=open_only,
        limit=PAGE_SIZE,
        offset=ui.page_offset(number, PAGE_SIZE),
    )
    return await ui.render(
        request,
        "intake/erasure_requests.html",
        {
            "requests": [ErasureRequestOut.of(row) for row in rows],
            "total": total,
            "open_only": open_only,
            "pager": ui.pager(number, total, PAGE_SIZE, ui.same_query(request)),
            "subject_labels": SUBJECT_LABELS,
            "service_labels": SERVICE_LABELS,
            "subject_options": ui.options(SUBJECT_LABELS, page_texts),
            "values": values,
            "labels": ui.field_labels(LABELS, page_texts),
        },
        section="erasure_requests",
        errors=ui.in_field_order(errors or {}, FIELDS),
    )
