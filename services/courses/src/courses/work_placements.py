"""Use cases of work opportunities and placements: job-readiness offers, internships and
Arbeitsgelegenheiten (§ 5 AsylbLG, § 16d SGB II) as opportunities without employer
names, and people placed into them (proposed, started, ended with an outcome) under the
work permit rules of courses.domain. One transaction each; a start and an end commit
with their event (the outbox).

Opportunities hold no person: every caseworker and coordinator sees them all. A
placement is seen and changed by whoever acts for its person (work.WORKERS).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal, Role
from teilhabe.events.work import WorkPermitStatus, WorkPlacementEnded, WorkPlacementStarted
from teilhabe.scope import RecordScope

from courses import domain
from courses.domain import OPEN_PLACEMENTS, PlacementStatus
from courses.models import Person
from courses.schemas import (
    OpportunityIn,
    OpportunityOut,
    PlacementEndIn,
    PlacementIn,
    PlacementOut,
    PlacementStartIn,
)
from courses.service import audit, outbox
from courses.work import WORKERS, person_in_scope
from courses.work_models import WorkOpportunity, WorkPermit, WorkPlacement

RESOURCE = "work"


def _sees_opportunities(principal: Principal) -> bool:
    # No person in an opportunity: everyone who places people sees every one.
    return principal.has_any_role(Role.CASEWORKER, Role.COURSE_COORDINATOR)


def _placement_of_own_person(principal: Principal) -> ColumnElement[bool] | bool:
    return WorkPlacement.member_id.in_(
        WORKERS.select(principal).with_only_columns(Person.member_id)
    )


OPPORTUNITIES = RecordScope(WorkOpportunity, resource="work_opportunity", rule=_sees_opportunities)
PLACEMENTS = RecordScope(WorkPlacement, resource="work_placement", rule=_placement_of_own_person)


def _team(principal: Principal) -> str | None:
    # One team: the opportunity is that team's; several or none: the creator's alone.
    return next(iter(principal.teams)) if len(principal.teams) == 1 else None


async def create_opportunity(
    *, session: AsyncSession, principal: Principal, opportunity_in: OpportunityIn
) -> OpportunityOut:
    if opportunity_in.ends_on is not None and opportunity_in.ends_on < opportunity_in.starts_on:
        raise InvalidFields({"ends_on": "an opportunity cannot end before it starts"})
    opportunity = WorkOpportunity(
        id=uuid.uuid4(),
        **opportunity_in.model_dump(),
        team=_team(principal),
        created_by=principal.subject,
    )
    session.add(opportunity)
    await session.commit()
    return OpportunityOut.model_validate(opportunity)


async def list_opportunities(
    *, session: AsyncSession, principal: Principal, today: date
) -> list[OpportunityOut]:
    """Opportunities not ended, soonest first, with their open placements counted."""
    taken = (
        select(WorkPlacement.opportunity_id, func.count().label("taken"))
        .where(WorkPlacement.status.in_(OPEN_PLACEMENTS))
        .group_by(WorkPlacement.opportunity_id)
        .subquery()
    )
    rows = await session.execute(
        OPPORTUNITIES.select(principal)
        .add_columns(func.coalesce(taken.c.taken, 0))
        .outerjoin(taken, taken.c.opportunity_id == WorkOpportunity.id)
        .where((WorkOpportunity.ends_on.is_(None)) | (WorkOpportunity.ends_on >= today))
        .order_by(WorkOpportunity.starts_on, WorkOpportunity.title, WorkOpportunity.id)
    )
    return [OpportunityOut.model_validate(o).model_copy(update={"taken": int(n)}) for o, n in rows]


async def get_opportunity(
    *, session: AsyncSession, principal: Principal, opportunity_id: uuid.UUID
) -> tuple[OpportunityOut, list[PlacementOut]]:
    """An opportunity and the placements into it of the people the caller acts for."""
    opportunity = await session.scalar(
        OPPORTUNITIES.select(principal).where(WorkOpportunity.id == opportunity_id)
    )
    if opportunity is None:
        raise NotFound("work opportunity")
    taken = await _taken(session, opportunity_id)
    placements = list(
        await session.scalars(
            PLACEMENTS.select(principal)
            .where(WorkPlacement.opportunity_id == opportunity_id)
            .order_by(WorkPlacement.proposed_on, WorkPlacement.recorded_at)
        )
    )
    if placements:
        await audit(session, principal, "read", RESOURCE, [p.member_id for p in placements])
        await session.commit()
    return (
        OpportunityOut.model_validate(opportunity).model_copy(update={"taken": taken}),
        [PlacementOut.model_validate(p) for p in placements],
    )


async def _taken(session: AsyncSession, opportunity_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                WorkPlacement.opportunity_id == opportunity_id,
                WorkPlacement.status.in_(OPEN_PLACEMENTS),
            )
        )
        or 0
    )


async def _permit(session: AsyncSession, member_id: uuid.UUID) -> WorkPermit | None:
    return await session.get(WorkPermit, member_id)


async def propose(
    *,
    session: AsyncSession,
    principal: Principal,
    opportunity_id: uuid.UUID,
    placement_in: PlacementIn,
) -> PlacementOut:
    """Place a person into an opportunity: refused at the person when its kind needs a
    permit and none allows employment that day; at most as many open as it has seats."""
    opportunity = await session.scalar(
        OPPORTUNITIES.select(principal)
        .where(WorkOpportunity.id == opportunity_id)
        .with_for_update()  # the seats are counted under this lock
    )
    if opportunity is None:
        raise NotFound("work opportunity")
    person = await person_in_scope(session, principal, placement_in.member_id)
    permit = await _permit(session, person.member_id)
    problems = domain.placement_problem(
        opportunity.kind,
        permit.status if permit else None,
        permit.valid_until if permit else None,
        placement_in.proposed_on,
    )
    if problems:
        raise InvalidFields(problems)
    if await _taken(session, opportunity.id) >= opportunity.seats:
        raise Conflict("every seat of this opportunity is taken", code="opportunity-full")
    placement = WorkPlacement(
        id=uuid.uuid4(),
        opportunity_id=opportunity.id,
        member_id=person.member_id,
        household_id=person.household_id,
        status=PlacementStatus.PROPOSED,
        work_permit_status=permit.status if permit else WorkPermitStatus.UNKNOWN,
        proposed_on=placement_in.proposed_on,
        recorded_by=principal.subject,
    )
    session.add(placement)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "this person is placed into this opportunity already", code="already-placed"
        ) from None
    await audit(session, principal, "create", RESOURCE, [person.member_id])
    await session.commit()
    return PlacementOut.model_validate(placement)


async def _placement(
    session: AsyncSession, principal: Principal, placement_id: uuid.UUID
) -> tuple[WorkPlacement, WorkOpportunity]:
    placement = await session.scalar(
        PLACEMENTS.select(principal).where(WorkPlacement.id == placement_id).with_for_update()
    )
    if placement is None:
        raise NotFound("work placement")
    opportunity = await session.get(WorkOpportunity, placement.opportunity_id)
    assert opportunity is not None  # a placement's opportunity is deleted with it
    return placement, opportunity


async def get_placement(
    *, session: AsyncSession, principal: Principal, placement_id: uuid.UUID
) -> tuple[PlacementOut, OpportunityOut]:
    placement, opportunity = await _placement(session, principal, placement_id)
    await audit(session, principal, "read", RESOURCE, [placement.member_id])
    await session.commit()
    return PlacementOut.model_validate(placement), OpportunityOut.model_validate(opportunity)


async def start(
    *,
    session: AsyncSession,
    principal: Principal,
    placement_id: uuid.UUID,
    start_in: PlacementStartIn,
) -> PlacementOut:
    """The person started: the permit must allow it on that day too (it may have run out)."""
    placement, opportunity = await _placement(session, principal, placement_id)
    refusal = domain.placement_change_problem(placement.status, PlacementStatus.STARTED)
    if refusal is not None:
        raise_refusal(refusal)
    permit = await _permit(session, placement.member_id)
    problems = domain.placement_problem(
        opportunity.kind,
        permit.status if permit else None,
        permit.valid_until if permit else None,
        start_in.started_on,
    )
    if problems:
        raise InvalidFields({"started_on": domain.NO_PERMIT_FOR_PLACEMENT})
    if start_in.started_on < placement.proposed_on:
        raise InvalidFields({"started_on": "must not be before the placement was proposed"})
    placement.status = PlacementStatus.STARTED
    placement.started_on = start_in.started_on
    placement.changed_by = principal.subject
    await outbox.add(
        session,
        WorkPlacementStarted(
            placement_id=placement.id,
            opportunity_id=placement.opportunity_id,
            member_id=placement.member_id,
            household_id=placement.household_id,
            started_on=start_in.started_on,
        ),
    )
    await audit(session, principal, "update", RESOURCE, [placement.member_id])
    await session.commit()
    return PlacementOut.model_validate(placement)


async def end(
    *,
    session: AsyncSession,
    principal: Principal,
    placement_id: uuid.UUID,
    end_in: PlacementEndIn,
) -> PlacementOut:
    placement, _ = await _placement(session, principal, placement_id)
    refusal = domain.placement_change_problem(placement.status, PlacementStatus.ENDED)
    if refusal is not None:
        raise_refusal(refusal)
    assert placement.started_on is not None  # started, as the rule above checked
    if end_in.ended_on < placement.started_on:
        raise InvalidFields({"ended_on": "must not be before the placement started"})
    placement.status = PlacementStatus.ENDED
    placement.ended_on = end_in.ended_on
    placement.outcome = end_in.outcome
    placement.changed_by = principal.subject
    await outbox.add(
        session,
        WorkPlacementEnded(
            placement_id=placement.id,
            opportunity_id=placement.opportunity_id,
            member_id=placement.member_id,
            household_id=placement.household_id,
            ended_on=end_in.ended_on,
        ),
    )
    await audit(session, principal, "update", RESOURCE, [placement.member_id])
    await session.commit()
    return PlacementOut.model_validate(placement)
