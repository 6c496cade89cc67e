"""School-place requests from intake (school_place.requested): a child of an allocated
household is in school duty (§ 34(6) SchulG NRW) and needs a place. Courses keeps the
request (once per child, whatever the redelivery) for the coordinators who find the place,
and publishes what they record of it (school_place.assigned, .waiting, .closed), so the
child's caseworker learns it: references and the school's name, never the child's."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import BERLIN
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.courses import SchoolPlaceAssigned, SchoolPlaceClosed, SchoolPlaceWaiting
from teilhabe.events.households import SchoolPlaceRequested

from courses import domain
from courses.dependencies import SCHOOL_PLACES
from courses.domain import SchoolPlaceStatus
from courses.models import Person, SchoolPlaceRequest
from courses.schemas import Outcome, SchoolPlaceOutcomeIn, SchoolPlaceRequestOut
from courses.service import RESOURCE, audit, database_clock, outbox

_STATUS_OF = {
    Outcome.PLACED: SchoolPlaceStatus.PLACED,
    Outcome.WAITING: SchoolPlaceStatus.WAITING,
    Outcome.CLOSED: SchoolPlaceStatus.CLOSED,
}


async def record_requests(*, session: AsyncSession, events: Sequence[SchoolPlaceRequested]) -> None:
    if not events:
        return
    await session.execute(
        insert(SchoolPlaceRequest).on_conflict_do_nothing(index_elements=["member_id"]),
        [
            {
                "member_id": event.member_id,
                "household_id": event.household_id,
                "age": event.age,
                "languages": list(event.languages),
                "requested_on": event.requested_on,
            }
            for event in events
        ],
    )


async def get_requests(
    *,
    session: AsyncSession,
    principal: Principal,
    statuses: Collection[SchoolPlaceStatus],
    limit: int,
    offset: int,
    action: str = "read",
) -> tuple[list[SchoolPlaceRequestOut], int]:
    """The requests in the caller's scope with these statuses, longest waiting first."""
    query = (
        select(SchoolPlaceRequest, Person)
        .outerjoin(Person, Person.member_id == SchoolPlaceRequest.member_id)
        .where(SCHOOL_PLACES.where(principal), SchoolPlaceRequest.status.in_(sorted(statuses)))
    )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.execute(
        query.order_by(SchoolPlaceRequest.requested_on, SchoolPlaceRequest.member_id)
        .limit(limit)
        .offset(offset)
    )
    found = [_out(request, person) for request, person in rows]
    if found:
        await audit(session, principal, action, RESOURCE, _households(found))
        await session.commit()
    return found, total


async def get_request(
    *, session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> SchoolPlaceRequestOut:
    request = await SCHOOL_PLACES.get(session, principal, member_id)
    answer = _out(request, await session.get(Person, member_id))
    await audit(session, principal, "read", RESOURCE, [request.household_id])
    await session.commit()
    return answer


async def record_outcome(
    *,
    session: AsyncSession,
    principal: Principal,
    member_id: uuid.UUID,
    outcome_in: SchoolPlaceOutcomeIn,
) -> SchoolPlaceRequestOut:
    """Record what became of a request still to be met, and publish it."""
    request = await SCHOOL_PLACES.get(session, principal, member_id, for_update=True)
    refusal = domain.outcome_problem(request.status)
    if refusal is not None:
        raise_refusal(refusal)
    moment = await database_clock(session)
    request.status = _STATUS_OF[outcome_in.outcome]
    request.institution = outcome_in.institution
    request.institution_name = outcome_in.institution_name
    request.close_reason = outcome_in.reason
    request.decided_at = moment
    request.decided_by = principal.subject
    await outbox.add(session, _event(request, outcome_in, moment.astimezone(BERLIN).date()))
    await audit(session, principal, "record_school_place", RESOURCE, [request.household_id])
    await session.flush()
    answer = _out(request, await session.get(Person, member_id))
    await session.commit()
    return answer


def _event(
    request: SchoolPlaceRequest, outcome_in: SchoolPlaceOutcomeIn, day: date
) -> EventPayload:
    refs = {"household_id": request.household_id, "member_id": request.member_id}
    if outcome_in.outcome is Outcome.PLACED:
        return SchoolPlaceAssigned(**refs, assigned_on=day)
    if outcome_in.outcome is Outcome.WAITING:
        return SchoolPlaceWaiting(**refs)
    return SchoolPlaceClosed(**refs)


def _out(request: SchoolPlaceRequest, person: Person | None) -> SchoolPlaceRequestOut:
    return SchoolPlaceRequestOut(
        member_id=request.member_id,
        household_id=request.household_id,
        allocation_notice_number=person.allocation_notice_number if person else None,
        member_position=person.position if person else None,
        age=request.age,
        # The age group courses keeps of the person, else the one the request's age gives.
        age_group=person.age_group if person else domain.age_group(request.age),
        languages=list(request.languages),
        requested_on=request.requested_on,
        status=request.status,
        institution=request.institution,
        institution_name=request.institution_name,
        close_reason=request.close_reason,
        decided_at=request.decided_at,
    )


def _households(found: Sequence[SchoolPlaceRequestOut]) -> list[uuid.UUID]:
    return list(dict.fromkeys(r.household_id for r in found))
