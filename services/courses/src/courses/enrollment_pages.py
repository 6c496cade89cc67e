"""Staff pages of courses: enrolling a person (find the household, choose the member).

Courses never receives names: a person is "Person 2" of the household with a given
allocation notice number; the enrolment goes through `service.enroll`, as the API's.
Coordinators enrol from every allocated household; caseworkers only from the households
in their care (a team lead's: every team's), as the API lets them: another household is
as unknown here as one never allocated.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.events.courses import OfferKind
from teilhabe.scope import applies_scope

from courses import domain, service
from courses.dependencies import OFFERS, PEOPLE
from courses.pages import (
    AGE_GROUP_LABELS,
    COORDINATOR_ROLES,
    FIELD_LABELS,
    KIND_LABELS,
    Enroller,
    person_label,
)
from courses.schemas import CourseOut, EnrollmentIn, EnrollmentOut, PersonOut

router = APIRouter()

ENROLL_FIELDS = ("allocation_notice_number", "member_id")
UNKNOWN_HOUSEHOLD = ui.N_(
    "No household with this allocation notice number is known here. Please check the "
    "number; a household registered only just now may take a moment to arrive."
)
ENROLL_CONFLICTS = {
    "already-enrolled": (
        "member_id",
        ui.N_("This person is already enrolled in this offer or on its waitlist."),
    ),
    "course-ended": ("member_id", ui.N_("This offer has ended: nobody can be enrolled any more.")),
}


# --- enrolling a person: find the household, choose the member ------------------------


@router.get(
    "/kurse/{course_id}/anmelden",
    name="enroll_form",
    dependencies=[applies_scope(OFFERS, PEOPLE)],
)
async def enroll_form(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Enroller
) -> Response:
    offer = await service.get_offer(session=session, principal=principal, course_id=course_id)
    page_texts = ui.texts(request)
    searched = "allocation_notice_number" in request.query_params
    number = request.query_params.get("allocation_notice_number", "").strip()
    people: list[PersonOut] = []
    errors: ui.FormErrors = {}
    if searched:
        people, errors = await _household(session, principal, number, page_texts)
    return await _enroll_page(
        request, principal, offer, number, people, member_id="", errors=errors
    )


@router.post(
    "/kurse/{course_id}/anmelden", name="enroll", dependencies=[applies_scope(OFFERS, PEOPLE)]
)
async def enroll(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Enroller
) -> Response:
    offer = await service.get_offer(session=session, principal=principal, course_id=course_id)
    form = await ui.FormAction.read(
        request,
        session,
        fields=ENROLL_FIELDS,
        # The age-group refusal in words that name the groups the offer is for.
        hints={"member_id": _eligibility(offer.kind, ui.texts(request))},
        conflicts=ENROLL_CONFLICTS,
    )
    number = form.text("allocation_notice_number")
    member_id = form.text("member_id")
    data: dict[str, Any] = {}
    form.put_choice(data, "member_id", member_id)
    enrollment_in = form.model(EnrollmentIn, data)
    if enrollment_in is not None:
        enrollment = await form.call(
            service.enroll(
                session=session,
                principal=principal,
                course_id=course_id,
                enrollment_in=enrollment_in,
                today=today(),
            )
        )
        if enrollment is not None:
            return form.done(
                _back(request, principal, course_id),
                await _enrollment_message(session, principal, enrollment, offer, form.texts),
            )

    async def again(errors: ui.FormErrors) -> Response:
        offer = await service.get_offer(session=session, principal=principal, course_id=course_id)
        people, lookup_errors = await _household(session, principal, number, form.texts)
        # No household to choose from: search again first.
        shown = ui.in_field_order(lookup_errors, ENROLL_FIELDS) if lookup_errors else errors
        return await _enroll_page(
            request, principal, offer, number, people, member_id=member_id, errors=shown
        )

    return await form.again(again)


def _back(request: Request, principal: Principal, course_id: uuid.UUID) -> str:
    """Where the page leads back to: the course for its coordinators, else the offer.

    A caseworker may not open a course's participants (the API's course detail is its
    coordinators'), so they return to the course offer they came from.
    """
    if principal.has_any_role(*COORDINATOR_ROLES):
        return ui.page_path(request, "course", course_id=course_id)
    return ui.page_path(request, "ui_home")


async def _household(
    session: DbSession, principal: Principal, number: str, page_texts: ui.Texts
) -> tuple[list[PersonOut], ui.FormErrors]:
    """The members of the household with notice `number`, or the error to show instead."""
    if not number:
        return [], {"allocation_notice_number": page_texts.gettext(ui.REQUIRED)}
    people = await service.find_people(
        session=session, principal=principal, allocation_notice_number=number
    )
    if not people:
        return [], {"allocation_notice_number": page_texts.gettext(UNKNOWN_HOUSEHOLD)}
    return people, {}


async def _enrollment_message(
    session: DbSession,
    principal: Principal,
    enrollment: EnrollmentOut,
    offer: CourseOut,
    page_texts: ui.Texts,
) -> str:
    people = await service.get_people_acted_on(
        session=session, principal=principal, member_ids=[enrollment.member_id]
    )
    values = {
        "person": person_label(people.get(enrollment.member_id), page_texts),
        "course": offer.title,
        "position": enrollment.waitlist_position,
    }
    if enrollment.waitlist_position is None:
        return page_texts.gettext("%(person)s is enrolled in “%(course)s”.") % values
    message = page_texts.gettext(
        "Every seat of “%(course)s” is taken: %(person)s is number %(position)s on the waitlist."
    )
    return message % values


async def _enroll_page(
    request: Request,
    principal: Principal,
    offer: CourseOut,
    number: str,
    people: Sequence[PersonOut],
    *,
    member_id: str,
    errors: ui.FormErrors | None = None,
) -> Response:
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "courses/enroll_form.html",
        {
            "course": offer,
            "back": _back(request, principal, offer.id),
            "number": number,
            "people": people,
            "member_id": member_id,
            "kind_labels": KIND_LABELS,
            "age_group_labels": AGE_GROUP_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
        },
        section="ui_home",
        errors=errors,
    )


def _eligibility(kind: OfferKind, page_texts: ui.Texts) -> str:
    """Whom an offer of `kind` is for, from the rules' own table."""
    groups = ", ".join(
        page_texts.gettext(label)
        for group, label in AGE_GROUP_LABELS.items()
        if group in domain.ELIGIBLE_AGE_GROUPS[kind]
    )
    return page_texts.gettext(
        "This person's age group cannot take up this offer. It is open to: %(groups)s."
    ) % {"groups": groups}
