"""Housing learns a household's new size from intake (household.members_changed)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from housing.handlers import HANDLERS
from teilhabe.auth import Role
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdMembersChanged
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import allocated_household


def changed(
    household_id: uuid.UUID, revision: int, groups: list[AgeGroup]
) -> HouseholdMembersChanged:
    return HouseholdMembersChanged(
        household_id=household_id,
        revision=revision,
        allocation_notice_number=f"BRA-{household_id.hex[:6]}",
        member_count=len(groups),
        minor_count=sum(g is not AgeGroup.ADULT for g in groups),
        members=tuple(AllocatedMember(member_id=uuid.uuid4(), age_group=g) for g in groups),
    )


async def deliver(database_url: str, *payloads: HouseholdMembersChanged) -> None:
    events = [
        ReceivedEvent(envelope=new_event(p, source="/teilhabe/intake"), payload=p) for p in payloads
    ]
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await HANDLERS[HouseholdMembersChanged](session, events)  # as the consumer routes it
    finally:
        await engine.dispose()


async def test_a_birth_makes_the_household_need_one_more_bed_and_older_news_changes_nothing(
    housing: httpx.AsyncClient, identity: RunningDevProvider, housing_database: str
) -> None:
    household_id = await allocated_household(housing_database, members=2)
    officer = auth_headers(identity, Role.HOUSING_OFFICER)
    adults = [AgeGroup.ADULT, AgeGroup.ADULT]
    await deliver(housing_database, changed(household_id, 2, [*adults, AgeGroup.UNDER_THREE]))
    # The first change arrives late (retries reorder): the newer one stands.
    await deliver(housing_database, changed(household_id, 1, adults))

    queue = await housing.get("/waiting-queue", headers=officer)
    [entry] = [h for h in queue.json() if h["household_id"] == str(household_id)]
    assert (entry["member_count"], entry["minor_count"]) == (3, 1)


async def test_a_change_before_the_referral_waits_for_it(housing_database: str) -> None:
    with pytest.raises(LookupError):
        await deliver(housing_database, changed(uuid.uuid4(), 1, [AgeGroup.ADULT]))
