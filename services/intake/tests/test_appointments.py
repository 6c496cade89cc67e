"""Appointments: made for a time ahead with a place and an interpreter's language, listed
for the household and on the caseworker's start page for this week, cancelled on record."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from intake import domain
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_api import allocation
from .test_pages import notice, register

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


async def test_an_appointment_is_made_listed_and_cancelled_within_the_team(
    intake: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    anna = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    created = await intake.post("/households", json=allocation(), headers=anna)
    household = created.json()
    path = f"/households/{household['id']}/appointments"
    ahead = (today() + timedelta(days=7)).isoformat()
    made = await intake.post(
        path,
        json={
            "starts_at": f"{ahead}T09:30:00+01:00",
            "place": "Sozialamt, Zimmer 12",
            "member_id": household["members"][0]["id"],
            "interpreter_language": "ar",
        },
        headers=anna,
    )
    assert made.status_code == 201, made.text
    assert made.json()["caseworker"] == "cw-anna"
    past = await intake.post(
        path,
        json={"starts_at": "2020-01-01T09:00:00+01:00", "place": "", "interpreter_language": "x"},
        headers=anna,
    )
    assert past.status_code == 422
    assert sorted(e["field"] for e in past.json()["errors"]) == ["interpreter_language", "place"]
    cancelled = await intake.post(f"{path}/{made.json()['id']}/cancellation", headers=anna)
    assert cancelled.status_code == 200
    again = await intake.post(f"{path}/{made.json()['id']}/cancellation", headers=anna)
    assert again.status_code == 409
    [listed] = (await intake.get(path, headers=anna)).json()
    assert listed["cancelled_at"] is not None
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    assert (await intake.get(path, headers=south)).status_code == 404


async def test_the_start_page_lists_my_appointments_of_this_week(
    intake: httpx.AsyncClient,
) -> None:
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject=f"paula-{id(browser)}", roles=[Role.CASEWORKER])
        household = (await register(browser, notice())).headers["location"]
        page = await browser.get(f"{household}/termine")
        token = form_token(page)
        refused = await browser.post(
            f"{household}/termine",
            data={"csrf_token": token, "day": "", "time": "25:00", "place": ""},
        )
        assert refused.status_code == 422
        assert error_next_to(refused, "time").startswith("Bitte geben Sie die Uhrzeit")
        assert error_next_to(refused, "place") == "Bitte füllen Sie dieses Feld aus."
        day = domain.week_end(today())
        made = await browser.post(
            f"{household}/termine",
            data={
                "csrf_token": token,
                "day": day.strftime("%d.%m.%Y"),
                "time": "23:30",
                "place": "Rathaus, Raum 3",
                "member_id": "",
                "interpreter_language": "fa",
            },
        )
        assert made.status_code == 303, made.text
        listed = await browser.get(made.headers["location"])
        assert "Der Termin ist vereinbart." in listed.text
        start = await browser.get("/ui/")
        assert "Meine Termine diese Woche (1)" in start.text
        assert "Rathaus, Raum 3" in start.text
        [cancel] = re.findall(r'action="([^"]+/absagen)"', listed.text)
        assert (await browser.post(cancel, data={"csrf_token": token})).status_code == 303
        assert "Meine Termine diese Woche (0)" in (await browser.get("/ui/")).text
