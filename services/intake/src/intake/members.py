"""Use cases of the household over time: members added, corrected, removed; residence
status changes with their history. One transaction each, the event staged with it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.events.households import (
    AllocatedMember,
    HouseholdMembersChanged,
    ResidenceStatusChanged,
)
from teilhabe.timers import cancel

from intake import domain
from intake.dependencies import HOUSEHOLDS
from intake.models import Household, Member, MemberChange, ResidenceStatusRecord
from intake.schemas import MemberAddIn, MemberCorrectionIn, ResidenceStatusIn
from intake.service import (
    RESIDENCE_EXPIRY,
    RESOURCE,
    audit,
    outbox,
    schedule_residence_reminders,
)


async def add_member(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member: MemberAddIn,
    today: date,
) -> Household:
    """A birth, a reunited relative or another person joins a registered household."""
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    facts = domain.MemberFacts(
        member.date_of_birth, member.residence_status, member.residence_status_expires_on
    )
    problems = domain.addition_problems(facts, member.reason, today)
    if problems:
        raise InvalidFields(problems)
    added = Member(
        id=uuid.uuid4(),
        household_id=household.id,
        position=max((m.position for m in household.members), default=-1) + 1,
        **member.model_dump(exclude={"reason"}),
    )
    household.members.append(added)
    await schedule_residence_reminders(session, [added])
    await _changed(
        session, principal, household, added.id, domain.MemberChangeKind.ADDED, member.reason, today
    )
    await session.commit()
    return household


async def correct_member(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    correction: MemberCorrectionIn,
    today: date,
) -> Household:
    """Facts recorded wrongly are corrected (a date of birth, a name's spelling)."""
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    member = _member_of(household, member_id)
    given = correction.model_dump(exclude_unset=True)
    # Required facts cannot be emptied; an optional one (special needs) can.
    problems = {
        field: "may not be empty"
        for field, value in given.items()
        if value is None and field != "special_needs"
    }
    born = given.get("date_of_birth")
    if born is not None and born > today:
        problems["date_of_birth"] = "date of birth lies in the future"
    if problems:
        raise InvalidFields(problems)
    for field, value in given.items():
        setattr(member, field, value)
    await _changed(
        session,
        principal,
        household,
        member.id,
        domain.MemberChangeKind.CORRECTED,
        domain.MemberChangeReason.CORRECTION,
        today,
    )
    await session.commit()
    return household


async def remove_member(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    reason: domain.MemberChangeReason,
    today: date,
) -> Household:
    """A member leaves the household (moved out, died, registered in error); their data
    in intake goes with them, the change's line says that and why."""
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    member = _member_of(household, member_id)
    refusal = domain.removal_refusal(len(household.members), reason)
    if refusal is not None:
        raise_refusal(refusal)
    household.members.remove(member)
    await cancel(session, RESIDENCE_EXPIRY, str(member.id))
    await _changed(
        session, principal, household, member.id, domain.MemberChangeKind.REMOVED, reason, today
    )
    await session.commit()
    return household


async def change_residence_status(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    change: ResidenceStatusIn,
    today: date,
) -> ResidenceStatusRecord:
    """A member's residence status changes from a day on: kept in the history, the expiry
    reminder moved, published."""
    household = await HOUSEHOLDS.get(session, principal, household_id, for_update=True)
    member = _member_of(household, member_id)
    history = await _history(session, member.id)
    problems = domain.residence_change_problems(
        status=change.residence_status,
        valid_from=change.valid_from,
        expires_on=change.expires_on,
        previous_valid_from=history[-1].valid_from if history else None,
        today=today,
    )
    if problems:
        raise InvalidFields(problems)
    previous = member.residence_status
    member.residence_status = change.residence_status
    member.residence_status_expires_on = change.expires_on
    record = ResidenceStatusRecord(
        member_id=member.id,
        residence_status=change.residence_status,
        previous_residence_status=previous,
        valid_from=change.valid_from,
        expires_on=change.expires_on,
        recorded_by=principal.subject,
    )
    session.add(record)
    await schedule_residence_reminders(session, [member])
    await outbox.add(
        session,
        ResidenceStatusChanged(
            household_id=household.id,
            member_id=member.id,
            residence_status=change.residence_status,
            previous_residence_status=previous,
            valid_from=change.valid_from,
            expires_on=change.expires_on,
        ),
    )
    await audit(session, principal, "update", RESOURCE, [household.id])
    await session.flush()
    await session.refresh(record)
    await session.commit()
    return record


async def residence_history(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, member_id: uuid.UUID
) -> list[ResidenceStatusRecord]:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    member = _member_of(household, member_id)
    history = await _history(session, member.id)
    await audit(session, principal, "read", RESOURCE, [household.id])
    await session.commit()
    return history


async def member_changes(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> list[MemberChange]:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    changes = await changes_of(session, household)
    await audit(session, principal, "read", RESOURCE, [household.id])
    await session.commit()
    return changes


async def member_record(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, member_id: uuid.UUID
) -> tuple[Household, Member, list[ResidenceStatusRecord]]:
    """A member with their household and residence status history (one read, audited)."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    member = _member_of(household, member_id)
    history = await _history(session, member.id)
    await audit(session, principal, "read", RESOURCE, [household.id])
    await session.commit()
    return household, member, history


async def changes_of(session: AsyncSession, household: Household) -> list[MemberChange]:
    """The member changes of a household the caller has already read (and been audited)."""
    return list(
        await session.scalars(
            select(MemberChange)
            .where(MemberChange.household_id == household.id)
            .order_by(MemberChange.revision)
        )
    )


def _member_of(household: Household, member_id: uuid.UUID) -> Member:
    for member in household.members:
        if member.id == member_id:
            return member
    raise NotFound("member")


async def _history(session: AsyncSession, member_id: uuid.UUID) -> list[ResidenceStatusRecord]:
    return list(
        await session.scalars(
            select(ResidenceStatusRecord)
            .where(ResidenceStatusRecord.member_id == member_id)
            .order_by(ResidenceStatusRecord.valid_from, ResidenceStatusRecord.recorded_at)
        )
    )


async def _changed(
    session: AsyncSession,
    principal: Principal,
    household: Household,
    member_id: uuid.UUID,
    kind: domain.MemberChangeKind,
    reason: domain.MemberChangeReason,
    today: date,
) -> None:
    """Record the change, tell the others the household's members as they are now."""
    household.members_revision += 1
    session.add(
        MemberChange(
            household_id=household.id,
            member_id=member_id,
            kind=kind,
            reason=reason,
            revision=household.members_revision,
            recorded_by=principal.subject,
        )
    )
    members = household.members
    makeup = domain.composition([m.date_of_birth for m in members], today)
    await outbox.add(
        session,
        HouseholdMembersChanged(
            household_id=household.id,
            revision=household.members_revision,
            allocation_notice_number=household.allocation_notice_number,
            team=household.team,
            member_count=len(members),
            minor_count=makeup.minor_count,
            members=tuple(
                AllocatedMember(member_id=m.id, age_group=group, languages=tuple(m.languages))
                for m, group in zip(members, makeup.groups, strict=True)
            ),
        ),
    )
    await audit(session, principal, "update", RESOURCE, [household.id])
