"""Use cases of appointments with a household or member: made for a time ahead, with a
place and whether an interpreter is needed; cancelled, never deleted. Seen by whoever
sees the household; the caseworker's appointments of the week are on the start page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import now, on_day

from intake import domain
from intake.dependencies import HOUSEHOLDS
from intake.models import Appointment, Household
from intake.schemas import AppointmentIn
from intake.service import audit

RESOURCE = "appointment"


@dataclass(frozen=True)
class Upcoming:
    appointment: Appointment
    allocation_notice_number: str


async def make(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    appointment_in: AppointmentIn,
) -> Appointment:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    closed = domain.case_closed_refusal(household.closed_on)
    if closed is not None:
        raise_refusal(closed)
    problems = domain.appointment_problems(starts_at=appointment_in.starts_at, now=now())
    if appointment_in.member_id is not None and appointment_in.member_id not in {
        m.id for m in household.members
    }:
        problems["member_id"] = "not a member of this household"
    if problems:
        raise InvalidFields(problems)
    appointment = Appointment(
        id=uuid.uuid4(),
        household_id=household.id,
        member_id=appointment_in.member_id,
        starts_at=appointment_in.starts_at,
        place=appointment_in.place,
        interpreter_language=appointment_in.interpreter_language,
        caseworker=appointment_in.caseworker or principal.subject,
        created_by=principal.subject,
    )
    session.add(appointment)
    await audit(session, principal, "create", RESOURCE, [appointment.id])
    await session.commit()
    return appointment


async def cancel(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    appointment_id: uuid.UUID,
) -> Appointment:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    appointment = await session.scalar(
        select(Appointment)
        .where(Appointment.id == appointment_id, Appointment.household_id == household.id)
        .with_for_update()
    )
    if appointment is None:
        raise NotFound("appointment")
    # A closed case's appointments stay as they were: those ahead were cancelled by the
    # closure, and those past took place (or not) while it was open.
    closed = domain.case_closed_refusal(household.closed_on)
    if closed is not None:
        raise_refusal(closed)
    if appointment.cancelled_at is not None:
        raise Conflict("the appointment is cancelled already", code="appointment-cancelled")
    await cancel_all(session, principal, [appointment])
    await session.commit()
    return appointment


async def cancel_all(
    session: AsyncSession,
    principal: Principal,
    found: Sequence[Appointment],
    *,
    reason: str | None = None,
) -> None:
    """Cancel `found` (locked, not cancelled yet) in the caller's transaction: one way for
    a caseworker's cancellation and for a closing case's (`reason`: why, when no one
    cancelled it by hand). An appointment publishes no event and has no timer of its own;
    a caseworker's calendar feed shows it as cancelled from now on."""
    cancelled = now()
    for appointment in found:
        appointment.cancelled_at = cancelled
        appointment.cancel_reason = reason
    await audit(session, principal, "update", RESOURCE, [a.id for a in found])


async def ahead(session: AsyncSession, household_id: uuid.UUID) -> list[Appointment]:
    """The household's appointments still to come and not cancelled, locked."""
    return list(
        await session.scalars(
            select(Appointment)
            .where(
                Appointment.household_id == household_id,
                Appointment.cancelled_at.is_(None),
                Appointment.starts_at > now(),
            )
            .order_by(Appointment.starts_at)
            .with_for_update()
        )
    )


async def of_household(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    action: str = "read",
) -> tuple[Household, list[Appointment]]:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    found = list(
        await session.scalars(
            select(Appointment)
            .where(Appointment.household_id == household.id)
            .order_by(Appointment.starts_at.desc())
        )
    )
    await audit(session, principal, action, RESOURCE, [a.id for a in found])
    await session.commit()
    return household, found


async def this_week(*, session: AsyncSession, principal: Principal, today: date) -> list[Upcoming]:
    """The caller's appointments from today to the end of this week, of households they see."""
    rows = await session.execute(
        select(Appointment, Household.allocation_notice_number)
        .join(Household, Household.id == Appointment.household_id)
        .where(
            HOUSEHOLDS.where(principal),
            Appointment.caseworker == principal.subject,
            Appointment.cancelled_at.is_(None),
            Appointment.starts_at >= on_day(today),
            Appointment.starts_at < on_day(domain.week_end(today) + timedelta(days=1)),
        )
        .order_by(Appointment.starts_at)
    )
    found = [Upcoming(a, number) for a, number in rows]
    await audit(session, principal, "list", RESOURCE, [u.appointment.id for u in found])
    await session.commit()
    return found
