"""Staff pages of work: the people in work or job readiness in one's care, and a person's
work page (permit status with its history, employments, handovers to the Jobcenter with
the consent to it) with the forms that record them.

For the roles the work API admits (caseworkers for their households, coordinators for
the participants of their offers). Every change goes through the use case the API calls;
a refusal comes back at its field.
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
from teilhabe.events.work import EmployerCategory, EmploymentEndReason, WorkPermitStatus
from teilhabe.scope import applies_scope

from courses import domain, work, work_placements
from courses.domain import ConsentState, OpportunityKind, PlacementOutcome, PlacementStatus
from courses.pages import AGE_GROUP_LABELS
from courses.schemas import (
    EmploymentEndIn,
    EmploymentStartIn,
    HandoverIn,
    PermitIn,
    PersonOut,
    WorkRecordOut,
)
from courses.work import WORKERS, WorkStaff

router = APIRouter()
WORK_ROLES = ui.api_roles(WorkStaff)
Worker = Annotated[Principal, ui.page_roles(*WORK_ROLES)]

PERMIT_LABELS = {
    WorkPermitStatus.PERMITTED: ui.N_("Employment permitted"),
    WorkPermitStatus.PERMITTED_WITH_APPROVAL: ui.N_(
        "Employment with the foreigners' authority's approval"
    ),
    WorkPermitStatus.NOT_PERMITTED: ui.N_("Employment not permitted"),
    WorkPermitStatus.UNKNOWN: ui.N_("Not known"),
}
CATEGORY_LABELS = {
    EmployerCategory.CRAFT: ui.N_("Craft"),
    EmployerCategory.CARE: ui.N_("Care and health"),
    EmployerCategory.HOSPITALITY: ui.N_("Hospitality"),
    EmployerCategory.RETAIL: ui.N_("Retail"),
    EmployerCategory.LOGISTICS: ui.N_("Logistics and transport"),
    EmployerCategory.INDUSTRY: ui.N_("Industry and production"),
    EmployerCategory.CLEANING: ui.N_("Cleaning and building services"),
    EmployerCategory.PUBLIC_SECTOR: ui.N_("Public sector"),
    EmployerCategory.OTHER: ui.N_("Other"),
}
END_REASON_LABELS = {
    EmploymentEndReason.CONTRACT_ENDED: ui.N_("Contract ended"),
    EmploymentEndReason.RESIGNED: ui.N_("Resigned"),
    EmploymentEndReason.DISMISSED: ui.N_("Dismissed"),
    EmploymentEndReason.OTHER: ui.N_("Other reason"),
}
CONSENT_LABELS = {
    ConsentState.GIVEN: ui.N_("Consent given: the Jobcenter receives the handover"),
    ConsentState.REVOKED: ui.N_("Consent revoked: the Jobcenter does not receive it"),
    ConsentState.NONE: ui.N_("No consent: the Jobcenter does not receive it"),
}
OPPORTUNITY_KIND_LABELS = {
    OpportunityKind.JOB_READINESS: ui.N_("Job readiness"),
    OpportunityKind.INTERNSHIP: ui.N_("Internship"),
    OpportunityKind.AGH_ASYLBLG: ui.N_("Work opportunity (§ 5 AsylbLG)"),
    OpportunityKind.AGH_SGB2: ui.N_("Work opportunity (§ 16d SGB II)"),
}
PLACEMENT_STATUS_LABELS = {
    PlacementStatus.PROPOSED: ui.N_("Proposed"),
    PlacementStatus.STARTED: ui.N_("Started"),
    PlacementStatus.ENDED: ui.N_("Ended"),
    PlacementStatus.WITHDRAWN: ui.N_("Withdrawn"),
}
OUTCOME_LABELS = {
    PlacementOutcome.COMPLETED: ui.N_("Completed as planned"),
    PlacementOutcome.EMPLOYMENT: ui.N_("Went on into work"),
    PlacementOutcome.TRAINING: ui.N_("Went on into vocational training"),
    PlacementOutcome.BROKE_OFF: ui.N_("Broken off"),
    PlacementOutcome.OTHER: ui.N_("Other"),
}
FIELD_LABELS = {
    "allocation_notice_number": ui.N_("Allocation notice number"),
    "status": ui.N_("Work permit status"),
    "valid_until": ui.N_("Valid until"),
    "started_on": ui.N_("Started on"),
    "employer_category": ui.N_("Kind of employer"),
    "hours_per_week": ui.N_("Hours per week"),
    "ended_on": ui.N_("Ended on"),
    "reason": ui.N_("Reason"),
    "handed_over_on": ui.N_("Handed over on"),
    "opportunity_id": ui.N_("Opportunity"),
    "proposed_on": ui.N_("Proposed on"),
}
# The rules' own messages (courses.domain, courses.work), for the catalogue.
RULE_MESSAGES = (
    ui.N_("no work permit status recorded that allows employment on this day"),
    ui.N_("must not be before the employment started"),
)
NO_PERMIT_HINT = ui.N_(
    "No work permit status is recorded that allows employment on this day. Please record "
    "the permit status first."
)
UNKNOWN_HOUSEHOLD = ui.N_(
    "No household with this allocation notice number is in your care here. Please check the number."
)
PERMIT_FIELDS = ("status", "valid_until")
START_FIELDS = ("member_id", "started_on", "employer_category", "hours_per_week")
END_FIELDS = ("ended_on", "reason")
HANDOVER_FIELDS = ("handed_over_on",)
ALL_FIELDS = (*PERMIT_FIELDS, *START_FIELDS[1:], *END_FIELDS, *HANDOVER_FIELDS)
EMPLOYMENT_CONFLICTS = {
    "employment-running": (
        "started_on",
        ui.N_("This person's employment is running already: record its end first."),
    ),
    "no-employment": ("ended_on", ui.N_("This person has no running employment.")),
}


# --- the list: people in work or job readiness, and finding a household ----------------


@router.get("/arbeit", name="work", dependencies=[applies_scope(WORKERS)])
async def work_people(request: Request, session: DbSession, principal: Worker) -> Response:
    page_texts = ui.texts(request)
    people = await work.list_working(session=session, principal=principal, today=today())
    number = request.query_params.get("allocation_notice_number", "").strip()
    found: list[PersonOut] = []
    errors: ui.FormErrors = {}
    if "allocation_notice_number" in request.query_params:
        if not number:
            errors = {"allocation_notice_number": page_texts.gettext(ui.REQUIRED)}
        else:
            found = await work.find_household(
                session=session, principal=principal, allocation_notice_number=number
            )
            if not found:
                errors = {"allocation_notice_number": page_texts.gettext(UNKNOWN_HOUSEHOLD)}
    return await ui.render(
        request,
        "courses/work_people.html",
        {
            "people": people,
            "number": number,
            "found": found,
            "permit_labels": PERMIT_LABELS,
            "category_labels": CATEGORY_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="work",
        errors=errors,
    )


# --- one person's work page -----------------------------------------------------------


@router.get(
    "/arbeit/personen/{member_id}", name="work_person", dependencies=[applies_scope(WORKERS)]
)
async def work_person(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    return await person_page(request, session, principal, member_id, {})


@router.post(
    "/arbeit/personen/{member_id}/erlaubnis",
    name="record_permit",
    dependencies=[applies_scope(WORKERS)],
)
async def record_permit(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    form = await ui.FormAction.read(request, session, fields=PERMIT_FIELDS)
    values = form.values(PERMIT_FIELDS)
    data: dict[str, Any] = {"member_id": member_id}
    form.put_choice(data, "status", values["status"])
    form.put_date(data, "valid_until", values["valid_until"], required=False)
    body = form.model(PermitIn, data)
    if body is not None and await in_care(session, principal, member_id):
        permit = await form.call(
            work.record_permit(session=session, principal=principal, permit_in=body)
        )
        if permit is not None:
            return done(form, request, member_id, ui.N_("The work permit status is recorded."))
    return await form.again(
        lambda errors: person_page(request, session, principal, member_id, values, errors)
    )


@router.post(
    "/arbeit/personen/{member_id}/beschaeftigung",
    name="start_employment",
    dependencies=[applies_scope(WORKERS)],
)
async def start_employment(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    form = await ui.FormAction.read(
        request,
        session,
        fields=START_FIELDS,
        hints={"member_id": NO_PERMIT_HINT},
        conflicts=EMPLOYMENT_CONFLICTS,
    )
    values = form.values(START_FIELDS[1:])
    data: dict[str, Any] = {"member_id": member_id}
    form.put_date(data, "started_on", values["started_on"])
    form.put_choice(data, "employer_category", values["employer_category"])
    put_hours(form, data, values["hours_per_week"])
    body = form.model(EmploymentStartIn, data)
    if body is not None and await in_care(session, principal, member_id):
        started = await form.call(
            work.start_employment(session=session, principal=principal, start_in=body)
        )
        if started is not None:
            return done(form, request, member_id, ui.N_("The start of the employment is recorded."))
        # The permit refuses the person on that day: said at the day.
        if "member_id" in form.errors:
            form.errors.pop("member_id")
            form.refuse("started_on", NO_PERMIT_HINT)
    return await form.again(
        lambda errors: person_page(request, session, principal, member_id, values, errors)
    )


@router.post(
    "/arbeit/personen/{member_id}/beschaeftigung-ende",
    name="end_employment",
    dependencies=[applies_scope(WORKERS)],
)
async def end_employment(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=END_FIELDS, conflicts=EMPLOYMENT_CONFLICTS
    )
    values = form.values(END_FIELDS)
    data: dict[str, Any] = {"member_id": member_id}
    form.put_date(data, "ended_on", values["ended_on"])
    form.put_choice(data, "reason", values["reason"])
    body = form.model(EmploymentEndIn, data)
    if body is not None and await in_care(session, principal, member_id):
        ended = await form.call(
            work.end_employment(session=session, principal=principal, end_in=body)
        )
        if ended is not None:
            return done(form, request, member_id, ui.N_("The end of the employment is recorded."))
    return await form.again(
        lambda errors: person_page(request, session, principal, member_id, values, errors)
    )


@router.post(
    "/arbeit/personen/{member_id}/jobcenter",
    name="hand_over",
    dependencies=[applies_scope(WORKERS)],
)
async def hand_over(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    form = await ui.FormAction.read(request, session, fields=HANDOVER_FIELDS)
    values = form.values(HANDOVER_FIELDS)
    data: dict[str, Any] = {"member_id": member_id}
    form.put_date(data, "handed_over_on", values["handed_over_on"])
    body = form.model(HandoverIn, data)
    if body is not None and await in_care(session, principal, member_id):
        handed = await form.call(
            work.hand_over(session=session, principal=principal, handover_in=body)
        )
        if handed is not None:
            return done(
                form,
                request,
                member_id,
                ui.N_(
                    "The handover to the Jobcenter is recorded. It reaches the Jobcenter "
                    "only with the person's consent."
                ),
            )
    return await form.again(
        lambda errors: person_page(request, session, principal, member_id, values, errors)
    )


# --- helpers ----------------------------------------------------------------------------


async def in_care(session: DbSession, principal: Principal, member_id: uuid.UUID) -> bool:
    """Whether the person is the caller's; a person out of their care is not found."""
    await work.get_person(session=session, principal=principal, member_id=member_id)
    return True


