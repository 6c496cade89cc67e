"""Staff pages of courses: school and Kita place requests (Schul- und Kitaplätze).

The list shows the children's requests still to be met (or those placed or closed), by a
reference, never a name; a coordinator records a request's outcome on its own page.
Every change goes through the use case the API calls (`school_places.record_outcome`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.courses import Institution, SchoolPlaceCloseReason
from teilhabe.scope import applies_scope

from courses import domain, school_places
from courses.dependencies import SCHOOL_PLACES
from courses.domain import PENDING_SCHOOL_PLACES, SchoolPlaceStatus
from courses.pages import AGE_GROUP_LABELS, COORDINATOR_ROLES, SCHOOL_PLACE_ROLES, Coordinator
from courses.schemas import Outcome, SchoolPlaceOutcomeIn, SchoolPlaceRequestOut

router = APIRouter()
# Whom the API shows requests to: coordinators, and a household's caseworkers their
# children's (courses.dependencies.SCHOOL_PLACES); coordinators alone record outcomes.
Follower = Annotated[Principal, ui.page_roles(*SCHOOL_PLACE_ROLES)]

PAGE_SIZE = 25

STATUS_LABELS = {
    SchoolPlaceStatus.OPEN: ui.N_("Open"),
    SchoolPlaceStatus.WAITING: ui.N_("Waiting"),
    SchoolPlaceStatus.PLACED: ui.N_("Placed"),
    SchoolPlaceStatus.CLOSED: ui.N_("Closed"),
}
# What the list shows: those still to be met, else one final state.
SHOWN = {
    "": PENDING_SCHOOL_PLACES,
    SchoolPlaceStatus.PLACED.value: frozenset({SchoolPlaceStatus.PLACED}),
    SchoolPlaceStatus.CLOSED.value: frozenset({SchoolPlaceStatus.CLOSED}),
}
SHOWN_LABELS = {
    SchoolPlaceStatus.PLACED.value: ui.N_("Placed"),
    SchoolPlaceStatus.CLOSED.value: ui.N_("Closed"),
}
OUTCOME_LABELS = {
    Outcome.PLACED: ui.N_("Placed at a school or Kita"),
    Outcome.WAITING: ui.N_("Waiting for a place"),
    Outcome.CLOSED: ui.N_("Closed"),
}
INSTITUTION_LABELS = {
    Institution.SCHOOL: ui.N_("School"),
    Institution.KITA: ui.N_("Kita"),
}
REASON_LABELS = {
    SchoolPlaceCloseReason.PLACED_OTHERWISE: ui.N_("Placed otherwise (by the family or school)"),
    SchoolPlaceCloseReason.MOVED_AWAY: ui.N_("Moved away"),
    SchoolPlaceCloseReason.NOT_NEEDED: ui.N_("Not needed"),
    SchoolPlaceCloseReason.OTHER: ui.N_("Other reason"),
}
OUTCOME_FIELDS = ("outcome", "institution", "institution_name", "reason")
FIELD_LABELS = {
    "outcome": ui.N_("Outcome"),
    "institution": ui.N_("School or Kita"),
    "institution_name": ui.N_("Name of the school or Kita"),
    "reason": ui.N_("Reason for closing"),
}
OUTCOME_CONFLICTS = {
    "request-decided": (
        ui.FORM,
        ui.N_("The request has been placed or closed already; its outcome stays."),
    ),
}
LIST_COLUMNS = (
    ui.N_("Person"),
    ui.N_("Household"),
    ui.N_("Age group"),
    ui.N_("Age"),
    ui.N_("Languages"),
    ui.N_("Requested since"),
    ui.N_("Status"),
    ui.N_("School or Kita"),
)
MESSAGES = (
    ui.N_("school-places"),
    ui.N_("School and Kita places"),
    ui.N_("Please name the school or Kita."),
    ui.N_("Please choose a reason."),
)


@router.get("/schulplaetze", name="school_places")
async def school_place_list(request: Request, session: DbSession, principal: Follower) -> Response:
    params = request.query_params
    shown = params.get("status", "")
    shown = shown if shown in SHOWN else ""
    page = ui.page_number(params.get("page"))
    kind = ui.download_format(request)
    if kind is not None:
        return await _download(request, session, principal, shown, kind)
    found, total = await school_places.get_requests(
        session=session,
        principal=principal,
        statuses=SHOWN[shown],
        limit=PAGE_SIZE,
        offset=ui.page_offset(page, PAGE_SIZE),
    )
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "courses/school_places.html",
        {
            "requests": found,
            "total": total,
            "shown": shown,
            "shown_options": ui.options(SHOWN_LABELS, page_texts),
            "pager": ui.pager(page, total, PAGE_SIZE, ui.same_query(request)),
            "downloads": ui.download_links(request),
            "status_labels": STATUS_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "institution_labels": INSTITUTION_LABELS,
            "reason_labels": REASON_LABELS,
            "records": principal.has_any_role(*COORDINATOR_ROLES),
        },
        section="school_places",
    )


async def _download(
    request: Request,
    session: DbSession,
    principal: Principal,
    shown: str,
    kind: ui.DownloadFormat,
) -> Response:
    """Every request the filter finds (not only one page), audited as an export."""
    found, _ = await school_places.get_requests(
        session=session,
        principal=principal,
        statuses=SHOWN[shown],
        limit=ui.DOWNLOAD_LIMIT,
        offset=0,
        action="export",
    )
    gettext = ui.texts(request).gettext
    rows = [
        (
            r.member_position,
            r.allocation_notice_number,
            gettext(AGE_GROUP_LABELS[r.age_group]),
            r.age,
            ", ".join(r.languages),
            r.requested_on,
            gettext(STATUS_LABELS[r.status]),
            _where(r, gettext),
        )
        for r in found
    ]
    table = ui.Table(
        name=gettext("school-places"),
        title=gettext("School and Kita places"),
        headers=[gettext(heading) for heading in LIST_COLUMNS],
        rows=rows,
    )
    return ui.download(table, kind, on=today())


def _where(found: SchoolPlaceRequestOut, gettext: Any) -> str:
    if found.institution is not None:
        return f"{gettext(INSTITUTION_LABELS[found.institution])}: {found.institution_name}"
    if found.close_reason is not None:
        return str(gettext(REASON_LABELS[found.close_reason]))
    return ""


@router.get(
    "/schulplaetze/{member_id}", name="school_place", dependencies=[applies_scope(SCHOOL_PLACES)]
)
async def school_place(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Follower
) -> Response:
    found = await school_places.get_request(
        session=session, principal=principal, member_id=member_id
    )
    values = dict.fromkeys(OUTCOME_FIELDS, "")
    values["institution"] = domain.institution_for(found.age).value
    return await _outcome_page(
        request, found, values, records=principal.has_any_role(*COORDINATOR_ROLES)
    )


@router.post(
    "/schulplaetze/{member_id}",
    name="record_school_place",
    dependencies=[applies_scope(SCHOOL_PLACES)],
)
async def record_school_place(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=OUTCOME_FIELDS, conflicts=OUTCOME_CONFLICTS
    )
    values = form.values(OUTCOME_FIELDS)
    outcome_in = _outcome_request(form, values)
    if outcome_in is not None:
        recorded = await form.call(
            school_places.record_outcome(
                session=session, principal=principal, member_id=member_id, outcome_in=outcome_in
            )
        )
        if recorded is not None:
            return form.done(
                ui.page_path(request, "school_places"),
                form.texts.gettext("The outcome is recorded: %(status)s.")
                % {"status": form.texts.gettext(STATUS_LABELS[recorded.status])},
            )

    async def again(errors: ui.FormErrors) -> Response:
        found = await school_places.get_request(
            session=session, principal=principal, member_id=member_id
        )
        return await _outcome_page(request, found, values, records=True, errors=errors)

    return await form.again(again)


def _outcome_request(form: ui.FormAction, values: Mapping[str, str]) -> SchoolPlaceOutcomeIn | None:
    """The API's request from the form: only the fields the chosen outcome takes."""
    data: dict[str, Any] = {}
    form.put_choice(data, "outcome", values["outcome"])
    outcome = data.get("outcome")
    if outcome == Outcome.PLACED.value:
        form.put_choice(data, "institution", values["institution"])
        if values["institution_name"]:
            data["institution_name"] = values["institution_name"]
        else:
            form.refuse("institution_name", "Please name the school or Kita.")
    elif outcome == Outcome.CLOSED.value:
        if values["reason"]:
            data["reason"] = values["reason"]
        else:
            form.refuse("reason", "Please choose a reason.")
    return form.model(SchoolPlaceOutcomeIn, data)


async def _outcome_page(
    request: Request,
    found: SchoolPlaceRequestOut,
    values: Mapping[str, str],
    *,
    records: bool,
    errors: ui.FormErrors | None = None,
) -> Response:
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "courses/school_place.html",
        {
            "found": found,
            "values": values,
            # The outcome form: for a coordinator, while the request is still to be met.
            "pending": records and found.status in PENDING_SCHOOL_PLACES,
            "status_labels": STATUS_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "institution_labels": INSTITUTION_LABELS,
            "reason_labels": REASON_LABELS,
            "outcome_options": ui.options(OUTCOME_LABELS, page_texts),
            "institution_options": ui.options(INSTITUTION_LABELS, page_texts),
            "reason_options": ui.options(REASON_LABELS, page_texts),
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="school_places",
        errors=errors,
    )
