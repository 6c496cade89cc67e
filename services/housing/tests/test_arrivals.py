"""Arrivals: an officer records who really came; a household that does not come by its
expected day is a no-show intake hears of once (a durable timer). Persons: housing knows
the members by reference and age group, and says where a person lives."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import httpx
import pytest
from housing import erasure
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import on_day, today
from teilhabe.events.erasure import ErasureSubject
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    HouseholdAssigned,
    HouseholdMembersChanged,
    HouseholdReferredToHousing,
)
from teilhabe.messaging.inbox import NotYet
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.service_fixtures import Deliver
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_api import new_site
from .test_reservation_expiry import DUE_NOW, fire_due_timers, sql

GROUPS = (AgeGroup.ADULT, AgeGroup.ADULT, AgeGroup.SCHOOL)


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-arrivals")


async def referred(
    deliver: Deliver, *, expected: date | None, groups: tuple[AgeGroup, ...] = GROUPS
) -> tuple[uuid.UUID, list[uuid.UUID], str]:
    """A household registered in intake and referred to housing, as intake tells it."""
    household_id = uuid.uuid4()
    number = f"BRA-{household_id.hex[:8].upper()}"
    members = tuple(AllocatedMember(member_id=uuid.uuid4(), age_group=g) for g in groups)
    common = {
        "household_id": household_id,
        "allocation_notice_number": number,
        "allocated_on": today() - timedelta(days=20),
        "expected_arrival_on": expected,
        "member_count": len(groups),
        "minor_count": sum(g is not AgeGroup.ADULT for g in groups),
    }
    # The assignment may come before the referral: it waits for it (after the rest of its
    # batch, or a retry).
    with pytest.raises(NotYet):
        await deliver(HouseholdAssigned(**common, members=members))
    await deliver(HouseholdReferredToHousing(**common, needs_accessible_housing=False))
    await deliver(HouseholdAssigned(**common, members=members))
    return household_id, [m.member_id for m in members], number


async def staged(
    database: str, event_type: str, household_id: uuid.UUID
) -> list[dict[str, object]]:
    rows = await sql(database, "SELECT body FROM outbox_message WHERE event_type = $1", event_type)
    found = [json.loads(row["body"])["data"] for row in rows]
    return [data for data in found if data["household_id"] == str(household_id)]


async def test_an_arrival_is_recorded_with_who_came_once(
    housing: httpx.AsyncClient, officer: dict[str, str], deliver: Deliver, housing_database: str
) -> None:
    household, members, _ = await referred(deliver, expected=today() - timedelta(days=2))
    url = f"/households/{household}/arrival"
    assert (await housing.get(url, headers=officer)).status_code == 404

    came = [str(m) for m in members[:2]]
    ahead = await housing.post(
        url,
        json={"arrived_on": str(today() + timedelta(days=1)), "member_ids": came},
        headers=officer,
    )
    assert ahead.status_code == 422
    assert "arrived_on" in ahead.text
    stranger = await housing.post(
        url, json={"arrived_on": str(today()), "member_ids": [str(uuid.uuid4())]}, headers=officer
    )
    assert stranger.status_code == 422
    assert "member_ids" in stranger.text

    # Two of the three came; the third stayed behind.
    recorded = await housing.post(
        url, json={"arrived_on": str(today()), "member_ids": came}, headers=officer
    )
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert (body["arrived_person_count"], body["expected_person_count"]) == (2, 3)
    assert {m["member_id"]: m["arrived"] for m in body["members"]} == {
        str(members[0]): True,
        str(members[1]): True,
        str(members[2]): False,
    }
    again = await housing.post(
        url, json={"arrived_on": str(today()), "member_ids": came}, headers=officer
    )
    assert again.status_code == 409
    assert (await housing.get(url, headers=officer)).json() == body
    [event] = await staged(housing_database, "household.arrived", household)
    assert event == {"household_id": str(household), "arrived_on": str(today())}

    # Its no-show check finds it came: nothing for intake.
    await sql(housing_database, DUE_NOW, str(household))
    await fire_due_timers(housing_database)
    assert await staged(housing_database, "household.not_arrived", household) == []


async def test_a_household_that_does_not_come_is_a_no_show_once(
    housing: httpx.AsyncClient, officer: dict[str, str], deliver: Deliver, housing_database: str
) -> None:
    expected = today() - timedelta(days=2)
    household, _, _ = await referred(deliver, expected=expected)
    [timer] = await sql(
        housing_database,
        "SELECT due_at FROM timer WHERE kind = 'arrival_due' AND key = $1",
        str(household),
    )
    assert timer["due_at"] == on_day(expected + timedelta(days=1)), "one grace day"
    # A redelivered referral schedules nothing again, and no household without a day is checked.
    await deliver(
        HouseholdReferredToHousing(
            household_id=household,
            allocation_notice_number="X",
            allocated_on=expected,
            expected_arrival_on=expected,
            member_count=1,
            minor_count=0,
            needs_accessible_housing=False,
        )
    )
    undated, _, _ = await referred(deliver, expected=None)
    assert await sql(housing_database, "SELECT 1 FROM timer WHERE key = $1", str(undated)) == []

    await sql(housing_database, DUE_NOW, str(household))
    await fire_due_timers(housing_database)
    await fire_due_timers(housing_database)
    assert await staged(housing_database, "household.not_arrived", household) == [
        {"household_id": str(household), "expected_arrival_on": str(expected)}
    ]


async def test_where_does_this_person_live(
    housing: httpx.AsyncClient,
    officer: dict[str, str],
    identity: RunningDevProvider,
    deliver: Deliver,
) -> None:
    household, members, number = await referred(deliver, expected=None)
    site = await new_site(housing, officer, beds=4)
    unit = site["units"][0]  # type: ignore[index]
    placed = await housing.post(
        "/placements",
        json={"household_id": str(household), "unit_id": unit["id"], "moved_in_on": str(today())},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text

    found = await housing.get("/persons", params={"member_id": str(members[2])}, headers=officer)
    assert found.status_code == 200, found.text
    [person] = found.json()
    assert (person["site"], person["unit"], person["age_group"]) == (
        site["name"],
        unit["name"],
        "school",
    )
    assert not {"name", "first_name", "family_name"} & set(person), "names stay in intake"
    by_notice = await housing.get(
        "/persons", params={"notice_number": number.lower()}, headers=officer
    )
    assert {p["member_id"] for p in by_notice.json()} == {str(m) for m in members}
    assert (await housing.get("/persons", headers=officer)).status_code == 422

    coordinator = auth_headers(identity, Role.COURSE_COORDINATOR, subject="cc-persons")
    refused = await housing.get(
        "/persons", params={"member_id": str(members[2])}, headers=coordinator
    )
    assert refused.status_code == 403
    assert "site" not in refused.text

    residents = await housing.get(f"/units/{unit['id']}/residents", headers=officer)
    shown = residents.json()["residents"]
    assert sorted(p["member_id"] for p in shown) == sorted(str(m) for m in members)
    assert shown[0]["age_group"] == "adult"

    # A member leaves the household in intake: housing forgets the person.
    await deliver(
        HouseholdMembersChanged(
            household_id=household,
            revision=1,
            allocation_notice_number=number,
            member_count=2,
            minor_count=0,
            members=tuple(
                AllocatedMember(member_id=m, age_group=AgeGroup.ADULT) for m in members[:2]
            ),
        )
    )
    gone = await housing.get("/persons", params={"member_id": str(members[2])}, headers=officer)
    assert gone.json() == []


async def test_the_site_page_lists_each_units_residents(
    housing: httpx.AsyncClient, officer: dict[str, str], deliver: Deliver
) -> None:
    household, members, number = await referred(deliver, expected=None)
    site = await new_site(housing, officer, beds=4)
    unit = site["units"][0]  # type: ignore[index]
    placed = await housing.post(
        "/placements",
        json={"household_id": str(household), "unit_id": unit["id"], "moved_in_on": str(today())},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text
    async with tool_client(housing.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="bernd", roles=[Role.HOUSING_OFFICER])
        page = await browser.get(f"/ui/standorte/{site['id']}")
    assert page.status_code == 200
    table = page.text.split(f"Bewohnerinnen und Bewohner der Einheit {unit['name']}")[1]
    table = table.split("</table>")[0]
    assert table.count(number) == 3
    assert table.count("Erwachsene Person") == 2
    assert "Schulkind" in table
    assert all(str(m) in table for m in members)


async def test_an_erasure_removes_the_person_or_the_household_with_its_persons_and_timer(
    deliver: Deliver, sessions: async_sessionmaker[AsyncSession], housing_database: str
) -> None:
    household, members, _ = await referred(deliver, expected=today() + timedelta(days=3))
    async with sessions() as session, session.begin():
        assert await erasure.erase(session, ErasureSubject.MEMBER, members[0]) == 1
    left = await sql(
        housing_database,
        "SELECT member_id FROM household_member WHERE household_id = $1",
        household,
    )
    assert {row["member_id"] for row in left} == set(members[1:])

    async with sessions() as session, session.begin():
        assert await erasure.erase(session, ErasureSubject.HOUSEHOLD, household) == 3
    for table, column in (("household_member", "household_id"), ("timer", "key")):
        traces = await sql(
            housing_database,
            f"SELECT 1 FROM {table} WHERE CAST({column} AS text) = $1",
            str(household),
        )
        assert traces == [], table


async def test_the_person_search_page_says_where_a_person_lives_for_officers_only(
    housing: httpx.AsyncClient, officer: dict[str, str], deliver: Deliver
) -> None:
    household, members, number = await referred(deliver, expected=None)
    site = await new_site(housing, officer, beds=4)
    unit = site["units"][0]  # type: ignore[index]
    placed = await housing.post(
        "/placements",
        json={"household_id": str(household), "unit_id": unit["id"], "moved_in_on": str(today())},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text
    async with tool_client(housing.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="bernd", roles=[Role.HOUSING_OFFICER])
        found = await browser.get("/ui/personen", params={"q": str(members[2])})
        by_notice = await browser.get("/ui/personen", params={"q": number.lower()})
        nobody = await browser.get("/ui/personen", params={"q": "BRA-0000-NIEMAND"})
    assert found.status_code == 200
    assert "1 Person gefunden" in found.text
    assert str(site["name"]) in found.text
    assert "Schulkind" in found.text
    assert "3 Personen gefunden" in by_notice.text
    assert "Niemand gefunden" in nobody.text
    async with tool_client(housing.app) as other:  # type: ignore[attr-defined]
        await sign_in(other, subject="kurt", roles=[Role.COURSE_COORDINATOR])
        refused = await other.get("/ui/personen", params={"q": str(members[2])})
    assert refused.status_code == 403
    assert str(site["name"]) not in refused.text


async def test_an_officer_records_an_arrival_on_the_waiting_queue(
    housing: httpx.AsyncClient, deliver: Deliver, housing_database: str
) -> None:
    household, members, number = await referred(deliver, expected=today())
    async with tool_client(housing.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="bernd", roles=[Role.HOUSING_OFFICER])
        queue = await browser.get("/ui/warteliste")
        assert f"/ui/warteliste/{household}/ankunft" in queue.text
        page = await browser.get(f"/ui/warteliste/{household}/ankunft")
        assert page.status_code == 200
        assert page.text.count('name="member_ids"') == 3
        token = form_token(page)
        ahead = {"csrf_token": token, "arrived_on": "01.01.2099", "member_ids": str(members[0])}
        refused = await browser.post(f"/ui/warteliste/{household}/ankunft", data=ahead)
        assert refused.status_code == 422
        assert "Zukunft" in error_next_to(refused, "arrived_on")
        came = {
            "csrf_token": token,
            "arrived_on": today().strftime("%d.%m.%Y"),
            "member_ids": [str(m) for m in members[:2]],
        }
        done = await browser.post(
            f"/ui/warteliste/{household}/ankunft", data=came, follow_redirects=True
        )
    assert done.status_code == 200
    assert f"Die Ankunft des Haushalts {number} ist erfasst." in done.text
    [row] = await sql(
        housing_database,
        "SELECT arrived_on, arrived_person_count FROM waiting_household WHERE household_id = $1",
        household,
    )
    assert (row["arrived_on"], row["arrived_person_count"]) == (today(), 2)
