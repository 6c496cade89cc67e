"""Intake's handlers as the consumer calls them, on the service's migrated database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from intake.domain import SCHOOL_DUTY_REASON
from intake.followups import NO_SHOW_BY
from intake.handlers import HANDLERS
from intake.models import Household
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.events import new_event
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.courses import SchoolPlaceAssigned
from teilhabe.events.housing import (
    HouseholdArrived,
    HouseholdMovedIn,
    HouseholdMovedOut,
    HouseholdNotArrived,
    MoveOutReason,
    SiteKind,
)
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_api import allocation


def received(payload: EventPayload, at: datetime) -> ReceivedEvent[EventPayload]:
    return ReceivedEvent(
        envelope=new_event(payload, source="/teilhabe/housing", now=at), payload=payload
    )


async def test_the_status_housing_recorded_last_wins_whatever_the_order_of_arrival(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    response = await intake.post(
        "/households", json=allocation(), headers=auth_headers(identity, Role.CASEWORKER)
    )
    assert response.status_code == 201, response.text
    household_id = uuid.UUID(response.json()["id"])
    placement, site, unit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    moved_in_at = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    moved_in = HouseholdMovedIn(
        household_id=household_id,
        placement_id=placement,
        site_id=site,
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=unit,
        bed_count=1,
        moved_in_on=date(2026, 11, 25),
    )
    moved_out = HouseholdMovedOut(
        household_id=household_id,
        placement_id=placement,
        site_id=site,
        unit_id=unit,
        moved_out_on=date(2026, 11, 30),
        reason=MoveOutReason.PRIVATE_HOUSING,
    )

    # The move-out arrives first (the move-in waited in a delay queue), then the move-in.
    for payload, at in ((moved_out, moved_in_at + timedelta(days=5)), (moved_in, moved_in_at)):
        async with sessions() as session, session.begin():
            await HANDLERS[type(payload)](session, [received(payload, at)])

    async with sessions() as session:
        household = await session.get(Household, household_id)
    assert household is not None
    assert household.housing_status == "moved_out"


async def test_the_household_page_says_where_housing_placed_the_household(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    response = await intake.post(
        "/households", json=allocation(), headers=auth_headers(identity, Role.CASEWORKER)
    )
    assert response.status_code == 201, response.text
    household_id = uuid.UUID(response.json()["id"])
    moved_in = HouseholdMovedIn(
        household_id=household_id,
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=1,
        moved_in_on=date(2026, 11, 25),
        site_name="Übergangswohnheim Halterner Straße",
        unit_name="A1",
    )
    async with sessions() as session, session.begin():
        await HANDLERS[HouseholdMovedIn](session, [received(moved_in, datetime.now(UTC))])

    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="leitung", roles=[Role.CASEWORKER, Role.TEAM_LEAD])
        page = await browser.get(f"/ui/haushalte/{household_id}")
    assert page.status_code == 200, page.text
    assert (
        '<dd class="kern-description-list-item__value" data-housing>untergebracht in '
        "Übergangswohnheim Halterner Straße, Wohneinheit A1</dd>"
    ) in page.text


async def test_a_no_show_housing_saw_is_a_follow_up_for_the_caseworker_once(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-no-show")
    response = await intake.post("/households", json=allocation(), headers=caseworker)
    assert response.status_code == 201, response.text
    household_id = uuid.UUID(response.json()["id"])
    assigned = await intake.put(
        f"/households/{household_id}/caseworker",
        json={"caseworker_id": "cw-no-show"},
        headers=caseworker,
    )
    assert assigned.status_code == 200, assigned.text
    expected = today() - timedelta(days=2)
    not_arrived = received(
        HouseholdNotArrived(household_id=household_id, expected_arrival_on=expected),
        datetime.now(UTC),
    )
    # Delivered twice (a redelivery after a lost acknowledgement, the inbox aside).
    for _ in range(2):
        async with sessions() as session, session.begin():
            await HANDLERS[HouseholdNotArrived](session, [not_arrived])

    url = f"/households/{household_id}/follow-ups"
    # Registration set the school-duty follow-up of the household's child besides.
    [follow_up] = await _from_housing(intake, url, caseworker)
    assert (follow_up["assignee"], follow_up["due_on"], follow_up["done_on"]) == (
        "cw-no-show",
        str(today()),
        None,
    )
    assert expected.strftime("%d.%m.%Y") in follow_up["reason"]
    due = (await intake.get("/follow-ups/due", headers=caseworker)).json()
    assert follow_up["id"] in [item["id"] for item in due["today"]]

    # The household comes after all: the follow-up is done.
    arrived = HouseholdArrived(household_id=household_id, arrived_on=today())
    async with sessions() as session, session.begin():
        await HANDLERS[HouseholdArrived](session, [received(arrived, datetime.now(UTC))])
    [done] = await _from_housing(intake, url, caseworker)
    assert (done["done_on"], done["done_by"]) == (str(today()), "housing")


async def _from_housing(
    intake: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    """The household's follow-ups that housing's no-show set."""
    follow_ups = (await intake.get(url, headers=headers)).json()
    return [item for item in follow_ups if item["created_by"] == NO_SHOW_BY]


async def test_a_school_place_found_in_courses_closes_the_childs_school_duty_follow_up(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-school")
    response = await intake.post("/households", json=allocation(), headers=caseworker)
    assert response.status_code == 201, response.text
    household = response.json()
    child = uuid.UUID(household["members"][1]["id"])
    url = f"/households/{household['id']}/follow-ups"

    def school_duty(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [item for item in items if item["reason"] == SCHOOL_DUTY_REASON]

    [open_one] = school_duty((await intake.get(url, headers=caseworker)).json())
    assert open_one["done_on"] is None
    placed = SchoolPlaceAssigned(
        household_id=uuid.UUID(household["id"]),
        member_id=child,
        assigned_on=today(),
    )
    event = ReceivedEvent(envelope=new_event(placed, source="/teilhabe/courses"), payload=placed)
    # Delivered twice (a redelivery after a lost acknowledgement, the inbox aside).
    for _ in range(2):
        async with sessions() as session, session.begin():
            await HANDLERS[SchoolPlaceAssigned](session, [event])
    follow_ups = (await intake.get(url, headers=caseworker)).json()
    [done] = school_duty(follow_ups)
    assert (done["done_on"], done["done_by"]) == (str(today()), "courses")
    # The adult's follow-ups (the integration course) stay as they were.
    assert all(item["done_on"] is None for item in follow_ups if item["id"] != done["id"])
