"""The waiting queue by urgency: three households in the order the rule gives, each with
the reasons for its place; an officer raises one's priority with a reason (audited)."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
import pytest
from housing import service
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_protection import NORTH, audit_of


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-queue")


async def queued(
    database_url: str, *, allocated_on: date, arriving: date | None = None
) -> uuid.UUID:
    household_id = uuid.uuid4()
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await service.enqueue_households(
            session=session,
            events=[
                HouseholdReferredToHousing(
                    household_id=household_id,
                    allocation_notice_number=f"BRA-{household_id.hex[:8]}",
                    allocated_on=allocated_on,
                    expected_arrival_on=arriving,
                    member_count=2,
                    minor_count=0,
                    needs_accessible_housing=False,
                    team=NORTH,
                )
            ],
        )
    await engine.dispose()
    return household_id


async def mine(
    housing: httpx.AsyncClient, headers: dict[str, str], ids: list[uuid.UUID]
) -> list[dict[str, object]]:
    """The queue as answered, narrowed to these households (other tests' wait too)."""
    answer = await housing.get("/waiting-queue", headers=headers)
    assert answer.status_code == 200, answer.text
    wanted = {str(i) for i in ids}
    return [entry for entry in answer.json() if entry["household_id"] in wanted]


async def test_the_queue_orders_three_households_as_the_rule_says_and_explains_each(
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    officer: dict[str, str],
    housing_database: str,
) -> None:
    now = today()
    # Allocated long ago, and not arriving soon: its waiting time speaks for it.
    old = await queued(housing_database, allocated_on=date(2000, 1, 3))
    arriving = await queued(
        housing_database, allocated_on=now - timedelta(days=2), arriving=now + timedelta(days=2)
    )
    protected = await queued(housing_database, allocated_on=now - timedelta(days=1))
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-nord", teams=[NORTH])
    recorded = await housing.put(
        f"/households/{protected}/protection-needs", json={"needs": ["lgbtiq"]}, headers=caseworker
    )
    assert recorded.status_code == 200, recorded.text

    queue = await mine(housing, officer, [old, arriving, protected])
    assert [e["household_id"] for e in queue] == [str(protected), str(arriving), str(old)]
    positions = [e["position"] for e in queue]
    assert positions == sorted(positions)
    assert [[r["kind"] for r in e["reasons"]] for e in queue] == [  # type: ignore[union-attr]
        ["protection", "waiting"],
        ["arriving", "waiting"],
        ["waiting"],
    ]
    assert queue[1]["reasons"][0] == {  # type: ignore[index]
        "kind": "arriving",
        "on": (now + timedelta(days=2)).isoformat(),
        "days": 2,
    }

    path = f"/households/{old}/priority"
    no_reason = await housing.post(path, json={"reason": " "}, headers=officer)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    raised = await housing.post(path, json={"reason": "Entbindung in zwei Wochen"}, headers=officer)
    assert raised.status_code == 200, raised.text
    queue = await mine(housing, officer, [old, arriving, protected])
    assert [e["household_id"] for e in queue] == [str(old), str(protected), str(arriving)]
    assert queue[0]["priority_reason"] == "Entbindung in zwei Wochen"
    assert queue[0]["reasons"][0]["kind"] == "raised"  # type: ignore[index]
    assert ("ho-queue", "raise_priority") in await audit_of(housing_database, old)

    assert (await housing.post(path, json={"reason": "x"}, headers=caseworker)).status_code == 403
    missing = await housing.post(
        f"/households/{uuid.uuid4()}/priority", json={"reason": "x"}, headers=officer
    )
    assert missing.status_code == 404


async def test_the_queue_page_says_why_and_an_officer_gives_priority_there(
    housing: httpx.AsyncClient, housing_database: str
) -> None:
    household = await queued(housing_database, allocated_on=date(2000, 1, 4))
    number = f"BRA-{household.hex[:8]}"
    async with tool_client(housing.app) as officer:  # type: ignore[attr-defined]
        await sign_in(officer, subject="ho-queue-page", roles=[Role.HOUSING_OFFICER])
        queue = await officer.get("/ui/warteliste")
        row = re.search(rf'data-household="{number}">(.*?)</tr>', queue.text, re.S)
        assert row, queue.text
        assert "wartet seit 04.01.2000" in row.group(1)
        path = f"/ui/warteliste/{household}/vorrang"
        assert f'href="{path}"' in row.group(1)

        form = await officer.get(path)
        assert f"Haushalt {number} Vorrang geben" in form.text
        empty = await officer.post(path, data={"csrf_token": form_token(form), "reason": ""})
        assert empty.status_code == 422
        assert error_next_to(empty, "reason")
        given = await officer.post(
            path,
            data={"csrf_token": form_token(form), "reason": "Rollstuhl, Notunterkunft ungeeignet"},
        )
        assert given.status_code == 303, given.text
        queue = await officer.get("/ui/warteliste")
        assert f"Haushalt {number} hat jetzt Vorrang" in queue.text
        row = re.search(rf'data-household="{number}">(.*?)</tr>', queue.text, re.S)
        assert row
        assert "Vorrang: Rollstuhl, Notunterkunft ungeeignet" in row.group(1)
    assert ("ho-queue-page", "raise_priority") in await audit_of(housing_database, household)
