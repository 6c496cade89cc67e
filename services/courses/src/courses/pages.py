"""Staff pages of courses at /ui: catalogue, new offer, course detail, withdrawing.

Every change goes through the use case the API calls (`service.create_course`,
`service.enroll`, `service.withdraw`); a page only turns a form into the API's request
model and a refusal back into errors next to the fields. Courses never receives names:
a person is "Person 2" of the household with a given allocation notice number.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal, Role
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.events.courses import OfferKind
from teilhabe.events.households import AgeGroup
from teilhabe.scope import applies_scope

from courses import domain, download_pages, service
from courses.dependencies import (
    COURSES_RUN,
    ENROLLMENTS,
    CatalogueReaders,
    CourseManagers,
    Enrollers,
)
from courses.schemas import (
    CourseDetail,
    CourseIn,
    PersonOut,
    WithdrawalOut,
)
from courses.work import FigureReaders, WorkStaff

router = APIRouter()
# Coordinators: whom the API admits to a course's participants. (The API lets
# caseworkers enrol and agencies read the catalogue, but most of this tool's pages show
# participants.)
COORDINATOR_ROLES = ui.api_roles(CourseManagers)
Coordinator = Annotated[Principal, ui.page_roles(*COORDINATOR_ROLES)]
# Enrolling a person: whom the API's enrolment admits (partner agencies aside, who have no
# pages here). A caseworker finds and enrols only the households in their care, as the API
# lets them; the course's participants stay its coordinators'.
ENROL_ROLES = ui.api_roles(Enrollers) - {Role.AGENCY}
Enroller = Annotated[Principal, ui.page_roles(*ENROL_ROLES)]
# The course offer (counts, no person): whom the API lets read the catalogue, so that a
# caseworker sees what to advise a household on. Partner agencies read it through the API
# only; this tool is not theirs.
CATALOGUE_ROLES = ui.api_roles(CatalogueReaders) - {Role.AGENCY}
# Caseworkers use the tool for their people's work and their children's school and Kita
# places; administrators see the work figures (counts only).
SCHOOL_PLACE_ROLES = ui.api_roles(Enrollers)
WORK_ROLES = ui.api_roles(WorkStaff)
WORK_FIGURE_ROLES = ui.api_roles(FigureReaders)
# The tool's own navigation: each entry for those its page admits, so that nobody is
# offered a page that answers "no access".
SECTIONS = (
    ui.Section("ui_home", ui.N_("Course offer"), roles=CATALOGUE_ROLES),
    ui.Section("new_course", ui.N_("New offer"), roles=COORDINATOR_ROLES),
    ui.Section("school_places", ui.N_("School and Kita places"), roles=SCHOOL_PLACE_ROLES),
    ui.Section("figures", ui.N_("Figures"), roles=COORDINATOR_ROLES),
    ui.Section("work", ui.N_("Work"), roles=WORK_ROLES),
    ui.Section("work_opportunities", ui.N_("Work opportunities"), roles=WORK_ROLES),
    ui.Section("work_figures", ui.N_("Work figures"), roles=WORK_FIGURE_ROLES),
)
# Where someone starts who sees no course offer: the first of these they may see.
OTHER_START_PAGES = ("work", "work_figures")
Visitor = Annotated[Principal, ui.page_roles(*(CATALOGUE_ROLES | WORK_ROLES | WORK_FIGURE_ROLES))]

PAGE_SIZE = 25

KIND_LABELS = {
    OfferKind.INTEGRATION_COURSE: ui.N_("Integration course"),
    OfferKind.LITERACY_COURSE: ui.N_("Literacy course"),
    OfferKind.LANGUAGE_CAFE: ui.N_("Language café"),
    OfferKind.SCHOOL_PLACE: ui.N_("School place"),
    OfferKind.KITA_PLACE: ui.N_("Kita place"),
    OfferKind.JOB_READINESS: ui.N_("Job readiness"),
    OfferKind.LEISURE: ui.N_("Leisure and sports"),
    OfferKind.COMMUNITY: ui.N_("Community offer"),
}
AGE_GROUP_LABELS = {
    AgeGroup.ADULT: ui.N_("Adult"),
    AgeGroup.SCHOOL: ui.N_("School child"),
    AgeGroup.KITA: ui.N_("Kita child"),
    AgeGroup.UNDER_THREE: ui.N_("Under three"),
}

COURSE_FIELDS = (
    "kind",
    "title",
    "provider",
    "level",
    "starts_on",
    "ends_on",
    "weekly_times",
    "place",
    "seats",
    "languages",
    "childcare",
)
REQUIRED_TEXT = ("title", "provider", "place")
OPTIONAL_TEXT = ("level", "weekly_times")
FIELD_LABELS = {
    "kind": ui.N_("Kind of offer"),
    "title": ui.N_("Title"),
    "provider": ui.N_("Provider"),
    "level": ui.N_("Level"),
    "starts_on": ui.N_("Starts on"),
    "ends_on": ui.N_("Ends on"),
    "weekly_times": ui.N_("Weekly times"),
    "place": ui.N_("Place"),
    "seats": ui.N_("Seats"),
    "languages": ui.N_("Languages"),
    "childcare": ui.N_("Childcare"),
    "name": ui.N_("Name"),
    "contact": ui.N_("Contact"),
    "allocation_notice_number": ui.N_("Allocation notice number"),
    "member_id": ui.N_("Person"),
}
LANGUAGES_HINT = ui.N_("Please give language codes of two or three letters, e.g. de, ar, uk.")
# The rules' own messages (courses.domain, courses.service), for the catalogue.
RULE_MESSAGES = (
    ui.N_("a course cannot end before it starts"),
    ui.N_("no person with this member_id is known to courses"),
)
WITHDRAW_CONFLICTS = {
    "already-withdrawn": (ui.FORM, ui.N_("This enrolment had already been withdrawn.")),
}


@dataclass(frozen=True)
class Filters:
    kind: str
    page: int


# --- catalogue -----------------------------------------------------------------------


@router.get("/", name="ui_home")
async def catalogue(request: Request, session: DbSession, principal: Visitor) -> Response:
    if not principal.has_any_role(*CATALOGUE_ROLES):
        # An administrator starts on a page of theirs, not at a refusal.
        offered = {section.name for section in SECTIONS if section.offered_to(principal)}
        start = next(name for name in OTHER_START_PAGES if name in offered)
        return RedirectResponse(ui.page_path(request, start), status_code=303)
    params = request.query_params
    kind = params.get("kind", "")
    filters = Filters(
        kind=kind if kind in KIND_LABELS else "",
        page=ui.page_number(params.get("page")),
    )
    download = ui.download_format(request)
    courses, total = await service.get_catalogue(
        session=session,
        principal=principal,
        kind=OfferKind(filters.kind) if filters.kind else None,
        # A download holds every offer the filter finds, not one page.
        limit=ui.DOWNLOAD_LIMIT if download else PAGE_SIZE,
        offset=0 if download else ui.page_offset(filters.page, PAGE_SIZE),
    )
    page_texts = ui.texts(request)
    if download:
        table = download_pages.offers_table(courses, KIND_LABELS, page_texts.gettext)
        return ui.download(table, download, on=today())
    return await ui.render(
        request,
        "courses/catalogue.html",
        {
            "filters": filters,
            "courses": courses,
            "total": total,
            "pager": ui.pager(filters.page, total, PAGE_SIZE, ui.same_query(request)),
            "downloads": ui.download_links(request),
            "kind_labels": KIND_LABELS,
            "kind_options": ui.options(KIND_LABELS, page_texts),
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
            # Creating offers and a course's participants are the coordinators'; a
            # caseworker reads the offer and enrols the people in their care (the API's
            # course detail holds other households' participants).
            "runs_courses": principal.has_any_role(*COORDINATOR_ROLES),
            "enrols": principal.has_any_role(*ENROL_ROLES),
        },
        section="ui_home",
    )


# --- a new course or offer -----------------------------------------------------------


@router.get("/kurse/neu", name="new_course")
async def new_course(request: Request, _: Coordinator) -> Response:
    return await _course_form_page(request, dict.fromkeys(COURSE_FIELDS, ""))


@router.post("/kurse/neu", name="create_course")
async def create_course(request: Request, session: DbSession, principal: Coordinator) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=COURSE_FIELDS, hints={"languages": LANGUAGES_HINT}
    )
    values = form.values(COURSE_FIELDS)
    course_in = _course_request(form, values)
    if course_in is not None:
        course = await form.call(
            service.create_course(session=session, principal=principal, course_in=course_in)
        )
        if course is not None:
            return form.done(
                ui.page_path(request, "course", course_id=course.id),
                form.texts.gettext("The offer “%(title)s” is created.") % {"title": course.title},
            )
    return await form.again(lambda errors: _course_form_page(request, values, errors=errors))


def _course_request(form: ui.FormAction, values: Mapping[str, str]) -> CourseIn | None:
    """The API's request model from the typed values, or None with the errors in `form`."""
    data: dict[str, Any] = {name: values[name] for name in REQUIRED_TEXT if values[name]}
    data.update({name: values[name] or None for name in OPTIONAL_TEXT})
    form.put_choice(data, "kind", values["kind"])
    # "1.000" is a thousand seats in German, "1.00" is refused: never silently 1.
    form.put_whole_number(data, "seats", values["seats"])
    form.put_date(data, "starts_on", values["starts_on"])
    form.put_date(data, "ends_on", values["ends_on"], required=False)
    # "de, ar uk": codes separated by commas or spaces, as staff write them.
    data["languages"] = [code for code in values["languages"].replace(",", " ").split() if code]
    data["childcare"] = values["childcare"] == "on"
    return form.model(CourseIn, data)


