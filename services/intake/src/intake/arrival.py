"""What an allocation starts at once: a follow-up to find a school place for every child in
school duty (§ 34(6) SchulG NRW, from the allocation on) with a school-place request
courses records, and a follow-up about the integration course for every adult whose
residence status gives an entitlement, an obligation or an admission (IntV; which status
gives what is the setting `integration_course_rules`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.auth import Principal
from teilhabe.clock import on_day
from teilhabe.events.households import SchoolPlaceRequested
from teilhabe.timers import Timer

from intake import domain
from intake.config import get_settings
from intake.followups import FOLLOW_UP_DUE
from intake.models import FollowUp, Household
from intake.service import REMINDER_TIME

_TABLE: Table = FollowUp.__table__  # type: ignore[assignment]
_COLUMNS = tuple(_TABLE.columns)
_INSERT_FOLLOW_UPS = insert(_TABLE)


@dataclass(frozen=True)
class Arrival:
    """What newly registered households start: follow-ups, their timers, school-place
    requests. Built without the database, so the registration stages the timers and
    events with its own in one statement each."""

    follow_ups: list[FollowUp]
    timers: list[Timer]
    requests: list[SchoolPlaceRequested]


def plan(principal: Principal, households: Sequence[Household], today: date) -> Arrival:
    """The follow-ups (on the registering caseworker's list), their timers and the
    school-place requests of newly registered households."""
    rules = get_settings().integration_course_rules
    follow_ups: list[FollowUp] = []
    requests: list[SchoolPlaceRequested] = []
    for household in households:
        members = household.members
        for found in domain.arrival_follow_ups(
            [(m.date_of_birth, str(m.residence_status)) for m in members],
            allocated_on=household.allocated_on,
            today=today,
            course_rules=rules,
        ):
            member = members[found.member_position]
            follow_ups.append(
                FollowUp(
                    id=uuid.uuid4(),
                    household_id=household.id,
                    member_id=member.id,
                    due_on=found.due_on,
                    reason=found.reason,
                    assignee=principal.subject,
                    created_by=principal.subject,
                )
            )
            if found.kind == "school_duty":
                requests.append(
                    SchoolPlaceRequested(
                        household_id=household.id,
                        member_id=member.id,
                        age=domain.age_on(member.date_of_birth, today),
                        languages=tuple(member.languages),
                        requested_on=today,
                    )
                )
    timers = [
        Timer(
            FOLLOW_UP_DUE,
            str(f.id),
            on_day(f.due_on, REMINDER_TIME),
            {"due_on": f.due_on.isoformat()},
        )
        for f in follow_ups
    ]
    return Arrival(follow_ups, timers, requests)


async def store_follow_ups(session: AsyncSession, follow_ups: Sequence[FollowUp]) -> None:
    """Insert the planned follow-ups, in the registration's transaction."""
    if follow_ups:
        # Core inserts, like the households themselves (intake.registration).
        await session.execute(
            _INSERT_FOLLOW_UPS,
            [
                {
                    column.key: f.__dict__[column.key]
                    for column in _COLUMNS
                    if column.key in f.__dict__
                }
                for f in follow_ups
            ],
        )
