"""The pages of a course's progress: its sessions and the attendance at each, in German."""

from __future__ import annotations

import re

import httpx
from teilhabe.auth import Role
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import staged_events
from .test_pages import browser, coordinator, flashed, household, new_course

__all__ = ["browser", "coordinator"]  # fixtures, re-exported for pytest


async def test_coordinator_plans_sessions_and_records_attendance(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity, seats=2)
    family = await household(courses_database, AgeGroup.ADULT, AgeGroup.ADULT)
    headers = auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra")
    for member in family.members:
        enrolled = await courses.post(
            f"/courses/{course['id']}/enrollments",
            json={"member_id": str(member.member_id)},
            headers=headers,
        )
        assert enrolled.status_code == 201, enrolled.text

    detail = await coordinator.get(f"/ui/kurse/{course['id']}")
    assert f'href="/ui/kurse/{course["id"]}/termine">Termine und Anwesenheit</a>' in detail.text
    page = await coordinator.get(f"/ui/kurse/{course['id']}/termine")
    assert page.status_code == 200
    assert "Noch ist kein Termin geplant." in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"csrf_token": token.group(1), "day": "07.12.2026", "topic": "Lektion 1"}

    wrong = await coordinator.post(
        f"/ui/kurse/{course['id']}/termine", data={**form, "starts_at": "8 Uhr", "ends_at": ""}
    )
    assert wrong.status_code == 422
    assert "Bitte geben Sie eine Uhrzeit in Stunden und Minuten ein" in wrong.text
    assert "Bitte füllen Sie dieses Feld aus." in wrong.text
    assert 'value="Lektion 1"' in wrong.text  # what was typed stays
    backwards = await coordinator.post(
        f"/ui/kurse/{course['id']}/termine", data={**form, "starts_at": "12:00", "ends_at": "8:00"}
    )
    assert backwards.status_code == 422
    assert "Ein Termin endet nach seinem Beginn." in backwards.text

    added = await coordinator.post(
        f"/ui/kurse/{course['id']}/termine", data={**form, "starts_at": "8:30", "ends_at": "12:45"}
    )
    assert added.status_code == 303
    listed = await coordinator.get(added.headers["location"])
    assert flashed(listed) == "Der Termin ist angelegt."
    assert "08:30–12:45" in listed.text  # in the city's time, whatever the server's zone
    link = re.search(r'href="(/ui/termine/[^"]+)"', listed.text)
    assert link

    sheet = await coordinator.get(link.group(1))
    assert sheet.status_code == 200
    fields = re.findall(r'<select [^>]*name="(attendance-[^"]+)"', sheet.text)
    assert len(fields) == 2
    assert f"Person 1, Haushalt {family.allocation_notice_number}" in sheet.text

    nothing = await coordinator.post(link.group(1), data={"csrf_token": token.group(1)})
    assert nothing.status_code == 422
    assert "Bitte wählen Sie die Anwesenheit mindestens einer teilnehmenden Person." in nothing.text

    recorded = await coordinator.post(
        link.group(1),
        data={"csrf_token": token.group(1), fields[0]: "present", fields[1]: "excused"},
    )
    assert recorded.status_code == 303
    back = await coordinator.get(recorded.headers["location"])
    assert flashed(back) == "Die Anwesenheit ist erfasst."
    again = await coordinator.get(link.group(1))
    assert '<option value="excused" selected>entschuldigt</option>' in again.text

    events = await staged_events(courses_database, course["id"])
    assert sorted(d["attendance"] for t, d in events if t == "course.attendance_recorded") == [
        "excused",
        "present",
    ]


async def test_coordinator_records_a_completion_with_its_result(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity, seats=1)
    family = await household(courses_database, AgeGroup.ADULT)
    headers = auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra")
    enrolled = await courses.post(
        f"/courses/{course['id']}/enrollments",
        json={"member_id": str(family.members[0].member_id)},
        headers=headers,
    )
    detail = await coordinator.get(f"/ui/kurse/{course['id']}")
    url = f"/ui/anmeldungen/{enrolled.json()['id']}/abschluss"
    assert f'href="{url}">Abschließen' in detail.text
    page = await coordinator.get(url)
    assert f"Person 1, Haushalt {family.allocation_notice_number}" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token

    done = await coordinator.post(url, data={"csrf_token": token.group(1), "result": "B1"})
    assert done.status_code == 303
    after = await coordinator.get(done.headers["location"])
    assert flashed(after) == "Der Abschluss ist erfasst."
    # Completed participants stay on the course's page, with their result.
    completed = re.search(r'<table[^>]*id="completed".*?</table>', after.text, re.S)
    assert completed, "a table of those who completed"
    assert family.allocation_notice_number in completed.group(0)
    assert ">B1<" in completed.group(0)
    twice = await coordinator.post(url, data={"csrf_token": token.group(1), "result": "B1"})
    assert twice.status_code == 422
    assert "Diese Person hat das Angebot bereits abgeschlossen." in twice.text
    assert 'value="B1"' in twice.text

    events = await staged_events(courses_database, course["id"])
    assert [d["result"] for t, d in events if t == "course.completed"] == ["B1"]
