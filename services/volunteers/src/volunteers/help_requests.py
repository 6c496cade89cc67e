"""Use cases of help requests: staff ask the pool, the matching volunteers hear of it, the
first to accept takes it (one transaction each, the event staged in the same one).

Acceptance locks the request's row: of two volunteers accepting at once, the second
finds it taken. No volunteer learns of another: a request shows a volunteer only
whether they took it themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.api.problems import InvalidFields, raise_refusal
from teilhabe.auth import Principal, Role
from teilhabe.events.volunteers import HelpRequestAccepted, HelpRequested, HelpRequestWithdrawn

from volunteers import domain
from volunteers.dependencies import (
    HELP_REQUESTS,
    MANAGING_ROLES,
    REQUESTING_ROLES,
    own_volunteer_ids,
)
from volunteers.models import HelpRequest, HelpRequestOffer, Shift, ShiftSignup, Volunteer
from volunteers.schemas import HelperOut, HelpRequestIn, HelpRequestOut
from volunteers.service import VOLUNTEER, audit, outbox
from volunteers.shifts import own_volunteer_id

HELP_REQUEST = "help_request"
WEEKDAYS = tuple(domain.Weekday)


async def ask(
    *, session: AsyncSession, principal: Principal, request_in: HelpRequestIn
) -> HelpRequestOut:
    """Record the request and offer it to every volunteer who matches it."""
    if request_in.ends_at <= request_in.starts_at:
        raise InvalidFields({"ends_at": "help must end after it starts"})
    if request_in.starts_at <= clock.now():
        raise InvalidFields({"starts_at": "help can be asked for a time to come only"})
    request = HelpRequest(
        id=uuid.uuid4(), requested_by=principal.subject, **request_in.model_dump()
    )
    session.add(request)
    await session.flush()
    need = domain.HelpNeed(
        language=request.language,
        skill=request.skill,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        weekday=WEEKDAYS[request.starts_at.astimezone(clock.BERLIN).weekday()],
    )
    chosen = domain.helpers_for(need, await _helpers(session, need))
    if chosen:
        session.add_all(
            HelpRequestOffer(help_request_id=request.id, volunteer_id=v) for v in chosen
        )
    await outbox.add(
        session,
        HelpRequested(
            help_request_id=request.id,
            language_needed=request.language,
            skill_needed=request.skill,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            volunteer_ids=tuple(chosen),
        ),
    )
    await audit(session, principal, "create", HELP_REQUEST, [request.id])
    await session.commit()
    return (await _out(session, principal, [request]))[0]


async def get_all(
    *,
    session: AsyncSession,
    principal: Principal,
    since: datetime,
    limit: int,
    action: str = "read",
) -> list[HelpRequestOut]:
    """Requests ending after `since`, soonest first; a volunteer's: open ones offered to
    them and those they took. Who took them, for staff, is audited as `action` ("export"
    for a download)."""
    query = HELP_REQUESTS.select(principal).where(HelpRequest.ends_at > since)
    if not principal.has_any_role(*REQUESTING_ROLES):
        mine = HelpRequest.accepted_by.in_(own_volunteer_ids(principal))
        query = query.where(or_(open_now(clock.now()), mine))
    requests = list(
        await session.scalars(query.order_by(HelpRequest.starts_at, HelpRequest.id).limit(limit))
    )
    found = await _out(session, principal, requests, action=action)
    await session.commit()
    return found


async def get(
    *, session: AsyncSession, principal: Principal, help_request_id: uuid.UUID
) -> HelpRequestOut:
    request = await HELP_REQUESTS.get(session, principal, help_request_id)
    [found] = await _out(session, principal, [request])
    await session.commit()
    return found


async def accept(
    *, session: AsyncSession, principal: Principal, help_request_id: uuid.UUID
) -> HelpRequestOut:
    """The signed-in volunteer takes the request, if it was offered to them and is open."""
    volunteer_id = await own_volunteer_id(session, principal)
    request = await HELP_REQUESTS.get(session, principal, help_request_id, for_update=True)
    offered = await session.scalar(
        select(
            exists().where(
                HelpRequestOffer.help_request_id == request.id,
                HelpRequestOffer.volunteer_id == volunteer_id,
            )
        )
    )
    refusal = domain.accept_refusal(status=status_of(request, clock.now()), offered=bool(offered))
    if refusal is not None:
        raise_refusal(refusal)
    request.accepted_by = volunteer_id
    request.accepted_at = clock.now()
    await outbox.add(
        session,
        HelpRequestAccepted(
            help_request_id=request.id,
            volunteer_id=volunteer_id,
            requested_by=request.requested_by,
            language_needed=request.language,
            skill_needed=request.skill,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
        ),
    )
    await audit(session, principal, "accept", HELP_REQUEST, [request.id])
    [found] = await _out(session, principal, [request])
    await session.commit()
    return found


async def withdraw(
    *, session: AsyncSession, principal: Principal, help_request_id: uuid.UUID
) -> HelpRequestOut:
    """Whoever asked (or a coordinator) withdraws the request before its time; those it
    was offered to while open, or the volunteer who took it, are told."""
    request = await HELP_REQUESTS.get(session, principal, help_request_id, for_update=True)
    status = status_of(request, clock.now())
    refusal = domain.withdraw_refusal(
        status=status,
        asked_by_them=request.requested_by == principal.subject,
        coordinator=principal.has_any_role(*MANAGING_ROLES),
    )
    if refusal is not None:
        raise_refusal(refusal)
    offered_to: tuple[uuid.UUID, ...] = ()
    if status is domain.HelpStatus.OPEN:
        offered_to = tuple(
            await session.scalars(
                select(HelpRequestOffer.volunteer_id)
                .where(HelpRequestOffer.help_request_id == request.id)
                .order_by(HelpRequestOffer.volunteer_id)
            )
        )
    request.withdrawn_at = clock.now()
    await outbox.add(
        session,
        HelpRequestWithdrawn(
            help_request_id=request.id,
            volunteer_id=request.accepted_by,
            volunteer_ids=offered_to,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
        ),
    )
    await audit(session, principal, "withdraw", HELP_REQUEST, [request.id])
    [found] = await _out(session, principal, [request])
    await session.commit()
    return found


def status_of(request: HelpRequest, now: datetime) -> domain.HelpStatus:
    return domain.help_status(
        accepted=request.accepted_by is not None,
        withdrawn=request.withdrawn_at is not None,
        starts_at=request.starts_at,
        now=now,
    )


def open_now(now: datetime) -> ColumnElement[bool]:
    """domain.help_status's OPEN, as a query's condition (kept beside `status_of`)."""
    return and_(
        HelpRequest.accepted_by.is_(None),
        HelpRequest.withdrawn_at.is_(None),
        HelpRequest.starts_at > now,
    )


async def _helpers(session: AsyncSession, need: domain.HelpNeed) -> list[domain.Helper]:
    """The volunteers who might match, with what they are busy with at that time; the
    database narrows by language and weekday, the rule decides."""
    query: Select[Volunteer] = select(Volunteer).where(
        Volunteer.available_weekdays.contains([need.weekday.value])
    )
    if need.language:
        query = query.where(Volunteer.languages.contains([need.language]))
    volunteers = list(await session.scalars(query))
    busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {}
    ids = [v.id for v in volunteers]
    overlapping_shifts = (
        select(ShiftSignup.volunteer_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(
            ShiftSignup.volunteer_id.in_(ids),
            Shift.cancelled_at.is_(None),
            Shift.starts_at < need.ends_at,
            Shift.ends_at > need.starts_at,
        )
    )
    overlapping_help = select(
        HelpRequest.accepted_by, HelpRequest.starts_at, HelpRequest.ends_at
    ).where(
        HelpRequest.accepted_by.in_(ids),
        HelpRequest.withdrawn_at.is_(None),
        HelpRequest.starts_at < need.ends_at,
        HelpRequest.ends_at > need.starts_at,
    )
    for query_busy in (overlapping_shifts, overlapping_help):
        for volunteer_id, starts_at, ends_at in await session.execute(query_busy):
            assert volunteer_id is not None  # filtered by `in_(ids)`
            busy.setdefault(volunteer_id, []).append((starts_at, ends_at))
    return [
        domain.Helper(
            volunteer_id=v.id,
            languages=tuple(v.languages),
            skills=tuple(v.skills),
            available_weekdays=tuple(v.available_weekdays),
            busy=tuple(busy.get(v.id, ())),
        )
        for v in volunteers
    ]


async def _out(
    session: AsyncSession,
    principal: Principal,
    requests: Sequence[HelpRequest],
    action: str = "read",
) -> list[HelpRequestOut]:
    """The requests as the principal may see them: staff see how many it reached and who
    took it (audited); a volunteer only whether they took it."""
    staff = principal.has_any_role(*MANAGING_ROLES, Role.CASEWORKER)
    now = clock.now()
    own = set(await session.scalars(own_volunteer_ids(principal))) if requests else set()
    helpers: dict[uuid.UUID, HelperOut] = {}
    reached: dict[uuid.UUID, int] = {}
    if staff and requests:
        accepted = {r.accepted_by for r in requests if r.accepted_by is not None}
        for volunteer in await session.scalars(select(Volunteer).where(Volunteer.id.in_(accepted))):
            helpers[volunteer.id] = HelperOut(
                volunteer_id=volunteer.id,
                display_name=volunteer.display_name,
                email=volunteer.email,
                phone=volunteer.phone,
            )
        if helpers:
            await audit(session, principal, action, VOLUNTEER, sorted(helpers, key=str))
        counts = (
            select(HelpRequestOffer.help_request_id, func.count())
            .where(HelpRequestOffer.help_request_id.in_([r.id for r in requests]))
            .group_by(HelpRequestOffer.help_request_id)
        )
        reached = {request_id: int(n) for request_id, n in await session.execute(counts)}
    return [
        HelpRequestOut(
            id=r.id,
            title=r.title,
            place=r.place,
            language=r.language,
            skill=r.skill,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            status=status_of(r, now).value,
            offered_to=reached.get(r.id, 0) if staff else None,
            accepted_by=helpers.get(r.accepted_by) if staff and r.accepted_by else None,
            accepted_by_me=r.accepted_by is not None and r.accepted_by in own,
        )
        for r in requests
    ]
