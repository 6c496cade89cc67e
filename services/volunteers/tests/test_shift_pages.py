"""The shifts and help requests pages in-process: what coordinators, caseworkers and
volunteers see and do there, in German."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_pages import german, record_clearance, register, unique


@pytest.fixture
async def coordinator(volunteers: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(volunteers.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="ines", roles=[Role.VOLUNTEER_COORDINATOR])
        yield client


async def volunteer_browser(
    volunteers: httpx.AsyncClient, coordinator: httpx.AsyncClient, **overrides: object
) -> tuple[str, Any, str]:
    subject = f"vol-{unique()}"
    detail, _ = await register(coordinator, subject=subject, **overrides)
    return detail, tool_client(volunteers.app), subject  # type: ignore[attr-defined]


async def plan(coordinator: httpx.AsyncClient, *, children: bool, slots: str = "1") -> str:
    board = await coordinator.get("/ui/schichten")
    name = f"Begegnungscafé {unique()}"
    added = await coordinator.post(
        "/ui/schichten/einrichtungen",
        data={"csrf_token": form_token(board), "name": name, "kind": "cafe", "address": ""},
    )
    assert added.status_code == 303, added.text
    board = await coordinator.get("/ui/schichten")
    facility = re.search(rf'<option value="([^"]+)"[^>]*>{name}</option>', board.text)
    assert facility
    data = {
        "csrf_token": form_token(board),
        "facility_id": facility.group(1),
        "title": f"Kinderbetreuung {unique()}" if children else f"Theke {unique()}",
        "day": german(today() + timedelta(days=5)),
        "starts": "15:00",
        "ends": "18:00",
        "slots": slots,
    }
    if children:
        data["needs_clearance"] = "on"
    planned = await coordinator.post("/ui/schichten", data=data)
    assert planned.status_code == 303, planned.text
    return str(planned.headers["location"])


async def test_a_volunteer_takes_a_slot_on_the_board_and_a_coordinator_sees_who(
    volunteers: httpx.AsyncClient, coordinator: httpx.AsyncClient
) -> None:
    shift = await plan(coordinator, children=True)
    shown = await coordinator.get(shift)
    assert "Niemand hat sich bisher eingetragen." in shown.text

    _, uncleared_client, uncleared = await volunteer_browser(volunteers, coordinator)
    cleared_detail, cleared_client, cleared = await volunteer_browser(volunteers, coordinator)
    assert (await record_clearance(coordinator, cleared_detail)).status_code == 303
    async with uncleared_client as client:
        await sign_in(client, subject=uncleared, roles=[Role.VOLUNTEER])
        board = await client.get("/ui/schichten")
        assert shift in board.text
        page = await client.get(shift)
        refused = await client.post(f"{shift}/eintragen", data={"csrf_token": form_token(page)})
        assert refused.status_code == 409
        assert "erweitertes Führungszeugnis" in refused.text
    async with cleared_client as client:
        await sign_in(client, subject=cleared, roles=[Role.VOLUNTEER])
        page = await client.get(shift)
        taken = await client.post(f"{shift}/eintragen", data={"csrf_token": form_token(page)})
        assert taken.status_code == 303, taken.text
        page = await client.get(shift)
        assert "Sie sind eingetragen" in page.text
        assert "1 / 1" in page.text
    coordinator_view = await coordinator.get(shift)
    name = (await coordinator.get(cleared_detail)).text
    found = re.search(r'<h1 class="kern-heading-large">([^<]+)</h1>', name)
    assert found
    assert found.group(1) in coordinator_view.text
    cancelled = await coordinator.post(
        f"{shift}/absagen", data={"csrf_token": form_token(coordinator_view)}
    )
    assert cancelled.status_code == 303
    assert "abgesagt" in (await coordinator.get(shift)).text


async def test_planning_errors_are_german_next_to_the_field(
    coordinator: httpx.AsyncClient,
) -> None:
    await plan(coordinator, children=False)  # a facility to choose
    board = await coordinator.get("/ui/schichten")
    response = await coordinator.post(
        "/ui/schichten",
        data={
            "csrf_token": form_token(board),
            "facility_id": "",
            "title": "Theke",
            "day": german(today() + timedelta(days=2)),
            "starts": "25:00",
            "ends": "18:00",
            "slots": "3",
        },
    )
    assert response.status_code == 422
    assert "Bitte wählen Sie" in error_next_to(response, "facility_id")
    assert "HH:MM" in error_next_to(response, "starts")


async def test_a_caseworker_asks_for_help_and_a_matching_volunteer_takes_it(
    volunteers: httpx.AsyncClient, coordinator: httpx.AsyncClient
) -> None:
    skill = f"Dolmetschen{uuid.uuid4().hex[:6]}"
    day = today() + timedelta(days=3)
    _, helper_client, helper = await volunteer_browser(
        volunteers,
        coordinator,
        languages="ar",
        skills=skill,
        available_weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    )
    async with tool_client(volunteers.app) as caseworker:  # type: ignore[attr-defined]
        await sign_in(caseworker, subject=f"cw-{unique()}", roles=[Role.CASEWORKER])
        page = await caseworker.get("/ui/hilfeanfragen")
        assert page.status_code == 200
        asked = await caseworker.post(
            "/ui/hilfeanfragen",
            data={
                "csrf_token": form_token(page),
                "title": "Dolmetschen beim Jobcenter",
                "place": "Jobcenter Dülmen",
                "language": "ar",
                "skill": skill,
                "day": german(day),
                "starts": "10:00",
                "ends": "11:00",
            },
        )
        assert asked.status_code == 303, asked.text
        assert "1 passende Ehrenamtliche" in (await caseworker.get("/ui/hilfeanfragen")).text
        async with helper_client as client:
            await sign_in(client, subject=helper, roles=[Role.VOLUNTEER])
            mine = await client.get("/ui/hilfeanfragen")
            accept = re.search(r'action="([^"]+/annehmen)"', mine.text)
            assert accept
            taken = await client.post(accept.group(1), data={"csrf_token": form_token(mine)})
            assert taken.status_code == 303, taken.text
            assert "von Ihnen übernommen" in (await client.get("/ui/hilfeanfragen")).text
        listed = await caseworker.get("/ui/hilfeanfragen")
        assert "übernommen von" in listed.text
        # No longer needed: who asked withdraws it, once.
        withdraw = re.search(r'action="([^"]+/zurueckziehen)"', listed.text)
        assert withdraw
        assert "Zurückziehen" in listed.text
        withdrawn = await caseworker.post(
            withdraw.group(1), data={"csrf_token": form_token(listed)}
        )
        assert withdrawn.status_code == 303, withdrawn.text
        after = await caseworker.get("/ui/hilfeanfragen")
        assert "Die Anfrage ist zurückgezogen." in after.text
        assert "/zurueckziehen" not in after.text
        again = await caseworker.post(withdraw.group(1), data={"csrf_token": form_token(after)})
        assert again.status_code == 409
        assert "bereits zurückgezogen" in again.text
