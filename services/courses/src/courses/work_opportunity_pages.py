"""Staff pages of work opportunities and placements: the opportunities (job readiness,
internships, Arbeitsgelegenheiten; no employer names), a new one, one with the placements
into it of the people one acts for, proposing a person from their work page, and a
placement's start and end. Every change goes through the use case the API calls; a
refusal (a permit that does not allow it) stands at its field."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

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

from courses import work_pages, work_placements
from courses.schemas import (
    OpportunityIn,
    PlacementEndIn,
    PlacementIn,
    PlacementStartIn,
)
from courses.work import WORKERS
from courses.work_pages import (
    CATEGORY_LABELS,
    OPPORTUNITY_KIND_LABELS,
    OUTCOME_LABELS,
    PERMIT_LABELS,
    PLACEMENT_STATUS_LABELS,
    Worker,
)
from courses.work_placements import OPPORTUNITIES, PLACEMENTS

router = APIRouter()

OPPORTUNITY_FIELDS = (
    "kind",
    "title",
    "employer_category",
    "hours_per_week",
    "place",
    "postcode",
    "seats",
    "starts_on",
    "ends_on",
)
FIELD_LABELS = {
    "kind": ui.N_("Kind of opportunity"),
    "title": ui.N_("What the work is"),
    "employer_category": ui.N_("Kind of employer"),
    "hours_per_week": ui.N_("Hours per week"),
    "place": ui.N_("Place"),
    "postcode": ui.N_("Postcode"),
    "seats": ui.N_("Seats"),
    "starts_on": ui.N_("Starts on"),
    "ends_on": ui.N_("Ends on"),
    "opportunity_id": ui.N_("Opportunity"),
    "proposed_on": ui.N_("Proposed on"),
    "placement_started_on": ui.N_("Started on"),
    "placement_ended_on": ui.N_("Ended on"),
    "outcome": ui.N_("Outcome"),
}
HINTS = {
    "postcode": ui.N_("Five digits, e.g. 48249."),
}
# The rules' own messages (courses.domain, courses.work_placements), for the catalogue.
RULE_MESSAGES = (
    ui.N_("no work permit status recorded that allows this placement on this day"),
    ui.N_("an opportunity cannot end before it starts"),
    ui.N_("must not be before the placement was proposed"),
    ui.N_("must not be before the placement started"),
)
PLACEMENT_CONFLICTS = {
    "opportunity-full": ("opportunity_id", ui.N_("Every seat of this opportunity is taken.")),
    "already-placed": (
        "opportunity_id",
        ui.N_("This person is proposed for or in this opportunity already."),
    ),
    "placement-started": (ui.FORM, ui.N_("This placement has started already.")),
    "placement-proposed": (ui.FORM, ui.N_("This placement has not started yet.")),
    "placement-ended": (ui.FORM, ui.N_("This placement has ended already.")),
    "placement-withdrawn": (ui.FORM, ui.N_("This placement was withdrawn.")),
}


def _labels(request: Request) -> dict[str, str]:
    return ui.field_labels(FIELD_LABELS, ui.texts(request))


# --- the opportunities ------------------------------------------------------------------


@router.get(
    "/arbeit/angebote", name="work_opportunities", dependencies=[applies_scope(OPPORTUNITIES)]
)
async def opportunities(request: Request, session: DbSession, principal: Worker) -> Response:
    found = await work_placements.list_opportunities(
        session=session, principal=principal, today=today()
    )
    return await ui.render(
        request,
        "courses/work_opportunities.html",
        {
            "opportunities": found,
            "kind_labels": OPPORTUNITY_KIND_LABELS,
            "category_labels": CATEGORY_LABELS,
        },
        section="work_opportunities",
    )


@router.get("/arbeit/angebote/neu", name="new_opportunity")
async def new_opportunity(request: Request, _: Worker) -> Response:
    return await _opportunity_form(request, dict.fromkeys(OPPORTUNITY_FIELDS, ""))


@router.post("/arbeit/angebote/neu", name="create_opportunity")
async def create_opportunity(request: Request, session: DbSession, principal: Worker) -> Response:
    form = await ui.FormAction.read(request, session, fields=OPPORTUNITY_FIELDS, hints=HINTS)
    values = form.values(OPPORTUNITY_FIELDS)
    data: dict[str, Any] = {
        name: values[name] for name in ("title", "place", "postcode") if values[name]
    }
    form.put_choice(data, "kind", values["kind"])
    form.put_choice(data, "employer_category", values["employer_category"])
    work_pages.put_hours(form, data, values["hours_per_week"])
    form.put_whole_number(data, "seats", values["seats"])
    form.put_date(data, "starts_on", values["starts_on"])
    form.put_date(data, "ends_on", values["ends_on"], required=False)
    body = form.model(OpportunityIn, data)
    if body is not None:
        created = await form.call(
            work_placements.create_opportunity(
                session=session, principal=principal, opportunity_in=body
            )
        )
        if created is not None:
            return form.done(
                ui.page_path(request, "work_opportunity", opportunity_id=created.id),
                form.texts.gettext("The opportunity “%(title)s” is created.")
                % {"title": created.title},
            )
    return await form.again(lambda errors: _opportunity_form(request, values, errors))


async def _opportunity_form(
    request: Request, values: Mapping[str, str], errors: ui.FormErrors | None = None
) -> Response:
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "courses/work_opportunity_form.html",
        {
            "values": values,
            "kind_options": ui.options(OPPORTUNITY_KIND_LABELS, page_texts),
            "category_options": ui.options(CATEGORY_LABELS, page_texts),
            "labels": _labels(request),
        },
        section="work_opportunities",
        errors=errors,
    )


@router.get(
    "/arbeit/angebote/{opportunity_id}",
    name="work_opportunity",
    dependencies=[applies_scope(OPPORTUNITIES, PLACEMENTS)],
)
async def opportunity(
    request: Request, opportunity_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    found, placements = await work_placements.get_opportunity(
        session=session, principal=principal, opportunity_id=opportunity_id
    )
    return await ui.render(
        request,
        "courses/work_opportunity.html",
        {
            "opportunity": found,
            "placements": placements,
            "kind_labels": OPPORTUNITY_KIND_LABELS,
            "category_labels": CATEGORY_LABELS,
            "status_labels": PLACEMENT_STATUS_LABELS,
            "outcome_labels": OUTCOME_LABELS,
        },
        section="work_opportunities",
    )


# --- placements -------------------------------------------------------------------------


@router.post(
    "/arbeit/personen/{member_id}/vermittlung",
    name="propose_placement",
    dependencies=[applies_scope(WORKERS, OPPORTUNITIES)],
)
async def propose_placement(
    request: Request, member_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    fields = ("member_id", "opportunity_id", "proposed_on")
    form = await ui.FormAction.read(
        request,
        session,
        fields=fields,
        hints={"member_id": work_pages.NO_PERMIT_HINT},
        conflicts=PLACEMENT_CONFLICTS,
    )
    values = form.values(fields[1:])
    data: dict[str, Any] = {"member_id": member_id}
    chosen = _uuid(values["opportunity_id"])
    if chosen is None:
        form.refuse("opportunity_id", ui.CHOOSE)
    form.put_date(data, "proposed_on", values["proposed_on"])
    body = form.model(PlacementIn, data)
    if (
        body is not None
        and chosen is not None
        and await work_pages.in_care(session, principal, member_id)
    ):
        placed = await form.call(
            work_placements.propose(
                session=session, principal=principal, opportunity_id=chosen, placement_in=body
            )
        )
        if placed is not None:
            return work_pages.done(
                form, request, member_id, ui.N_("The person is proposed for the opportunity.")
            )
        # The permit refuses the person for this kind of opportunity: said at the choice.
        if "member_id" in form.errors:
            form.errors.pop("member_id")
            form.refuse("opportunity_id", NO_PERMIT_FOR_PLACEMENT)
    return await form.again(
        lambda errors: work_pages.person_page(
            request, session, principal, member_id, values, errors
        )
    )


def _uuid(typed: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(typed)
    except ValueError:
        return None


NO_PERMIT_FOR_PLACEMENT = ui.N_(
    "This kind of opportunity needs a work permit status that allows employment on this "
    "day. Please record the permit status first, or choose a job-readiness offer or a work "
    "opportunity under § 5 AsylbLG."
)


@router.get(
    "/arbeit/vermittlungen/{placement_id}",
    name="work_placement",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def placement(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    return await _placement_page(request, session, principal, placement_id, {})


@router.post(
    "/arbeit/vermittlungen/{placement_id}/beginn",
    name="start_placement",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def start_placement(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    fields = ("placement_started_on",)
    form = await ui.FormAction.read(
        request, session, fields=("started_on", *fields), conflicts=PLACEMENT_CONFLICTS
    )
    values = form.values(fields)
    data: dict[str, Any] = {}
    form.put_date(data, "started_on", values["placement_started_on"], key="placement_started_on")
    body = form.model(PlacementStartIn, data)
    if body is not None:
        started = await form.call(
            work_placements.start(
                session=session, principal=principal, placement_id=placement_id, start_in=body
            )
        )
        if started is not None:
            return form.done(
                ui.page_path(request, "work_placement", placement_id=placement_id),
                form.texts.gettext("The start of the placement is recorded."),
            )
    form.rename({"started_on": "placement_started_on"})
    return await form.again(
        lambda errors: _placement_page(request, session, principal, placement_id, values, errors)
    )


@router.post(
    "/arbeit/vermittlungen/{placement_id}/ende",
    name="end_placement",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def end_placement(
    request: Request, placement_id: uuid.UUID, session: DbSession, principal: Worker
) -> Response:
    fields = ("placement_ended_on", "outcome")
    form = await ui.FormAction.read(
        request, session, fields=("ended_on", *fields), conflicts=PLACEMENT_CONFLICTS
    )
    values = form.values(fields)
    data: dict[str, Any] = {}
    form.put_date(data, "ended_on", values["placement_ended_on"], key="placement_ended_on")
    form.put_choice(data, "outcome", values["outcome"])
    body = form.model(PlacementEndIn, data)
    if body is not None:
        ended = await form.call(
            work_placements.end(
                session=session, principal=principal, placement_id=placement_id, end_in=body
            )
        )
        if ended is not None:
            return form.done(
                ui.page_path(request, "work_placement", placement_id=placement_id),
                form.texts.gettext("The end of the placement is recorded."),
            )
    form.rename({"ended_on": "placement_ended_on"})
    return await form.again(
        lambda errors: _placement_page(request, session, principal, placement_id, values, errors)
    )


async def _placement_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    placement_id: uuid.UUID,
    values: Mapping[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    found, offered = await work_placements.get_placement(
        session=session, principal=principal, placement_id=placement_id
    )
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "courses/work_placement.html",
        {
            "placement": found,
            "opportunity": offered,
            "values": {
                name: values.get(name, "")
                for name in ("placement_started_on", "placement_ended_on", "outcome")
            },
            "kind_labels": OPPORTUNITY_KIND_LABELS,
            "category_labels": CATEGORY_LABELS,
            "status_labels": PLACEMENT_STATUS_LABELS,
            "permit_labels": PERMIT_LABELS,
            "outcome_options": ui.options(OUTCOME_LABELS, page_texts),
            "outcome_labels": OUTCOME_LABELS,
            "labels": _labels(request),
        },
        section="work_opportunities",
        errors=errors,
    )
