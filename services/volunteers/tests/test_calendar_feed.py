"""A volunteer's calendar feed: their shifts and the help requests they took, as
iCalendar at a secret address of their own; nothing about anyone else."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_help_requests import interpreting
from .test_shifts import planned_shift, registered_volunteer


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coord-ines")


async def test_the_feed_holds_my_shifts_and_requests_and_nothing_of_anyone_else(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], identity: RunningDevProvider
) -> None:
    skill = f"Begleitung {uuid.uuid4().hex[:6]}"
    me, my_headers = await registered_volunteer(
        volunteers,
        coordinator,
        identity,
        languages=["ar"],
        skills=[skill],
        available_weekdays=["tue"],
    )
    other, other_headers = await registered_volunteer(volunteers, coordinator, identity)
    kept = await planned_shift(volunteers, coordinator, slots=3)
    called_off = await planned_shift(volunteers, coordinator, slots=3, days_ahead=4)
    not_mine = await planned_shift(volunteers, coordinator, slots=3, days_ahead=5)
    for shift in (kept, called_off):
        for headers in (my_headers, other_headers):
            signed = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=headers)
            assert signed.status_code == 200, signed.text
    signed = await volunteers.post(f"/shifts/{not_mine['id']}/signup", headers=other_headers)
    assert signed.status_code == 200
    assert (
        await volunteers.post(f"/shifts/{called_off['id']}/cancel", headers=coordinator)
    ).is_success
    asked = await volunteers.post("/help-requests", json=interpreting(skill), headers=coordinator)
    taken = await volunteers.post(f"/help-requests/{asked.json()['id']}/accept", headers=my_headers)
    assert taken.status_code == 200, taken.text

    issued = await volunteers.post("/volunteers/me/calendar", headers=my_headers)
    assert issued.status_code == 200, issued.text
    path = urlsplit(issued.json()["url"]).path
    assert path.startswith("/kalender/")
    response = await volunteers.get(path)  # a calendar app sends no token but the address
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")

    calendar = Calendar.from_ical(response.content)
    entries = {
        str(event["UID"]): (str(event["SUMMARY"]), str(event["STATUS"]), event.decoded("DTSTART"))
        for event in calendar.walk("VEVENT")
    }
    assert set(entries) == {
        f"shift-{kept['id']}@teilhabe",
        f"shift-{called_off['id']}@teilhabe",
        f"help-request-{asked.json()['id']}@teilhabe",
    }
    assert entries[f"shift-{called_off['id']}@teilhabe"][1] == "CANCELLED"
    assert entries[f"shift-{kept['id']}@teilhabe"][0] == f"Schicht: {kept['title']}"
    assert entries[f"help-request-{asked.json()['id']}@teilhabe"][0] == (
        "Einsatz: Dolmetschen beim Termin im Jobcenter"
    )
    body = response.content.decode()
    for secret in (other["display_name"], other["email"], me["email"], other["phone"]):
        assert secret not in body

    # Someone else's address is not mine; a new address ends the old one; ending it ends it.
    again = await volunteers.post("/volunteers/me/calendar", headers=my_headers)
    assert (await volunteers.get(path)).status_code == 404
    new_path = urlsplit(again.json()["url"]).path
    assert (await volunteers.get(new_path)).status_code == 200
    ended = await volunteers.delete("/volunteers/me/calendar", headers=my_headers)
    assert ended.status_code == 204
    assert (await volunteers.get(new_path)).status_code == 404
    assert (await volunteers.get("/kalender/guessed.ics")).status_code == 404
