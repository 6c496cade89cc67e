"""Use cases of facilities and shifts: plan, sign up, cancel (one transaction each).

Slots are counted under the shift's row lock (SELECT ... FOR UPDATE): two volunteers
racing for the last slot are served one after the other, and the second finds it taken.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.events.volunteers import ShiftCancelled

from volunteers import domain
from volunteers.dependencies import (
    FACILITIES,
    MANAGING_ROLES,
    SHIFTS,
    TEMPLATES,
    own_volunteer_ids,
)
from volunteers.models import (
    Facility,
    PoliceClearance,
    Shift,
    ShiftSignup,
    ShiftTemplate,
    Volunteer,
)
from volunteers.schemas import (
    FacilityIn,
    FacilityOut,
    ShiftFromTemplateIn,
    ShiftIn,
    ShiftOut,
    ShiftTemplateIn,
    ShiftTemplateOut,
    SignupOut,
)
from volunteers.service import VOLUNTEER, audit, outbox, usable_clearance

SHIFT = "shift"
SIGNUP = "shift_signup"


async def create_facility(
    *, session: AsyncSession, principal: Principal, facility_in: FacilityIn
) -> FacilityOut:
    facility = Facility(id=uuid.uuid4(), **facility_in.model_dump())
    session.add(facility)
    try:
        await session.flush()
    except IntegrityError as error:
        raise Conflict("a facility of this name exists", code="duplicate-facility") from error
    await session.commit()
    return FacilityOut.model_validate(facility)


async def get_facilities(*, session: AsyncSession) -> list[FacilityOut]:
    facilities = await session.scalars(select(Facility).order_by(Facility.name))
    return [FacilityOut.model_validate(f) for f in facilities]


async def create_template(
    *,
    session: AsyncSession,
    principal: Principal,
    facility_id: uuid.UUID,
    template_in: ShiftTemplateIn,
) -> ShiftTemplateOut:
    await FACILITIES.get(session, principal, facility_id)
    if template_in.ends <= template_in.starts:
        raise InvalidFields({"ends": "a shift must end after it starts"})
    template = ShiftTemplate(id=uuid.uuid4(), facility_id=facility_id, **template_in.model_dump())
    session.add(template)
    await session.commit()
    return ShiftTemplateOut.model_validate(template)


async def get_templates(
    *, session: AsyncSession, principal: Principal, facility_id: uuid.UUID
) -> list[ShiftTemplateOut]:
    await FACILITIES.get(session, principal, facility_id)
    templates = await session.scalars(
        select(ShiftTemplate)
        .where(ShiftTemplate.facility_id == facility_id)
        .order_by(ShiftTemplate.starts, ShiftTemplate.title)
    )
    return [ShiftTemplateOut.model_validate(t) for t in templates]


async def plan_shift(*, session: AsyncSession, principal: Principal, shift_in: ShiftIn) -> ShiftOut:
    if await session.get(Facility, shift_in.facility_id) is None:
        raise InvalidFields({"facility_id": "no facility with this id"})
    return await _plan(session, principal, None, shift_in)


async def plan_from_template(
    *,
    session: AsyncSession,
    principal: Principal,
    template_id: uuid.UUID,
    planned: ShiftFromTemplateIn,
) -> ShiftOut:
    template = await TEMPLATES.get(session, principal, template_id)
    shift_in = ShiftIn(
        facility_id=template.facility_id,
        title=template.title,
        starts_at=clock.on_day(planned.on, template.starts),
        ends_at=clock.on_day(planned.on, template.ends),
        slots=template.slots,
        needs_clearance=template.needs_clearance,
    )
    return await _plan(session, principal, template.id, shift_in, day_field="on")


async def _plan(
    session: AsyncSession,
    principal: Principal,
    template_id: uuid.UUID | None,
    shift_in: ShiftIn,
    *,
    day_field: str | None = None,
) -> ShiftOut:
    problems = domain.shift_problems(
        starts_at=shift_in.starts_at, ends_at=shift_in.ends_at, now=clock.now()
    )
    if problems:
        raise InvalidFields({day_field or name: reason for name, reason in problems.items()})
    shift = Shift(
        id=uuid.uuid4(),
        template_id=template_id,
        created_by=principal.subject,
        **shift_in.model_dump(),
    )
    session.add(shift)
    await session.commit()
    [found] = await _shifts_out(session, principal, [shift])
    return found


async def get_shifts(
    *,
    session: AsyncSession,
    principal: Principal,
    since: datetime,
    until: datetime | None,
    facility_id: uuid.UUID | None,
    limit: int,
    action: str = "list",
) -> list[ShiftOut]:
    """Shifts ending after `since`, soonest first (a volunteer: the board); who holds the
    slots, for a coordinator, audited as `action` ("export" for a download)."""
    query = SHIFTS.select(principal).where(Shift.ends_at > since)
    if until is not None:
        query = query.where(Shift.starts_at < until)
    if facility_id is not None:
        query = query.where(Shift.facility_id == facility_id)
    shifts = list(await session.scalars(query.order_by(Shift.starts_at, Shift.id).limit(limit)))
    found = await _shifts_out(session, principal, shifts, action=action)
    await session.commit()
    return found


async def get_shift(
    *, session: AsyncSession, principal: Principal, shift_id: uuid.UUID
) -> ShiftOut:
    shift = await SHIFTS.get(session, principal, shift_id)
    [found] = await _shifts_out(session, principal, [shift])
    await session.commit()
    return found


async def get_own_shifts(*, session: AsyncSession, principal: Principal) -> list[ShiftOut]:
    """The shifts the signed-in volunteer holds a slot of, soonest first, past ones too."""
    held = select(ShiftSignup.shift_id).where(
        ShiftSignup.volunteer_id.in_(own_volunteer_ids(principal))
    )
    shifts = list(
        await session.scalars(
            SHIFTS.select(principal).where(Shift.id.in_(held)).order_by(Shift.starts_at)
        )
    )
    found = await _shifts_out(session, principal, shifts)
    await session.commit()
    return found


async def sign_up(
    *,
    session: AsyncSession,
    principal: Principal,
    shift_id: uuid.UUID,
    rules: domain.ClearanceRules,
) -> ShiftOut:
    """The signed-in volunteer takes a slot of the shift, if one is free and they may."""
    volunteer_id = await own_volunteer_id(session, principal)
    today = clock.today()
    # Lock order: clearance (shared: no purge under a sign-up), then the shift.
    clearance = await session.get(PoliceClearance, volunteer_id, with_for_update={"read": True})
    shift = await session.scalar(
        SHIFTS.select(principal)
        .where(Shift.id == shift_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if shift is None:
        raise NotFound("shift")
    taken, mine = await _slots(session, shift.id, volunteer_id)
    refusal = domain.signup_refusal(
        slots=shift.slots,
        taken=taken,
        already_signed_up=mine,
        cancelled=shift.cancelled_at is not None,
        started=shift.starts_at <= clock.now(),
        needs_clearance=shift.needs_clearance,
        clearance=usable_clearance(clearance, today),
        shift_day=shift.starts_at.astimezone(clock.BERLIN).date(),
        today=today,
        validity_years=rules.validity_years,
    )
    if refusal is not None:
        raise_refusal(refusal)
    session.add(ShiftSignup(id=uuid.uuid4(), shift_id=shift.id, volunteer_id=volunteer_id))
    await session.flush()
    await audit(session, principal, "sign_up", SIGNUP, [shift.id])
    [found] = await _shifts_out(session, principal, [shift])
    await session.commit()
    return found


async def cancel_signup(
    *, session: AsyncSession, principal: Principal, shift_id: uuid.UUID
) -> ShiftOut:
    """The signed-in volunteer gives their slot back, before the shift begins."""
    volunteer_id = await own_volunteer_id(session, principal)
    shift = await session.scalar(
        SHIFTS.select(principal).where(Shift.id == shift_id).with_for_update()
    )
    if shift is None:
        raise NotFound("shift")
    signup = await session.scalar(
        select(ShiftSignup).where(
            ShiftSignup.shift_id == shift.id, ShiftSignup.volunteer_id == volunteer_id
        )
    )
    if signup is None:
        raise NotFound("sign-up for this shift")
    if shift.cancelled_at is not None:
        raise Conflict("the shift has been cancelled", code="shift-cancelled")
    if shift.starts_at <= clock.now():
        raise Conflict("the shift has already begun", code="shift-started")
    await session.delete(signup)
    await session.flush()
    await audit(session, principal, "cancel_signup", SIGNUP, [shift.id])
    [found] = await _shifts_out(session, principal, [shift])
    await session.commit()
    return found


async def cancel_shift(
    *, session: AsyncSession, principal: Principal, shift_id: uuid.UUID
) -> ShiftOut:
    """A coordinator calls the shift off; the volunteers signed up for it are told."""
    shift = await SHIFTS.get(session, principal, shift_id, for_update=True)
    if shift.cancelled_at is not None:
        raise Conflict("the shift has already been cancelled", code="shift-cancelled")
    shift.cancelled_at = clock.now()
    facility = await session.get(Facility, shift.facility_id)
    assert facility is not None  # a shift goes with its facility
    volunteer_ids = list(
        await session.scalars(
            select(ShiftSignup.volunteer_id)
            .where(ShiftSignup.shift_id == shift.id)
            .order_by(ShiftSignup.created_at)
        )
    )
    await outbox.add(
        session,
        ShiftCancelled(
            shift_id=shift.id,
            facility_id=facility.id,
            facility_name=facility.name,
            title=shift.title,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            volunteer_ids=tuple(volunteer_ids),
        ),
    )
    await audit(session, principal, "cancel", SHIFT, [shift.id])
    [found] = await _shifts_out(session, principal, [shift])
    await session.commit()
    return found


async def own_volunteer_id(session: AsyncSession, principal: Principal) -> uuid.UUID:
    volunteer_id = await session.scalar(own_volunteer_ids(principal))
    if volunteer_id is None:
        raise NotFound("volunteer record of this account")
    return volunteer_id


async def _slots(
    session: AsyncSession, shift_id: uuid.UUID, volunteer_id: uuid.UUID
) -> tuple[int, bool]:
    """Slots taken of the shift, and whether the volunteer holds one."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(ShiftSignup.volunteer_id == volunteer_id),
            ).where(ShiftSignup.shift_id == shift_id)
        )
    ).one()
    return int(row[0]), bool(row[1])


