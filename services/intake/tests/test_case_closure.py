"""Closing a case through the API: the § 12a check, once only, the event, the reminders
stopped; the residence obligation recorded and lifted; an allocation's school-duty and
integration-course follow-ups and school-place requests."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
from intake.models import Appointment, FollowUp, Referral, ResidenceObligation, messaging
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_api import allocation

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


def ui_date(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d.%m.%Y}"


async def test_a_case_closes_once_and_not_as_moved_away_while_bound_to_the_city(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-close", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}"
    member = household["members"][0]["id"]
    ends = today() + timedelta(days=30)

    recorded = await intake.put(
        f"{path}/members/{member}/residence-obligation",
        json={"bound_until": ends.isoformat(), "recognised_on": "2024-06-01"},
        headers=me,
    )
    assert recorded.status_code == 200, recorded.text
    too_long = await intake.put(
        f"{path}/members/{member}/residence-obligation",
        json={"bound_until": "2028-01-01", "recognised_on": "2024-06-01"},
        headers=me,
    )
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["bound_until"]
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    assert (await intake.get(f"{path}/residence-obligations", headers=south)).status_code == 404
    [listed] = (await intake.get(f"{path}/residence-obligations", headers=me)).json()
    assert listed["bound_until"] == ends.isoformat()

    closing = {"reason": "moved_away", "closed_on": today().isoformat()}
    refused = await intake.post(f"{path}/closure", json=closing, headers=me)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    assert (await intake.post(f"{path}/closure", json=closing, headers=south)).status_code == 404
    ahead = await intake.post(
        f"{path}/closure",
        json={"reason": "other", "closed_on": (today() + timedelta(days=1)).isoformat()},
        headers=me,
    )
    assert ahead.status_code == 422

    lifted = await intake.post(
        f"{path}/members/{member}/residence-obligation/lifting",
        json={"lifted_on": today().isoformat(), "reason": "training"},
        headers=me,
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lift_reason"] == "training"
    closed = await intake.post(f"{path}/closure", json=closing, headers=me)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closure_reason"] == "moved_away"
    again = await intake.post(f"{path}/closure", json=closing, headers=me)
    assert again.status_code == 422

    outbox, timers = messaging.outbox, messaging.timers
    async with sessions() as session:
        events = [
            json.loads(body)
            for body in await session.scalars(
                select(outbox.c.body).where(outbox.c.event_type == "household.case_closed")
            )
        ]
        pending = set(
            await session.scalars(
                select(timers.c.kind).where(
                    timers.c.key.in_([m["id"] for m in household["members"]])
                )
            )
        )
    closures = [e for e in events if e["data"]["household_id"] == household["id"]]
    assert [c["data"]["reason"] for c in closures] == ["moved_away"]
    assert "Haddad" not in str(closures)
    assert pending == set(), "no reminders for a closed case"


async def test_an_allocation_starts_school_duty_and_integration_course_follow_ups(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-arrival", teams=(NORTH,))
    body = allocation()
    body["members"][0]["residence_status"] = "aufenthaltserlaubnis"
    household = (await intake.post("/households", json=body, headers=me)).json()
    adult, child = (m["id"] for m in household["members"])
    async with sessions() as session:
        follow_ups = {
            f.member_id.hex: f
            for f in await session.scalars(
                select(FollowUp).where(FollowUp.household_id == household["id"])
            )
        }
        outbox = messaging.outbox
        requests = [
            event["data"]
            for event in (
                json.loads(body)
                for body in await session.scalars(
                    select(outbox.c.body).where(outbox.c.event_type == "school_place.requested")
                )
            )
            if event["data"]["household_id"] == household["id"]
        ]
    school = follow_ups[child.replace("-", "")]
    assert "§ 34 Abs. 6 SchulG NRW" in school.reason
    assert school.assignee == "cw-arrival"
    assert school.due_on == today() + timedelta(days=7)
    assert "verpflichtet" in follow_ups[adult.replace("-", "")].reason
    [request] = requests
    assert request["member_id"] == child
    assert request["languages"] == ["ar"]
    assert "Yusuf" not in str(request)


async def test_a_closed_case_takes_nothing_new_and_its_open_follow_ups_are_done(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-closed", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}"
    member = household["members"][0]["id"]
    due = (today() + timedelta(days=3)).isoformat()
    set_ = await intake.post(
        f"{path}/follow-ups", json={"due_on": due, "reason": "Schulanmeldung"}, headers=me
    )
    assert set_.status_code == 201, set_.text
    follow_up = set_.json()["id"]

    closed = await intake.post(
        f"{path}/closure",
        json={"reason": "naturalised", "closed_on": today().isoformat()},
        headers=me,
    )
    assert closed.status_code == 200, closed.text

    # Every open follow-up (the one set here, those the allocation started) is done, as
    # the case closed, and none of them reminds anyone any more.
    listed = (await intake.get(f"{path}/follow-ups", headers=me)).json()
    assert listed
    assert {f["done_on"] for f in listed} == {today().isoformat()}
    assert {f["done_reason"] for f in listed} == {"case_closed"}
    assert {f["done_by"] for f in listed} == {"cw-closed"}
    async with sessions() as session:
        pending = list(
            await session.scalars(
                select(messaging.timers.c.key).where(
                    messaging.timers.c.key.in_([f["id"] for f in listed])
                )
            )
        )
    assert follow_up in {f["id"] for f in listed}
    assert pending == []

    # Nothing new for the household or its members: the same refusal for each.
    ahead = (today() + timedelta(days=7)).isoformat()
    attempts = [
        (f"{path}/follow-ups", {"due_on": due, "reason": "Nachfrage"}),
        (f"{path}/appointments", {"starts_at": f"{ahead}T09:30:00+01:00", "place": "Rathaus"}),
        (f"{path}/referrals", {"member_id": member, "target": "doctor", "purpose": "Impfung"}),
    ]
    for url, body in attempts:
        refused = await intake.post(url, json=body, headers=me)
        assert refused.status_code == 409, (url, refused.text)
        assert refused.json()["detail"] == "the case is closed"
        assert refused.json()["type"] == "urn:teilhabe:problem:case-closed"
    obligation = await intake.put(
        f"{path}/members/{member}/residence-obligation",
        json={"bound_until": ahead, "recognised_on": "2024-06-01"},
        headers=me,
    )
    assert obligation.status_code == 409
    assert obligation.json()["detail"] == "the case is closed"
    # Out of scope it stays not found, closed or not.
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    other = await intake.post(f"{path}/follow-ups", json=attempts[0][1], headers=south)
    assert other.status_code == 404
    async with sessions() as session:
        counts = [
            await session.scalar(select(func.count()).where(model.household_id == household["id"]))
            for model in (Appointment, Referral, ResidenceObligation)
        ]
    assert counts == [0, 0, 0]

    # The staff pages go through the same use cases and say so in German.
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="cw-closed", roles=[Role.CASEWORKER], teams=[NORTH])
        page = await browser.get(f"/ui/haushalte/{household['id']}/wiedervorlagen")
        assert "da der Fall abgeschlossen wurde" in page.text
        refused_page = await browser.post(
            f"/ui/haushalte/{household['id']}/wiedervorlagen",
            data={"csrf_token": form_token(page), "due_on": ui_date(due), "reason": "Nachfrage"},
        )
        assert refused_page.status_code == 422
        assert "Der Fall ist abgeschlossen: Es kann nichts" in refused_page.text