async def _course_form_page(
    request: Request,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "courses/course_form.html",
        {
            "values": values,
            "kind_options": ui.options(KIND_LABELS, page_texts),
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="new_course",
        errors=errors,
    )


# --- one course: participants, waitlist, withdrawing ---------------------------------


@router.get("/kurse/{course_id}", name="course", dependencies=[applies_scope(COURSES_RUN)])
async def course(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    download = ui.download_format(request)
    which = request.query_params.get(download_pages.LIST_KEY)
    if download and which in (download_pages.PARTICIPANTS, download_pages.WAITLIST):
        # The same use case as the page (scoped to the course's coordinators), as an export.
        detail = await service.get_course(
            session=session, principal=principal, course_id=course_id, action="export"
        )
        gettext = ui.texts(request).gettext
        table = download_pages.course_table(detail, which, AGE_GROUP_LABELS, gettext)
        return ui.download(table, download, on=today())
    detail = await service.get_course(session=session, principal=principal, course_id=course_id)
    return await course_page(request, detail)


@router.post(
    "/anmeldungen/{enrollment_id}/abmelden",
    name="withdraw",
    dependencies=[applies_scope(ENROLLMENTS, COURSES_RUN)],
)
async def withdraw(
    request: Request, enrollment_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=WITHDRAW_CONFLICTS, status=409)
    withdrawal = await form.call(
        service.withdraw(session=session, principal=principal, enrollment_id=enrollment_id)
    )
    if withdrawal is not None:
        return form.done(
            ui.page_path(request, "course", course_id=withdrawal.withdrawn.course_id),
            await _withdrawal_message(session, principal, withdrawal, form.texts),
        )

    async def again(errors: ui.FormErrors) -> Response:
        # Gone meanwhile, with its course: not found.
        course_id = await service.get_enrollment_course(
            session=session, principal=principal, enrollment_id=enrollment_id
        )
        detail = await service.get_course(session=session, principal=principal, course_id=course_id)
        return await course_page(request, detail, errors=errors)

    return await form.again(again)


async def _withdrawal_message(
    session: DbSession, principal: Principal, withdrawal: WithdrawalOut, page_texts: ui.Texts
) -> str:
    member_ids = [withdrawal.withdrawn.member_id, *(o.member_id for o in withdrawal.offered)]
    people = await service.get_people_acted_on(
        session=session, principal=principal, member_ids=member_ids
    )
    withdrawn = person_label(people.get(withdrawal.withdrawn.member_id), page_texts)
    if withdrawal.offered:
        offered = ", ".join(
            person_label(people.get(o.member_id), page_texts) for o in withdrawal.offered
        )
        message = page_texts.gettext(
            "%(person)s is withdrawn. The freed seat is offered to %(offered)s from the "
            "waitlist, to accept until %(deadline)s."
        )
        return message % {
            "person": withdrawn,
            "offered": offered,
            "deadline": ui.format_datetime(withdrawal.offered[0].expires_at, page_texts.language),
        }
    if withdrawal.withdrawn.enrolled_at is not None:
        message = page_texts.gettext("%(person)s is withdrawn. The seat is free again.")
    else:
        message = page_texts.gettext("%(person)s is withdrawn and no longer on the waitlist.")
    return message % {"person": withdrawn}


async def course_page(
    request: Request,
    detail: CourseDetail,
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    return await ui.render(
        request,
        "courses/course.html",
        {
            "course": detail,
            "open_to_guests": detail.kind in domain.OPEN_TO_GUESTS,
            "downloads": download_pages.course_links(
                request, ui.page_path(request, "course", course_id=detail.id)
            ),
            "kind_labels": KIND_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, ui.texts(request)),
        },
        section="ui_home",
        errors=errors,
    )


# --- small helpers -------------------------------------------------------------------


def person_label(person: PersonOut | None, page_texts: ui.Texts) -> str:
    """Who someone is, without a name: "Person 2 of household BRA-2026-0815"."""
    if person is None or person.allocation_notice_number is None or person.position is None:
        return page_texts.gettext("A person of a household without a known notice number")
    return page_texts.gettext("Person %(position)s of household %(number)s") % {
        "position": person.position,
        "number": person.allocation_notice_number,
    }


def mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve courses' staff pages under /ui of `app`."""
    # They take this module's role declaration and labels.
    from courses import (
        calendar_pages,
        enrollment_pages,
        figure_pages,
        guest_pages,
        progress_pages,
        school_place_pages,
        seat_offer_pages,
        work_figure_pages,
        work_opportunity_pages,
        work_pages,
    )

    ui.mount_staff_ui(
        app,
        settings,
        ui.StaffTool(
            name="courses",
            templates=Path(__file__).parent / "templates",
            sections=SECTIONS,
        ),
        [
            router,
            enrollment_pages.router,
            progress_pages.router,
            guest_pages.router,
            seat_offer_pages.router,
            school_place_pages.router,
            calendar_pages.router,
            figure_pages.router,
            work_pages.router,
            work_opportunity_pages.router,
            work_figure_pages.router,
        ],
        outbox=service.outbox,
    )
