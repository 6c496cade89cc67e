"""Staff pages of courses: guests of community offers (locals and volunteers).

Adding and removing go through the use cases the API calls (`guests.add_guest`,
`guests.remove_guest`); the page turns the form into the API's request model.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from courses import guests, service
from courses.dependencies import COURSES_RUN, GUESTS
from courses.pages import FIELD_LABELS, KIND_LABELS, Coordinator
from courses.schemas import CourseOut, GuestIn

router = APIRouter()

GUEST_FIELDS = ("name", "contact")
GUEST_CONFLICTS = {
    "not-open-to-guests": (
        ui.FORM,
        ui.N_("This kind of offer is open to allocated people only."),
    ),
    "no-end": (
        ui.FORM,
        ui.N_("Guests can join only an offer with an end date, since their data goes then."),
    ),
    "course-ended": (ui.FORM, ui.N_("This offer has ended: nobody can join any more.")),
    "no-free-seat": (ui.FORM, ui.N_("Every seat of this offer is taken.")),
}


@router.get(
    "/kurse/{course_id}/gaeste/neu",
    name="guest_form",
    dependencies=[applies_scope(COURSES_RUN)],
)
async def guest_form(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    # The offer's own coordinators only, as for its participants.
    await service.get_sessions(session=session, principal=principal, course_id=course_id)
    offer = await service.get_offer(session=session, principal=principal, course_id=course_id)
    return await _guest_page(request, offer, dict.fromkeys(GUEST_FIELDS, ""))


@router.post(
    "/kurse/{course_id}/gaeste", name="add_guest", dependencies=[applies_scope(COURSES_RUN)]
)
async def add_guest(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=GUEST_FIELDS, conflicts=GUEST_CONFLICTS
    )
    values = form.values(GUEST_FIELDS)
    guest_in = form.model(GuestIn, {name: value for name, value in values.items() if value})
    if guest_in is not None:
        guest = await form.call(
            guests.add_guest(
                session=session,
                principal=principal,
                course_id=course_id,
                guest_in=guest_in,
                today=today(),
            )
        )
        if guest is not None:
            return form.done(
                ui.page_path(request, "course", course_id=course_id),
                form.texts.gettext("%(name)s joins the offer as a guest.") % {"name": guest.name},
            )

    async def again(errors: ui.FormErrors) -> Response:
        offer = await service.get_offer(session=session, principal=principal, course_id=course_id)
        return await _guest_page(request, offer, values, errors=errors)

    return await form.again(again)


@router.post(
    "/gaeste/{guest_id}/entfernen", name="remove_guest", dependencies=[applies_scope(GUESTS)]
)
async def remove_guest(
    request: Request, guest_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(request, session, status=409)
    course_id = await guests.remove_guest(session=session, principal=principal, guest_id=guest_id)
    return form.done(
        ui.page_path(request, "course", course_id=course_id),
        form.texts.gettext("The guest is removed and their data deleted. The seat is free again."),
    )


async def _guest_page(
    request: Request,
    offer: CourseOut,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    return await ui.render(
        request,
        "courses/guest_form.html",
        {
            "course": offer,
            "values": values,
            "kind_labels": KIND_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, ui.texts(request)),
        },
        section="ui_home",
        errors=errors,
    )
