"""The work pages in German: a caseworker finds a person of their household, records the
permit status (kept with its history), an employment's start and end and the handover to
the Jobcenter, which shows the person's consent to it; refusals stand at their fields; a
person out of their care is not found; coordinators reach the page from their course."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from courses import work
from courses.handlers import on_household_assigned
from teilhabe.auth import Role
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.consent import ConsentGranted
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import TEST_TEAM, auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_pages import browser, coordinator, flashed, new_course, notice

__all__ = ["browser", "coordinator"]  # fixtures, re-exported for pytest


@pytest.fixture
async def caseworker(courses: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="cw-arbeit", roles=[Role.CASEWORKER], next_path="/ui/arbeit")
        yield client


async def team_household(database_url: str, team: str, *groups: AgeGroup) -> HouseholdAssigned:
    event = HouseholdAssigned(
        household_id=uuid.uuid4(),
        allocation_notice_number=notice(),
        allocated_on=date(2026, 11, 20),
        member_count=len(groups),
        minor_count=sum(group is not AgeGroup.ADULT for group in groups),
        members=tuple(
            AllocatedMember(member_id=uuid.uuid4(), age_group=group, languages=("ar",))
            for group in groups
        ),
        team=team,
    )
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await on_household_assigned(
            session,
            [ReceivedEvent(envelope=new_event(event, source="/teilhabe/intake"), payload=event)],
        )
    await engine.dispose()
    return event


async def grant_jobcenter_consent(database_url: str, family: HouseholdAssigned) -> None:
    member = family.members[0].member_id
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await work.record_consents(
            session=session,
            events=[
                ConsentGranted(
                    consent_id=uuid.uuid4(),
                    household_id=family.household_id,
                    member_id=member,
                    agency="jobcenter-kreis-coesfeld",
                    purpose="arbeitsvermittlung",
                    granted_on=date(2026, 11, 1),
                )
            ],
        )
    await engine.dispose()


async def test_a_caseworker_records_a_persons_work_on_its_page(
    caseworker: httpx.AsyncClient, courses: httpx.AsyncClient, courses_database: str
) -> None:
    family = await team_household(courses_database, TEST_TEAM, AgeGroup.ADULT, AgeGroup.SCHOOL)
    member = family.members[0].member_id

    listed = await caseworker.get("/ui/arbeit")
    assert listed.status_code == 200
    assert '<h1 class="kern-heading-large">Arbeit</h1>' in listed.text
    found = await caseworker.get(
        "/ui/arbeit", params={"allocation_notice_number": family.allocation_notice_number}
    )
    assert found.status_code == 200
    page_path = f"/ui/arbeit/personen/{member}"
    assert f'href="{page_path}"' in found.text
    unknown = await caseworker.get("/ui/arbeit", params={"allocation_notice_number": "XYZ-1"})
    assert "kein Haushalt in Ihrer Betreuung" in error_next_to(unknown, "allocation_notice_number")

    page = await caseworker.get(page_path)
    assert page.status_code == 200
    assert "Noch keine Arbeitserlaubnis erfasst." in page.text
    assert "Keine Einwilligung: das Jobcenter erhält sie nicht" in page.text
    token = form_token(page)

    # No permit yet: the start is refused at its day.
    start = {
        "csrf_token": token,
        "started_on": "02.11.2026",
        "employer_category": "care",
        "hours_per_week": "19,5",
    }
    refused = await caseworker.post(f"{page_path}/beschaeftigung", data=start)
    assert refused.status_code == 422
    assert "Bitte erfassen Sie zuerst die Arbeitserlaubnis" in error_next_to(refused, "started_on")
    assert 'value="19,5"' in refused.text  # what was typed stays

    wrong = await caseworker.post(
        f"{page_path}/erlaubnis", data={"csrf_token": token, "status": "", "valid_until": "31.2."}
    )
    assert wrong.status_code == 422
    assert error_next_to(wrong, "status")
    assert error_next_to(wrong, "valid_until")

    for status in ("not_permitted", "permitted"):
        recorded = await caseworker.post(
            f"{page_path}/erlaubnis",
            data={"csrf_token": token, "status": status, "valid_until": "30.06.2027"},
        )
        assert recorded.status_code == 303, recorded.text
    shown = await caseworker.get(recorded.headers["location"])
    assert flashed(shown) == "Die Arbeitserlaubnis ist erfasst."
    history = re.search(r'<table[^>]*id="permit-history">(.*?)</table>', shown.text, re.S)
    assert history
    assert history.group(1).index("Erwerbstätigkeit gestattet") < history.group(1).index(
        "Beschäftigungsverbot"
    )  # newest first

    too_long = await caseworker.post(
        f"{page_path}/beschaeftigung", data={**start, "hours_per_week": "80"}
    )
    assert too_long.status_code == 422
    assert error_next_to(too_long, "hours_per_week")
    started = await caseworker.post(f"{page_path}/beschaeftigung", data=start)
    assert started.status_code == 303, started.text
    shown = await caseworker.get(started.headers["location"])
    assert flashed(shown) == "Der Beginn der Beschäftigung ist erfasst."
    assert "Pflege und Gesundheit" in shown.text

    early = await caseworker.post(
        f"{page_path}/beschaeftigung-ende",
        data={"csrf_token": token, "ended_on": "01.10.2026", "reason": "resigned"},
    )
    assert early.status_code == 422
    assert "nicht vor dem Beginn" in error_next_to(early, "ended_on")

    listed = await caseworker.get("/ui/arbeit")
    assert f'data-member="{member}"' in listed.text

    handed = await caseworker.post(
        f"{page_path}/jobcenter", data={"csrf_token": token, "handed_over_on": "03.11.2026"}
    )
    assert handed.status_code == 303
    shown = await caseworker.get(handed.headers["location"])
    assert 'data-consent="none"' in shown.text
    await grant_jobcenter_consent(courses_database, family)
    shown = await caseworker.get(page_path)
    assert "Einwilligung liegt vor: das Jobcenter erhält die Übergabe" in shown.text
    assert 'data-consent="given"' in shown.text

    ended = await caseworker.post(
        f"{page_path}/beschaeftigung-ende",
        data={"csrf_token": token, "ended_on": "30.11.2026", "reason": "contract_ended"},
    )
    assert ended.status_code == 303
    shown = await caseworker.get(ended.headers["location"])
    assert "Vertrag ausgelaufen" in shown.text


async def test_a_person_out_of_care_is_not_found(
    caseworker: httpx.AsyncClient, courses_database: str
) -> None:
    family = await team_household(courses_database, "Soziale Betreuung Süd", AgeGroup.ADULT)
    path = f"/ui/arbeit/personen/{family.members[0].member_id}"
    assert (await caseworker.get(path)).status_code == 404
    page = await caseworker.get("/ui/arbeit")
    posted = await caseworker.post(
        f"{path}/jobcenter", data={"csrf_token": form_token(page), "handed_over_on": "03.11.2026"}
    )
    assert posted.status_code == 404


async def test_a_coordinator_reaches_a_participants_work_from_the_course(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity, kind="job_readiness", seats=3)
    family = await team_household(courses_database, TEST_TEAM, AgeGroup.ADULT)
    member = family.members[0].member_id
    enrolled = await courses.post(
        f"/courses/{course['id']}/enrollments",
        json={"member_id": str(member)},
        headers=auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra"),
    )
    assert enrolled.status_code == 201
    detail = await coordinator.get(f"/ui/kurse/{course['id']}")
    assert f'href="/ui/arbeit/personen/{member}"' in detail.text
    page = await coordinator.get(f"/ui/arbeit/personen/{member}")
    assert page.status_code == 200
    assert "Arbeit: Person 1, Haushalt" in page.text


async def test_the_api_gives_a_persons_work_record_in_scope_only(
    courses: httpx.AsyncClient, identity: RunningDevProvider, courses_database: str
) -> None:
    family = await team_household(courses_database, TEST_TEAM, AgeGroup.ADULT)
    member = str(family.members[0].member_id)
    mine = auth_headers(identity, Role.CASEWORKER, subject="cw-api", teams=(TEST_TEAM,))
    other = auth_headers(identity, Role.CASEWORKER, subject="cw-api2", teams=("team-süd",))
    for status in ("unknown", "permitted_with_approval"):
        put = await courses.put(
            "/work/permits", json={"member_id": member, "status": status}, headers=mine
        )
        assert put.status_code == 200
    record = await courses.get(f"/work/persons/{member}", headers=mine)
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["permit"]["status"] == "permitted_with_approval"
    assert [c["status"] for c in body["permit_history"]] == ["permitted_with_approval", "unknown"]
    assert body["consent"] == "none"
    assert (await courses.get(f"/work/persons/{member}", headers=other)).status_code == 404
    listed = await courses.get("/work/persons", headers=mine)
    assert listed.status_code == 200
    assert member not in {p["member_id"] for p in listed.json()}  # not in work
