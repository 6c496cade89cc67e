"""Staff pages of courses: answering a seat offer on the course page (accept, decline).

Both go through the use cases the API calls (`seat_offers.accept`, `seat_offers.decline`);
a refusal (the offer expired or was answered meanwhile) shows the course page again.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from courses import seat_offers, service
from courses.dependencies import SEAT_OFFERS
from courses.pages import Coordinator, course_page, person_label
from courses.schemas import SeatOfferOut

router = APIRouter()

OFFER_CONFLICTS = {
    "offer-expired": (
        ui.FORM,
        ui.N_("The seat offer had expired; the seat went to the next on the waitlist."),
    ),
    "offer-closed": (ui.FORM, ui.N_("The seat offer had already been answered.")),
}


@router.post(
    "/platzangebote/{offer_id}/annehmen",
    name="accept_seat_offer",
    dependencies=[applies_scope(SEAT_OFFERS)],
)
async def accept(
    request: Request, offer_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=OFFER_CONFLICTS, status=409)
    offer = await form.call(
        seat_offers.accept(session=session, principal=principal, offer_id=offer_id)
    )
    if offer is not None:
        who = await _who(session, principal, offer, form.texts)
        return form.done(
            ui.page_path(request, "course", course_id=offer.course_id),
            form.texts.gettext("%(person)s accepted the seat and is enrolled.") % {"person": who},
        )
    return await form.again(lambda errors: _again(request, session, principal, offer_id, errors))


@router.post(
    "/platzangebote/{offer_id}/ablehnen",
    name="decline_seat_offer",
    dependencies=[applies_scope(SEAT_OFFERS)],
)
async def decline(
    request: Request, offer_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=OFFER_CONFLICTS, status=409)
    offer = await form.call(
        seat_offers.decline(session=session, principal=principal, offer_id=offer_id)
    )
    if offer is not None:
        who = await _who(session, principal, offer, form.texts)
        return form.done(
            ui.page_path(request, "course", course_id=offer.course_id),
            form.texts.gettext(
                "%(person)s declined the seat and left the waitlist. The seat is offered to "
                "the next in line, if anyone waits."
            )
            % {"person": who},
        )
    return await form.again(lambda errors: _again(request, session, principal, offer_id, errors))


async def _who(
    session: DbSession, principal: Principal, offer: SeatOfferOut, page_texts: ui.Texts
) -> str:
    people = await service.get_people_acted_on(
        session=session, principal=principal, member_ids=[offer.member_id]
    )
    return person_label(people.get(offer.member_id), page_texts)


async def _again(
    request: Request,
    session: DbSession,
    principal: Principal,
    offer_id: uuid.UUID,
    errors: ui.FormErrors,
) -> Response:
    course_id = await seat_offers.get_offer_course(
        session=session, principal=principal, offer_id=offer_id
    )
    detail = await service.get_course(session=session, principal=principal, course_id=course_id)
    return await course_page(request, detail, errors=errors)
