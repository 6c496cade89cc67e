"""Referrals: a member referred to an agency or service with a purpose; sent, accepted or
declined, done; each step an event without the purpose; the page refers and records."""

from __future__ import annotations

import json
import re

import httpx
from intake.models import messaging
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_api import allocation
from .test_pages import notice, register

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"
PURPOSE = "Arbeitsuchendmeldung, Termin mit Frau K. vereinbaren"


async def test_a_referral_goes_from_sent_to_accepted_to_done_as_events_without_its_purpose(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = auth_headers(identity, Role.CASEWORKER, subject="cw-ref", teams=(NORTH,))
    household = (await intake.post("/households", json=allocation(), headers=me)).json()
    path = f"/households/{household['id']}/referrals"
    member = household["members"][0]["id"]
    sent = await intake.post(
        path,
        json={"member_id": member, "target": "jobcenter", "purpose": PURPOSE, "agency": "jc-test"},
        headers=me,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["state"] == "sent"
    referral = sent.json()["id"]
    # An agency the city does not know (not in CONSENT_AGENCIES): refused at its field,
    # with every other problem in the same round.
    unknown = await intake.post(
        path,
        json={"member_id": member, "target": "jobcenter", "purpose": PURPOSE, "agency": "jc-x"},
        headers=me,
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["agency"]
    assert unknown.json()["errors"][0]["message"] == "not a partner agency known to the city"
    stranger = await intake.post(
        path,
        json={"member_id": household["id"], "target": "school", "purpose": "x", "agency": "jc-x"},
        headers=me,
    )
    assert sorted(e["field"] for e in stranger.json()["errors"]) == ["agency", "member_id"]
    bad = await intake.post(
        path, json={"member_id": member, "target": "astrologer", "purpose": ""}, headers=me
    )
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["purpose", "target"]
    skipping = await intake.post(f"{path}/{referral}/state", json={"state": "done"}, headers=me)
    assert skipping.status_code == 409
    for state in ("accepted", "done"):
        step = await intake.post(f"{path}/{referral}/state", json={"state": state}, headers=me)
        assert step.status_code == 200, step.text
    finished = await intake.post(f"{path}/{referral}/state", json={"state": "declined"}, headers=me)
    assert finished.status_code == 409
    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    assert (await intake.get(path, headers=south)).status_code == 404
    [listed] = (await intake.get(path, headers=me)).json()
    assert listed["state"] == "done"

    outbox = messaging.outbox
    async with sessions() as session:
        bodies = [
            json.loads(body)
            for body in await session.scalars(
                select(outbox.c.body)
                .where(outbox.c.event_type.like("referral.%"))
                .order_by(outbox.c.id)
            )
        ]
    mine = [b for b in bodies if b["data"]["referral_id"] == referral]
    assert [b["type"] for b in mine] == [
        "referral.sent",
        "referral.state_changed",
        "referral.state_changed",
    ]
    assert mine[0]["data"]["agency"] == "jc-test"
    assert mine[0]["data"]["member_id"] == member
    assert "Arbeitsuchend" not in json.dumps(mine)


async def test_the_referrals_page_refers_and_records_the_answer(
    intake: httpx.AsyncClient,
) -> None:
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject=f"ref-{id(browser)}", roles=[Role.CASEWORKER])
        household = (await register(browser, notice())).headers["location"]
        page = await browser.get(f"{household}/vermittlungen")
        assert page.status_code == 200
        token = form_token(page)
        refused = await browser.post(
            f"{household}/vermittlungen", data={"csrf_token": token, "purpose": ""}
        )
        assert refused.status_code == 422
        assert error_next_to(refused, "purpose") == "Bitte füllen Sie dieses Feld aus."
        [member] = re.findall(r'<option value="([0-9a-f-]{36})"', page.text)[:1]
        unknown = await browser.post(
            f"{household}/vermittlungen",
            data={
                "csrf_token": token,
                "member_id": member,
                "target": "jobcenter",
                "purpose": "Arbeitsuchendmeldung",
                "agency": "Jobcenter-Irgendwo",
            },
        )
        assert unknown.status_code == 422
        assert (
            error_next_to(unknown, "agency") == "Diese Partnerbehörde ist der Stadt nicht bekannt."
        )
        made = await browser.post(
            f"{household}/vermittlungen",
            data={
                "csrf_token": token,
                "member_id": member,
                "target": "migration_counselling",
                "purpose": "Beratung zum Familiennachzug",
                "agency": "",
            },
        )
        assert made.status_code == 303, made.text
        listed = await browser.get(made.headers["location"])
        assert "Die Vermittlung ist gesendet." in listed.text
        assert "Migrationsberatung" in listed.text
        [accept, _decline] = re.findall(r'action="([^"]+/status)"', listed.text)
        answered = await browser.post(accept, data={"csrf_token": token, "state": "accepted"})
        assert answered.status_code == 303
        assert "angenommen" in (await browser.get(made.headers["location"])).text
