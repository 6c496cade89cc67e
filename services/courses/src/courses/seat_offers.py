"""Seat offers: a freed seat offered to the next on the waitlist, answered or expired.

The offer is made under the course lock when a seat frees up (`service.fill_free_seats`).
The person accepts or declines (their caseworker on their behalf, or the course's
coordinator); a durable timer ends it at its deadline (courses.timers). Declined or
expired, the waitlist place ends and the seat is offered to the next in line, so each
waiting person is offered it once. Every answer takes the course lock first, then the
offer's row: an answer and the deadline cannot both win.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import timers
from teilhabe.api.problems import raise_refusal
from teilhabe.auth import Principal
from teilhabe.events.courses import SeatOfferAccepted, SeatOfferDeclined, SeatOfferExpired

from courses import domain, service
from courses.dependencies import SEAT_OFFERS
from courses.domain import EnrollmentStatus, SeatOfferStatus
from courses.models import Course, Enrollment, SeatOffer
from courses.schemas import SeatOfferOut
from courses.service import RESOURCE, SEAT_OFFER_EXPIRY, audit, outbox


async def get_open_offers(
    *, session: AsyncSession, principal: Principal, limit: int, offset: int
) -> list[SeatOfferOut]:
    """The open seat offers the caller may answer, the earliest deadline first."""
    found = list(
        await session.scalars(
            SEAT_OFFERS.select(principal)
            .where(SeatOffer.status == SeatOfferStatus.OPEN)
            .order_by(SeatOffer.expires_at, SeatOffer.id)
            .limit(limit)
            .offset(offset)
        )
    )
    if found:
        await audit(session, principal, "read", RESOURCE, _households(found))
        await session.commit()
    return [service.seat_offer_out(offer) for offer in found]


async def get_offer_course(
    *, session: AsyncSession, principal: Principal, offer_id: uuid.UUID
) -> uuid.UUID:
    """The course a seat offer is for; no person in the answer, so nothing to audit."""
    offer = await SEAT_OFFERS.get(session, principal, offer_id)
    return offer.course_id


async def accept(
    *, session: AsyncSession, principal: Principal, offer_id: uuid.UUID
) -> SeatOfferOut:
    course, offer, enrollment = await _lock(session, principal, offer_id)
    refusal = domain.seat_offer_problem(offer.status)
    if refusal is not None:
        raise_refusal(refusal)
    moment = await service.database_clock(session)
    offer.status = SeatOfferStatus.ACCEPTED
    offer.answered_at = moment
    offer.answered_by = principal.subject
    enrollment.status = EnrollmentStatus.ENROLLED
    enrollment.enrolled_at = moment
    await timers.cancel(session, SEAT_OFFER_EXPIRY, str(offer.id))
    await outbox.add(session, SeatOfferAccepted(**_refs(offer)))
    await outbox.add(session, service.enrolled_event(course, enrollment))
    await audit(session, principal, "accept_seat", RESOURCE, [offer.household_id])
    await session.commit()
    return service.seat_offer_out(offer)


async def decline(
    *, session: AsyncSession, principal: Principal, offer_id: uuid.UUID
) -> SeatOfferOut:
    course, offer, enrollment = await _lock(session, principal, offer_id)
    refusal = domain.seat_offer_problem(offer.status)
    if refusal is not None:
        raise_refusal(refusal)
    moment = await service.database_clock(session)
    offer.status = SeatOfferStatus.DECLINED
    offer.answered_at = moment
    offer.answered_by = principal.subject
    _end_waitlist_place(enrollment, moment, principal.subject)
    await timers.cancel(session, SEAT_OFFER_EXPIRY, str(offer.id))
    await outbox.add(session, SeatOfferDeclined(**_refs(offer)))
    passed_on = await service.fill_free_seats(session, course, moment)
    await audit(
        session,
        principal,
        "decline_seat",
        RESOURCE,
        list(dict.fromkeys([offer.household_id, *(o.household_id for o in passed_on)])),
    )
    await session.commit()
    return service.seat_offer_out(offer)


async def expire(*, session: AsyncSession, offer_id: uuid.UUID) -> bool:
    """End an offer nobody answered by its deadline and offer the seat to the next.

    Runs in the timer worker's transaction. An offer answered or ended meanwhile (or
    erased with its enrolment) stays as it is: the timer ends an offer once, whatever
    happens. True if it ended one.
    """
    found = await session.get(SeatOffer, offer_id)
    if found is None:
        return False
    course = await session.get(Course, found.course_id, with_for_update=True)
    assert course is not None  # offers are deleted with their course
    offer = await _fresh_offer(session, offer_id)
    if offer is None or offer.status is not SeatOfferStatus.OPEN:
        return False
    enrollment = await _fresh_enrollment(session, offer.enrollment_id)
    assert enrollment is not None  # the offer is deleted with it
    moment = await service.database_clock(session)
    offer.status = SeatOfferStatus.EXPIRED
    offer.answered_at = moment
    _end_waitlist_place(enrollment, moment, None)
    await outbox.add(
        session,
        SeatOfferExpired(**_refs(offer), course_title=course.title, expired_at=moment),
    )
    await service.fill_free_seats(session, course, moment)
    return True


async def _lock(
    session: AsyncSession, principal: Principal, offer_id: uuid.UUID
) -> tuple[Course, SeatOffer, Enrollment]:
    """The offer's course, the offer and its enrolment, locked in that order and fresh."""
    found = await SEAT_OFFERS.get(session, principal, offer_id)
    course = await session.get(Course, found.course_id, with_for_update=True)
    assert course is not None
    offer = await _fresh_offer(session, offer_id)
    assert offer is not None  # deleted only with its course or enrolment, locked above
    enrollment = await _fresh_enrollment(session, offer.enrollment_id)
    assert enrollment is not None
    return course, offer, enrollment


async def _fresh_offer(session: AsyncSession, offer_id: uuid.UUID) -> SeatOffer | None:
    return await session.scalar(
        select(SeatOffer)
        .where(SeatOffer.id == offer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def _fresh_enrollment(session: AsyncSession, enrollment_id: uuid.UUID) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _end_waitlist_place(enrollment: Enrollment, moment: datetime, by: str | None) -> None:
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = moment
    enrollment.withdrawn_by = by


def _refs(offer: SeatOffer) -> dict[str, uuid.UUID]:
    return {
        "offer_id": offer.id,
        "enrollment_id": offer.enrollment_id,
        "course_id": offer.course_id,
        "household_id": offer.household_id,
        "member_id": offer.member_id,
    }


def _households(offers: list[SeatOffer]) -> list[uuid.UUID]:
    return list(dict.fromkeys(offer.household_id for offer in offers))
