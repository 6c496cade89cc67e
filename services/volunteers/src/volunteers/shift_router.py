"""HTTP API of facilities and shifts: thin, the rules live in domain.py and shifts.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from teilhabe import clock
from teilhabe.api.dependencies import DbSession
from teilhabe.scope import applies_scope

from volunteers import shifts
from volunteers.dependencies import (
    FACILITIES,
    SHIFTS,
    TEMPLATES,
    Coordinator,
    CoordinatorOrVolunteer,
    Rules,
    SignedInVolunteer,
)
from volunteers.schemas import (
    FacilityIn,
    FacilityOut,
    ShiftFromTemplateIn,
    ShiftIn,
    ShiftOut,
    ShiftTemplateIn,
    ShiftTemplateOut,
)

router = APIRouter(tags=["shifts"])


@router.post(
    "/facilities", status_code=status.HTTP_201_CREATED, summary="Add a facility (shelter, café)"
)
async def create_facility(
    facility_in: FacilityIn, session: DbSession, principal: Coordinator
) -> FacilityOut:
    return await shifts.create_facility(
        session=session, principal=principal, facility_in=facility_in
    )


@router.get("/facilities", summary="The facilities volunteers work shifts at")
async def list_facilities(
    session: DbSession, principal: CoordinatorOrVolunteer
) -> list[FacilityOut]:
    return await shifts.get_facilities(session=session)


@router.post(
    "/facilities/{facility_id}/shift-templates",
    dependencies=[applies_scope(FACILITIES)],
    status_code=status.HTTP_201_CREATED,
    summary="Add a recurring shift of a facility, to plan shifts from",
)
async def create_template(
    facility_id: uuid.UUID, template_in: ShiftTemplateIn, session: DbSession, principal: Coordinator
) -> ShiftTemplateOut:
    return await shifts.create_template(
        session=session, principal=principal, facility_id=facility_id, template_in=template_in
    )


@router.get(
    "/facilities/{facility_id}/shift-templates",
    dependencies=[applies_scope(FACILITIES)],
    summary="A facility's shift templates",
)
async def list_templates(
    facility_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> list[ShiftTemplateOut]:
    return await shifts.get_templates(session=session, principal=principal, facility_id=facility_id)


@router.post(
    "/shift-templates/{template_id}/shifts",
    dependencies=[applies_scope(TEMPLATES)],
    status_code=status.HTTP_201_CREATED,
    summary="Plan a shift on a day from a template",
)
async def plan_from_template(
    template_id: uuid.UUID, planned: ShiftFromTemplateIn, session: DbSession, principal: Coordinator
) -> ShiftOut:
    return await shifts.plan_from_template(
        session=session, principal=principal, template_id=template_id, planned=planned
    )


@router.post("/shifts", status_code=status.HTTP_201_CREATED, summary="Plan a shift")
async def plan_shift(shift_in: ShiftIn, session: DbSession, principal: Coordinator) -> ShiftOut:
    return await shifts.plan_shift(session=session, principal=principal, shift_in=shift_in)


@router.get(
    "/shifts",
    summary="Shifts from now (or `since`), soonest first; who holds slots: coordinators only",
)
async def list_shifts(
    session: DbSession,
    principal: CoordinatorOrVolunteer,
    since: datetime | None = None,
    until: datetime | None = None,
    facility_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ShiftOut]:
    return await shifts.get_shifts(
        session=session,
        principal=principal,
        since=since or clock.now(),
        until=until,
        facility_id=facility_id,
        limit=limit,
    )


@router.get("/volunteers/me/shifts", summary="The shifts the signed-in volunteer signed up for")
async def read_own_shifts(session: DbSession, principal: SignedInVolunteer) -> list[ShiftOut]:
    return await shifts.get_own_shifts(session=session, principal=principal)


@router.get("/shifts/{shift_id}", dependencies=[applies_scope(SHIFTS)], summary="Read a shift")
async def read_shift(
    shift_id: uuid.UUID, session: DbSession, principal: CoordinatorOrVolunteer
) -> ShiftOut:
    return await shifts.get_shift(session=session, principal=principal, shift_id=shift_id)


@router.post(
    "/shifts/{shift_id}/signup",
    dependencies=[applies_scope(SHIFTS)],
    summary="Take a slot (the signed-in volunteer); 409 when full, cancelled or not cleared",
)
async def sign_up(
    shift_id: uuid.UUID, session: DbSession, principal: SignedInVolunteer, rules: Rules
) -> ShiftOut:
    return await shifts.sign_up(
        session=session, principal=principal, shift_id=shift_id, rules=rules
    )


@router.delete(
    "/shifts/{shift_id}/signup",
    dependencies=[applies_scope(SHIFTS)],
    summary="Give one's slot back before the shift begins",
)
async def cancel_signup(
    shift_id: uuid.UUID, session: DbSession, principal: SignedInVolunteer
) -> ShiftOut:
    return await shifts.cancel_signup(session=session, principal=principal, shift_id=shift_id)


@router.post(
    "/shifts/{shift_id}/cancel",
    dependencies=[applies_scope(SHIFTS)],
    summary="Call a shift off; the volunteers signed up are told (shift.cancelled)",
)
async def cancel_shift(shift_id: uuid.UUID, session: DbSession, principal: Coordinator) -> ShiftOut:
    return await shifts.cancel_shift(session=session, principal=principal, shift_id=shift_id)
