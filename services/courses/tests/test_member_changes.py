"""Courses learns a household's new members from intake (household.members_changed): a
new adult may enrol; a corrected one gets their age group."""

from __future__ import annotations

import uuid

import asyncpg
from courses.handlers import HANDLERS
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdMembersChanged
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.identity import TEST_TEAM

from .test_api import deliver, household_assigned


async def deliver_change(database_url: str, *payloads: HouseholdMembersChanged) -> None:
    events = [
        ReceivedEvent(envelope=new_event(p, source="/teilhabe/intake"), payload=p) for p in payloads
    ]
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await HANDLERS[HouseholdMembersChanged](session, events)  # as the consumer routes it
    finally:
        await engine.dispose()


async def test_a_reunited_adult_is_known_and_a_corrected_age_group_kept(
    courses_database: str,
) -> None:
    assigned = household_assigned(AgeGroup.ADULT, AgeGroup.KITA)
    await deliver(courses_database, assigned)
    mother, child = (m.member_id for m in assigned.members)
    father = uuid.uuid4()

    def change(revision: int, child_group: AgeGroup) -> HouseholdMembersChanged:
        members = (
            AllocatedMember(member_id=mother, age_group=AgeGroup.ADULT, languages=("ar",)),
            AllocatedMember(member_id=child, age_group=child_group, languages=("ar",)),
            AllocatedMember(member_id=father, age_group=AgeGroup.ADULT, languages=("ar", "fa")),
        )
        return HouseholdMembersChanged(
            household_id=assigned.household_id,
            revision=revision,
            allocation_notice_number=assigned.allocation_notice_number,
            team=TEST_TEAM,
            member_count=3,
            minor_count=1,
            members=members,
        )

    await deliver_change(courses_database, change(2, AgeGroup.SCHOOL))
    await deliver_change(courses_database, change(1, AgeGroup.KITA))  # older, arriving late

    connection = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        rows = await connection.fetch(
            "SELECT member_id, age_group::text, languages, team, position FROM person"
            " WHERE household_id = $1 ORDER BY position",
            assigned.household_id,
        )
    finally:
        await connection.close()
    assert [(r["member_id"], r["age_group"], r["position"]) for r in rows] == [
        (mother, "adult", 1),
        (child, "school", 2),
        (father, "adult", 3),
    ]
    assert rows[2]["languages"] == ["ar", "fa"]
    assert rows[2]["team"] == TEST_TEAM