def put_hours(form: ui.FormAction, data: dict[str, Any], typed: str) -> None:
    # "19,5" as staff write it in German; the model checks the range.
    if typed:
        data["hours_per_week"] = typed.replace(" ", "").replace(",", ".")
    else:
        form.refuse("hours_per_week", ui.REQUIRED)


def done(form: ui.FormAction, request: Request, member_id: uuid.UUID, message: str) -> Response:
    return form.done(
        ui.page_path(request, "work_person", member_id=member_id), form.texts.gettext(message)
    )


async def person_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    member_id: uuid.UUID,
    values: Mapping[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    record: WorkRecordOut = await work.get_work_record(
        session=session, principal=principal, member_id=member_id, today=today()
    )
    page_texts = ui.texts(request)
    typed = {name: values.get(name, "") for name in ALL_FIELDS}
    if not values and record.permit is not None:
        typed["status"] = record.permit.status.value
        typed["valid_until"] = ui.date_input_value(record.permit.valid_until, page_texts.language)
    running = next((e for e in record.employments if e.ended_on is None), None)
    opportunities = await work_placements.list_opportunities(
        session=session, principal=principal, today=today()
    )
    for name in ("opportunity_id", "proposed_on"):
        typed[name] = values.get(name, "")
    return await ui.render(
        request,
        "courses/work_person.html",
        {
            "record": record,
            "running": running,
            "values": typed,
            "allows_employment": domain.permit_allows_employment(
                record.permit.status if record.permit else None,
                record.permit.valid_until if record.permit else None,
                today(),
            ),
            "permit_labels": PERMIT_LABELS,
            "permit_options": ui.options(PERMIT_LABELS, page_texts),
            "category_labels": CATEGORY_LABELS,
            "category_options": ui.options(CATEGORY_LABELS, page_texts),
            "reason_labels": END_REASON_LABELS,
            "reason_options": ui.options(END_REASON_LABELS, page_texts),
            "consent_labels": CONSENT_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "opportunity_kind_labels": OPPORTUNITY_KIND_LABELS,
            "opportunity_options": [
                (
                    str(o.id),
                    f"{o.title} ({page_texts.gettext(OPPORTUNITY_KIND_LABELS[o.kind])}, "
                    f"{o.postcode})",
                )
                for o in opportunities
            ],
            "placement_status_labels": PLACEMENT_STATUS_LABELS,
            "outcome_labels": OUTCOME_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="work",
        errors=errors,
    )
