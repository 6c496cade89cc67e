"""Volunteers learns from intake that a household has minors now (household.members_changed):
a mentor without a valid clearance for work with minors is flagged."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdMembersChanged
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client
from volunteers.handlers import HANDLERS
from volunteers.models import Household

from .test_api import known_household, register, valid_clearance


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coord-ines")


def changed(household_id: str, revision: int, groups: list[AgeGroup]) -> HouseholdMembersChanged:
    return HouseholdMembersChanged(
        household_id=uuid.UUID(household_id),
        revision=revision,
        allocation_notice_number="BRA-X",
        member_count=len(groups),
        minor_count=sum(g is not AgeGroup.ADULT for g in groups),
        members=tuple(
            AllocatedMember(member_id=uuid.uuid4(), age_group=g, languages=("ar", "ku"))
            for g in groups
        ),
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


async def household_page(volunteers: httpx.AsyncClient, household: str) -> str:
    async with tool_client(volunteers.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="ines", roles=[Role.VOLUNTEER_COORDINATOR])
        page = await browser.get(f"/ui/haushalte/{household}")
    assert page.status_code == 200, page.text
    return page.text


async def test_a_birth_flags_the_mentor_without_clearance(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    household = await known_household(volunteers_database, minors=0)
    uncleared = await register(volunteers, coordinator)
    cleared = await register(volunteers, coordinator)
    put = await volunteers.put(
        f"/volunteers/{cleared['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    assert put.status_code == 200, put.text
    for volunteer in (uncleared, cleared):
        match = {
            "volunteer_id": volunteer["id"],
            "household_id": household,
            "started_on": today().isoformat(),
        }
        assert (
            await volunteers.post("/matches", json=match, headers=coordinator)
        ).status_code == 201

    before = await household_page(volunteers, household)
    assert "data-needs-clearance" not in before

    await deliver(
        volunteers_database, changed(household, 1, [AgeGroup.ADULT, AgeGroup.UNDER_THREE])
    )
    after = await household_page(volunteers, household)
    [flagged] = [item for item in re.findall(r"<li>(.*?)</li>", after) if "data-needs" in item]
    assert uncleared["id"] in flagged
    assert cleared["id"] not in flagged
    assert "Kein gültiges Führungszeugnis für die Arbeit mit Minderjährigen" in after

    # An older change arriving late leaves the newer one standing.
    await deliver(volunteers_database, changed(household, 1, [AgeGroup.ADULT]))
    assert "data-needs-clearance" in await household_page(volunteers, household)
    async with create_session_factory(engine := create_engine(volunteers_database))() as session:
        kept = await session.get(Household, uuid.UUID(household))
        assert kept is not None
        assert (kept.has_minors, kept.languages, kept.members_revision) == (True, ["ar", "ku"], 1)
    await engine.dispose()


async def test_a_change_before_the_allocation_waits_for_it(volunteers_database: str) -> None:
    with pytest.raises(LookupError):
        await deliver(volunteers_database, changed(str(uuid.uuid4()), 1, [AgeGroup.ADULT]))