async def _shifts_out(
    session: AsyncSession, principal: Principal, shifts: Sequence[Shift], action: str = "list"
) -> list[ShiftOut]:
    """The shifts as the principal may see them: who holds the slots for coordinators
    (audited), only whether they hold one themselves for a volunteer."""
    ids = [s.id for s in shifts]
    facilities = select(Facility.id, Facility.name).where(
        Facility.id.in_({s.facility_id for s in shifts})
    )
    names = {facility_id: name for facility_id, name in await session.execute(facilities)}
    signups: dict[uuid.UUID, list[SignupOut]] = {shift_id: [] for shift_id in ids}
    mine: set[uuid.UUID] = set()
    own = set(await session.scalars(own_volunteer_ids(principal))) if shifts else set()
    rows = await session.execute(
        select(
            ShiftSignup.shift_id,
            ShiftSignup.volunteer_id,
            Volunteer.display_name,
            ShiftSignup.created_at,
        )
        .join(Volunteer, Volunteer.id == ShiftSignup.volunteer_id)
        .where(ShiftSignup.shift_id.in_(ids))
        .order_by(ShiftSignup.created_at)
    )
    for shift_id, volunteer_id, name, at in rows:
        signups[shift_id].append(
            SignupOut(volunteer_id=volunteer_id, display_name=name, signed_up_at=at)
        )
        if volunteer_id in own:
            mine.add(shift_id)
    coordinator = principal.has_any_role(*MANAGING_ROLES)
    if coordinator:
        shown = sorted({s.volunteer_id for held in signups.values() for s in held}, key=str)
        if shown:
            await audit(session, principal, action, VOLUNTEER, shown)
    return [
        ShiftOut(
            id=s.id,
            facility_id=s.facility_id,
            facility_name=names.get(s.facility_id, ""),
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            slots=s.slots,
            taken=len(signups[s.id]),
            needs_clearance=s.needs_clearance,
            cancelled=s.cancelled_at is not None,
            signed_up=s.id in mine,
            signups=signups[s.id] if coordinator else None,
        )
        for s in shifts
    ]
