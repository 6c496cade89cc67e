"""Follow-ups (Wiedervorlagen): set for a household, on the caseworker's due list
(overdue, today, this week) and start page, reminded on their day by a durable timer
(follow_up.due), off the list and unreminded once done."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from intake import domain
from intake.followups import FOLLOW_UP_DUE
from intake.service import REMINDER_TIME
from intake.timers import TIMERS
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import on_day, today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.timers import DueTimer
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_api import allocation
from .test_pages import notice, register

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


@pytest.fixture
async def follow_up_sessions(
    intake_database: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(intake_database, pool_size=2)
    yield create_session_factory(engine)
    await engine.dispose()


async def sql(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def household(intake: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    created = await intake.post("/households", json=allocation(), headers=headers)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_the_due_list_groups_overdue_today_and_this_week_and_done_leaves_it(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    subject = f"cw-{id(object())}"
    anna = auth_headers(identity, Role.CASEWORKER, subject=subject, teams=(NORTH,))
    found = await household(intake, anna)
    path = f"/households/{found['id']}/follow-ups"
    day = today()
    made = {}
    for name, due_on in (("old", day), ("today", day), ("week", domain.week_end(day))):
        response = await intake.post(
            path, json={"due_on": due_on.isoformat(), "reason": f"Schule {name}"}, headers=anna
        )
        assert response.status_code == 201, response.text
        made[name] = response.json()["id"]
    await sql(
        intake_database,
        "UPDATE follow_up SET due_on = due_on - 3 WHERE id = $1",
        made["old"],
    )
    past = await intake.post(
        path,
        json={"due_on": (day - timedelta(days=1)).isoformat(), "reason": "zu spät"},
        headers=anna,
    )
    assert past.status_code == 422
    assert [e["field"] for e in past.json()["errors"]] == ["due_on"]

    listed = (await intake.get("/follow-ups/due", headers=anna)).json()
    assert [i["reason"] for i in listed["overdue"]] == ["Schule old"]
    # On a Sunday the week ends today: "this week" is then due today.
    if domain.week_end(day) == day:
        assert [i["reason"] for i in listed["today"]] == ["Schule today", "Schule week"]
        made["today"] = made["week"]  # leave one to be done below
    else:
        assert [i["reason"] for i in listed["today"]] == ["Schule today"]
        assert [i["reason"] for i in listed["this_week"]] == ["Schule week"]
    assert listed["today"][0]["allocation_notice_number"] == found["allocation_notice_number"]

    done = await intake.post(f"{path}/{made['today']}/done", headers=anna)
    assert done.status_code == 200, done.text
    again = await intake.post(f"{path}/{made['today']}/done", headers=anna)
    assert again.status_code == 409
    still = (await intake.get("/follow-ups/due", headers=anna)).json()
    assert made["today"] not in [i["id"] for group in still.values() for i in group]
    assert (
        await sql(
            intake_database,
            "SELECT 1 FROM timer WHERE kind = $1 AND key = $2",
            FOLLOW_UP_DUE,
            made["today"],
        )
        == []
    )

    south = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=(SOUTH,))
    assert (await intake.get(path, headers=south)).status_code == 404
    assert (await intake.post(f"{path}/{made['week']}/done", headers=south)).status_code == 404
    assert (await intake.get("/follow-ups/due", headers=south)).json()["overdue"] == []


async def test_the_reminder_fires_on_the_day_for_the_assignee_unless_done_or_moved(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
    follow_up_sessions: async_sessionmaker[AsyncSession],
) -> None:
    anna = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    found = await household(intake, anna)
    due_on = today() + timedelta(days=3)
    set_ = await intake.post(
        f"/households/{found['id']}/follow-ups",
        json={"due_on": due_on.isoformat(), "reason": "Vertraulicher Grund", "assignee": "cw-ben"},
        headers=anna,
    )
    follow_up = set_.json()
    [timer] = await sql(
        intake_database,
        "SELECT due_at, payload::text FROM timer WHERE kind = $1 AND key = $2",
        FOLLOW_UP_DUE,
        follow_up["id"],
    )
    assert timer["due_at"] == on_day(due_on, REMINDER_TIME)

    async def fire(day: str) -> list[dict[str, Any]]:
        due = DueTimer(FOLLOW_UP_DUE, follow_up["id"], on_day(due_on), {"due_on": day}, 0)
        async with follow_up_sessions() as session, session.begin():
            await TIMERS[FOLLOW_UP_DUE](session, due)  # as the timer worker routes it
            await session.flush()
        rows = await sql(
            intake_database,
            "SELECT body FROM outbox_message WHERE event_type = 'follow_up.due'"
            " AND convert_from(body, 'UTF8') LIKE $1",
            f"%{follow_up['id']}%",
        )
        return [json.loads(r["body"])["data"] for r in rows]

    assert await fire((due_on + timedelta(days=1)).isoformat()) == [], "moved since"
    [data] = await fire(due_on.isoformat())
    assert data == {
        "household_id": found["id"],
        "follow_up_id": follow_up["id"],
        "caseworker_id": "cw-ben",
        "due_on": due_on.isoformat(),
    }
    assert "Vertraulicher" not in json.dumps(data)


async def test_the_start_page_shows_what_is_due_and_a_follow_up_is_done_from_it(
    intake: httpx.AsyncClient,
) -> None:
    async with tool_client(intake.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject=f"erika-{id(browser)}", roles=[Role.CASEWORKER])
        start = await browser.get("/ui/")
        assert "Heute fällig (0)" in start.text
        registered = await register(browser, notice())
        household = registered.headers["location"]
        page = await browser.get(f"{household}/wiedervorlagen")
        assert page.status_code == 200
        token = form_token(page)
        refused = await browser.post(
            f"{household}/wiedervorlagen",
            data={"csrf_token": token, "due_on": "gestern", "reason": "", "member_id": ""},
        )
        assert refused.status_code == 422
        set_ = await browser.post(
            f"{household}/wiedervorlagen",
            data={
                "csrf_token": token,
                "due_on": today().strftime("%d.%m.%Y"),
                "reason": "Schulanmeldung prüfen",
                "member_id": "",
            },
        )
        assert set_.status_code == 303, set_.text
        start = await browser.get("/ui/")
        assert "Heute fällig (1)" in start.text
        assert "Schulanmeldung prüfen" in start.text
        [action] = re.findall(r'action="([^"]+/erledigt)"', start.text)
        done = await browser.post(action, data={"csrf_token": token, "back": "start"})
        assert done.status_code == 303
        assert done.headers["location"].endswith("/ui/")
        after = await browser.get("/ui/")
        assert "Die Wiedervorlage ist erledigt." in after.text
        assert "Heute fällig (0)" in after.text


async def test_erasing_a_person_erases_the_follow_ups_about_them_and_their_reminders(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    anna = auth_headers(identity, Role.CASEWORKER, subject="cw-anna", teams=(NORTH,))
    found = await household(intake, anna)
    person, other = (m["id"] for m in found["members"])
    path = f"/households/{found['id']}/follow-ups"
    ids = []
    for member in (person, other):
        response = await intake.post(
            path,
            json={"due_on": today().isoformat(), "reason": "Arzttermin", "member_id": member},
            headers=anna,
        )
        ids.append(response.json()["id"])
    officer = auth_headers(identity, Role.DATA_PROTECTION, subject="dpo")
    erased = await intake.post(
        "/erasure-requests",
        json={"subject_kind": "member", "subject_id": person, "reason": "Art. 17 DSGVO"},
        headers=officer,
    )
    assert erased.status_code == 201, erased.text
    left = await sql(
        intake_database,
        "SELECT id::text FROM follow_up WHERE household_id = $1 AND id = ANY($2::uuid[])",
        found["id"],
        ids,
    )
    assert [r["id"] for r in left] == [ids[1]]
    timers = await sql(
        intake_database,
        "SELECT key FROM timer WHERE kind = $1 AND key = ANY($2::varchar[])",
        FOLLOW_UP_DUE,
        ids,
    )
    assert [t["key"] for t in timers] == [ids[1]]
