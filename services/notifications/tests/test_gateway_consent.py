"""The agency gateway's consent gate for events about a whole household: every adult
member must have consented to the agency and purpose; one adult cannot agree for another."""

from __future__ import annotations

import uuid
from datetime import date

from notifications.gateway import admitted, record_granted, record_household, record_revoked
from notifications.models import Agency, AgencySubscription
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.events.consent import ConsentGranted, ConsentRevoked
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    HouseholdAssigned,
    HouseholdMembersChanged,
)
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe_dev.testing.service_fixtures import received

PURPOSE = "arbeitsvermittlung"


def moved_in(household_id: uuid.UUID) -> HouseholdMovedIn:
    return HouseholdMovedIn(
        household_id=household_id,
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=3,
        moved_in_on=date(2026, 11, 25),
    )


def member(age_group: AgeGroup) -> AllocatedMember:
    return AllocatedMember(member_id=uuid.uuid4(), age_group=age_group)


async def consent(
    session: AsyncSession, agency: str, household_id: uuid.UUID, m: uuid.UUID
) -> uuid.UUID:
    consent_id = uuid.uuid4()
    granted = ConsentGranted(
        consent_id=consent_id,
        household_id=household_id,
        member_id=m,
        agency=agency,
        purpose=PURPOSE,
        granted_on=date(2026, 11, 1),
    )
    await record_granted(session, [received(granted)])
    return consent_id


async def test_a_household_event_passes_only_with_every_adults_consent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    agency = f"jc-{uuid.uuid4().hex[:8]}"
    household_id = uuid.uuid4()
    first, second, child = member(AgeGroup.ADULT), member(AgeGroup.ADULT), member(AgeGroup.SCHOOL)
    assigned = HouseholdAssigned(
        household_id=household_id,
        allocation_notice_number=f"N-{household_id}",
        allocated_on=date(2026, 11, 1),
        member_count=3,
        minor_count=1,
        members=(first, second, child),
    )
    event = moved_in(household_id)

    async def passed() -> dict[str, set[str]]:
        async with sessions() as session:
            [agencies] = await admitted(session, HouseholdMovedIn, [event])
            return agencies

    async with sessions() as session, session.begin():
        session.add(Agency(id=agency, display_name="Jobcenter"))
        await session.flush()
        session.add(
            AgencySubscription(
                id=uuid.uuid4(),
                agency_id=agency,
                event_type="household.moved_in",
                purpose=PURPOSE,
                fields=["moved_in_on"],
                statutory=False,
            )
        )
        await record_household(session, [received(assigned)])
        await consent(session, agency, household_id, first.member_id)
    # One of two adults consented: the household's event is not delivered.
    assert await passed() == {}

    async with sessions() as session, session.begin():
        second_consent = await consent(session, agency, household_id, second.member_id)
    # Both adults (the child's consent is not asked): it is.
    assert await passed() == {agency: {"moved_in_on"}}

    async with sessions() as session, session.begin():
        revoked = ConsentRevoked(
            consent_id=second_consent,
            household_id=household_id,
            member_id=second.member_id,
            agency=agency,
            purpose=PURPOSE,
            revoked_on=date(2026, 11, 20),
        )
        await record_revoked(session, [received(revoked)])
    assert await passed() == {}

    # The second adult left the household: the first's consent is all it needs now; an
    # older revision arriving late changes nothing.
    def changed(revision: int, *members: AllocatedMember) -> HouseholdMembersChanged:
        return HouseholdMembersChanged(
            household_id=household_id,
            revision=revision,
            allocation_notice_number=f"N-{household_id}",
            member_count=len(members),
            minor_count=1,
            members=members,
        )

    async with sessions() as session, session.begin():
        await record_household(session, [received(changed(2, first, child))])
        await record_household(session, [received(changed(1, first, second, child))])
    assert await passed() == {agency: {"moved_in_on"}}

    # A household the gateway never heard of: nobody's consent is known to count.
    async with sessions() as session:
        [unknown] = await admitted(session, HouseholdMovedIn, [moved_in(uuid.uuid4())])
    assert unknown == {}
