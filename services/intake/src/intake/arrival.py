"""What an allocation starts at once: a follow-up to find a school place for every child in
school duty (§ 34(6) SchulG NRW, from the allocation on) with a school-place request
courses records, and a follow-up about the integration course for every adult whose
residence status gives an entitlement, an obligation or an admission (IntV; which status
gives what is the setting `integration_course_rules`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.auth import Principal
from teilhabe.clock import on_day
from teilhabe.events.households import SchoolPlaceRequested
from teilhabe.timers import Timer, schedule_all

from intake import domain
from intake.config import get_settings
from intake.followups import FOLLOW_UP_DUE
from intake.models import FollowUp, Household
from intake.service import REMINDER_TIME, outbox


async def start(
    session: AsyncSession, principal: Principal, households: Sequence[Household], today: date
) -> list[FollowUp]:
    """Stage the follow-ups (on the registering caseworker's list) and the school-place
    requests of newly registered households, in the registration's transaction."""
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
    if follow_ups:
        # Core inserts, like the households themselves (intake.registration).
        table: Table = FollowUp.__table__  # type: ignore[assignment]
        await session.execute(
            insert(table),
            [
                {
                    column.key: getattr(f, column.key)
                    for column in table.columns
                    if column.key in f.__dict__
                }
                for f in follow_ups
            ],
        )
    await schedule_all(
        session,
        [
            Timer(
                FOLLOW_UP_DUE,
                str(f.id),
                on_day(f.due_on, REMINDER_TIME),
                {"due_on": f.due_on.isoformat()},
            )
            for f in follow_ups
        ],
    )
    await outbox.add_many(session, requests)
    return follow_ups
