"""The volunteers API against its own PostgreSQL database, in-process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.sealing import decode_key, unseal
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers
from volunteers import domain, service
from volunteers.handlers import HANDLERS
from volunteers.main import purge_clearances
from volunteers.models import Household, PoliceClearance

CLEARANCE_KEYS = {"inspected_on", "issued_on", "relevant_conviction", "clearance"}


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coord-ines")


def volunteer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": "Jutta Brinkmann",
        "email": f"jutta.{uuid.uuid4().hex[:8]}@example.org",
        "phone": "+49 2594 12345",
        "preferred_language": "de",
        "languages": ["de", "en"],
        "skills": ["Behördengänge", "Nachhilfe Mathe"],
        "available_weekdays": ["tue", "thu"],
        "availability_note": "nachmittags",
    }
    body.update(overrides)
    return body


async def register(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    response = await client.post("/volunteers", json=volunteer_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def household_assigned(
    household_id: uuid.UUID, *, minors: int, languages: tuple[str, ...] = ("ar",)
) -> HouseholdAssigned:
    groups = [AgeGroup.ADULT] + [AgeGroup.SCHOOL] * minors
    return HouseholdAssigned(
        household_id=household_id,
        allocation_notice_number=f"BRA-{household_id.hex[:6]}",
        allocated_on=date(2026, 11, 20),
        member_count=len(groups),
        minor_count=minors,
        members=tuple(
            AllocatedMember(member_id=uuid.uuid4(), age_group=group, languages=languages)
            for group in groups
        ),
    )


async def deliver(database_url: str, *payloads: HouseholdAssigned) -> None:
    """Hand events to the handler in one transaction, as the consumer does."""
    events = [
        ReceivedEvent(envelope=new_event(p, source="/teilhabe/intake"), payload=p) for p in payloads
    ]
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await HANDLERS[HouseholdAssigned](session, events)  # as the consumer routes it
    await engine.dispose()


async def known_household(
    database_url: str, *, minors: int, languages: tuple[str, ...] = ("ar",)
) -> str:
    household_id = uuid.uuid4()
    await deliver(
        database_url, household_assigned(household_id, minors=minors, languages=languages)
    )
    return str(household_id)


def valid_clearance(**overrides: Any) -> dict[str, Any]:
    day = today()
    body: dict[str, Any] = {
        "inspected_on": day.isoformat(),
        "issued_on": (day - timedelta(days=30)).isoformat(),
        "relevant_conviction": False,
    }
    body.update(overrides)
    return body


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await db.fetch(query, *args)
    finally:
        await db.close()


async def test_registration_publishes_contact_facts_and_no_clearance(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    volunteer = await register(volunteers, coordinator)
    assert volunteer["skills"] == ["Behördengänge", "Nachhilfe Mathe"]
    assert volunteer["available_weekdays"] == ["tue", "thu"]
    assert CLEARANCE_KEYS.isdisjoint(volunteer)

    put = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    assert put.status_code == 200, put.text

    rows = await fetch(
        volunteers_database,
        "SELECT event_type, body FROM outbox_message WHERE convert_from(body, 'UTF8') LIKE $1 "
        "ORDER BY id",
        f"%{volunteer['id']}%",
    )
    # The volunteer's key for the readers first, then the registration sealed with it.
    assert [r["event_type"] for r in rows] == ["volunteer.key_issued", "volunteer.registered"]
    key = decode_key(json.loads(rows[0]["body"])["data"]["key"])
    rows = rows[1:]
    data = json.loads(rows[0]["body"])["data"]
    assert set(data) == {
        "volunteer_id",
        "display_name",
        "email",
        "preferred_language",
        "languages",
        "skills",
        "account_subject",
    }
    assert volunteer["email"].encode() not in rows[0]["body"]
    assert volunteer["display_name"].encode() not in rows[0]["body"]
    volunteer_id = uuid.UUID(volunteer["id"])
    assert unseal(key, volunteer_id, data["email"]) == volunteer["email"]
    assert unseal(key, volunteer_id, data["display_name"]) == volunteer["display_name"]
    assert b"clearance" not in rows[0]["body"]
    assert b"conviction" not in rows[0]["body"]

    audit = await fetch(
        volunteers_database,
        "SELECT actor, action, resource_type FROM audit_entry WHERE resource_id = $1 ORDER BY id",
        volunteer["id"],
    )
    assert [tuple(a) for a in audit] == [
        ("coord-ines", "create", "volunteer"),
        ("coord-ines", "record", "police_clearance"),
    ]


async def test_unknown_fields_are_refused(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    response = await volunteers.post(
        "/volunteers", json=volunteer_body(religion="none"), headers=coordinator
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "religion"

    volunteer = await register(volunteers, coordinator)
    response = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance",
        json=valid_clearance(offence="none"),
        headers=coordinator,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "offence"


async def test_an_email_is_registered_once(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    volunteer = await register(volunteers, coordinator)
    again = await volunteers.post(
        "/volunteers", json=volunteer_body(email=volunteer["email"].upper()), headers=coordinator
    )
    assert again.status_code == 409
    assert again.json()["type"] == "urn:teilhabe:problem:duplicate-volunteer"


async def test_registry_filters_by_language_and_skill(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    tag = uuid.uuid4().hex[:6]
    cyclist = await register(
        volunteers, coordinator, languages=["de", "ti"], skills=[f"Fahrrad-Reparatur {tag}"]
    )
    tutor = await register(
        volunteers, coordinator, languages=["de", "fa"], skills=[f"Nachhilfe Mathe {tag}"]
    )

    by_skill = await volunteers.get(
        "/volunteers", params={"skill": f"fahrrad-reparatur {tag}"}, headers=coordinator
    )
    assert [v["id"] for v in by_skill.json()["items"]] == [cyclist["id"]]
    assert by_skill.json()["total"] == 1

    by_both = await volunteers.get(
        "/volunteers", params={"skill": tag, "language": "fa"}, headers=coordinator
    )
    assert [v["id"] for v in by_both.json()["items"]] == [tutor["id"]]

    wildcard = await volunteers.get("/volunteers", params={"skill": "%"}, headers=coordinator)
    assert wildcard.json()["total"] == 0, "LIKE wildcards in the filter are taken literally"


async def test_clearance_older_than_three_months_at_inspection_is_refused(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    volunteer = await register(volunteers, coordinator)
    old = (domain.add_months(today(), -3) - timedelta(days=1)).isoformat()
    response = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance",
        json=valid_clearance(issued_on=old),
        headers=coordinator,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["issued_on"]
    missing = await volunteers.get(f"/volunteers/{volunteer['id']}/clearance", headers=coordinator)
    assert missing.status_code == 404


async def test_recorded_clearance_waits_for_take_up(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    volunteer = await register(volunteers, coordinator)
    recorded = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    body = recorded.json()
    issued = date.fromisoformat(body["issued_on"])
    assert body["may_work_with_minors"] is True
    assert body["expires_on"] == domain.add_months(issued, 60).isoformat()
    assert body["delete_after"] == domain.add_months(today(), 3).isoformat()

    convicted = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance",
        json=valid_clearance(relevant_conviction=True),
        headers=coordinator,
    )
    assert convicted.json()["may_work_with_minors"] is False
    read = await volunteers.get(f"/volunteers/{volunteer['id']}/clearance", headers=coordinator)
    assert read.json()["relevant_conviction"] is True

    deleted = await volunteers.delete(
        f"/volunteers/{volunteer['id']}/clearance", headers=coordinator
    )
    assert deleted.status_code == 204
    gone = await volunteers.get(f"/volunteers/{volunteer['id']}/clearance", headers=coordinator)
    assert gone.status_code == 404


async def test_matching_a_household_with_minors_needs_a_valid_clearance(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    family = await known_household(volunteers_database, minors=2)
    volunteer = await register(volunteers, coordinator)
    body = {
        "volunteer_id": volunteer["id"],
        "household_id": family,
        "started_on": today().isoformat(),
    }

    refused = await volunteers.post("/matches", json=body, headers=coordinator)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:teilhabe:problem:clearance-required"
    assert "§72a" in refused.json()["detail"]

    await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance",
        json=valid_clearance(relevant_conviction=True),
        headers=coordinator,
    )
    with_conviction = await volunteers.post("/matches", json=body, headers=coordinator)
    assert with_conviction.status_code == 409
    # The refusal does not tell a conviction from a missing clearance.
    assert with_conviction.json()["detail"] == refused.json()["detail"]

    await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    matched = await volunteers.post("/matches", json=body, headers=coordinator)
    assert matched.status_code == 201, matched.text
    match = matched.json()
    clearance = await volunteers.get(
        f"/volunteers/{volunteer['id']}/clearance", headers=coordinator
    )
    assert clearance.json()["delete_after"] is None, "kept while the mentorship runs"

    twice = await volunteers.post("/matches", json=body, headers=coordinator)
    assert twice.status_code == 409
    assert twice.json()["type"] == "urn:teilhabe:problem:already-matched"

    rows = await fetch(
        volunteers_database,
        "SELECT event_type, body FROM outbox_message WHERE event_type = 'volunteer.matched'"
        " AND convert_from(body, 'UTF8') LIKE $1",
        f"%{match['id']}%",
    )
    assert len(rows) == 1
    data = json.loads(rows[0]["body"])["data"]
    assert data == {
        "match_id": match["id"],
        "volunteer_id": volunteer["id"],
        "household_id": family,
        "matched_on": today().isoformat(),
    }

    ended_on = today() + timedelta(days=10)
    ended = await volunteers.post(
        f"/matches/{match['id']}/end", json={"ended_on": ended_on.isoformat()}, headers=coordinator
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_on"] == ended_on.isoformat()
    clearance = await volunteers.get(
        f"/volunteers/{volunteer['id']}/clearance", headers=coordinator
    )
    assert clearance.json()["delete_after"] == domain.add_months(ended_on, 3).isoformat()

    again = await volunteers.post(
        f"/matches/{match['id']}/end", json={"ended_on": ended_on.isoformat()}, headers=coordinator
    )
    assert again.status_code == 409


async def test_a_household_without_minors_can_be_matched_without_clearance(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    adults = await known_household(volunteers_database, minors=0)
    volunteer = await register(volunteers, coordinator)
    matched = await volunteers.post(
        "/matches",
        json={
            "volunteer_id": volunteer["id"],
            "household_id": adults,
            "started_on": today().isoformat(),
        },
        headers=coordinator,
    )
    assert matched.status_code == 201, matched.text
    listed = await volunteers.get("/matches", params={"household_id": adults}, headers=coordinator)
    assert [m["id"] for m in listed.json()] == [matched.json()["id"]]


async def test_a_mentorship_not_taken_up_lets_the_clearance_go_at_once(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    family = await known_household(volunteers_database, minors=1)
    volunteer = await register(volunteers, coordinator)
    await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    start = today().isoformat()
    match = await volunteers.post(
        "/matches",
        json={"volunteer_id": volunteer["id"], "household_id": family, "started_on": start},
        headers=coordinator,
    )
    ended = await volunteers.post(
        f"/matches/{match.json()['id']}/end", json={"ended_on": start}, headers=coordinator
    )
    assert ended.status_code == 200
    clearance = await volunteers.get(
        f"/volunteers/{volunteer['id']}/clearance", headers=coordinator
    )
    assert clearance.json()["delete_after"] == start
    assert clearance.json()["may_work_with_minors"] is False, "a lapsed record counts as gone"

    other_family = await known_household(volunteers_database, minors=1)
    refused = await volunteers.post(
        "/matches",
        json={"volunteer_id": volunteer["id"], "household_id": other_family, "started_on": start},
        headers=coordinator,
    )
    assert refused.status_code == 409


async def test_an_unknown_household_names_the_field_and_the_missing_event(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    volunteer = await register(volunteers, coordinator)
    response = await volunteers.post(
        "/matches",
        json={
            "volunteer_id": volunteer["id"],
            "household_id": str(uuid.uuid4()),
            "started_on": today().isoformat(),
        },
        headers=coordinator,
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "household_id"
    assert "household.assigned" in error["message"]


async def test_racing_matches_of_one_pair_one_wins(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    adults = await known_household(volunteers_database, minors=0)
    volunteer = await register(volunteers, coordinator)
    body = {
        "volunteer_id": volunteer["id"],
        "household_id": adults,
        "started_on": today().isoformat(),
    }
    responses = await asyncio.gather(
        *(volunteers.post("/matches", json=body, headers=coordinator) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]


async def test_purge_deletes_lapsed_clearances_only(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    waiting = await register(volunteers, coordinator)
    mentoring = await register(volunteers, coordinator)
    adults = await known_household(volunteers_database, minors=0)
    for volunteer in (waiting, mentoring):
        await volunteers.put(
            f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
        )
    await volunteers.post(
        "/matches",
        json={
            "volunteer_id": mentoring["id"],
            "household_id": adults,
            "started_on": today().isoformat(),
        },
        headers=coordinator,
    )
    take_up_ends = domain.add_months(today(), 3)

    engine = create_engine(volunteers_database, pool_size=1)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session:
            await service.purge_expired_clearances(
                session=session, today=take_up_ends - timedelta(days=1)
            )
        async with sessions() as session:
            assert await session.get(PoliceClearance, uuid.UUID(waiting["id"])) is not None

        async with sessions() as session:
            purged = await service.purge_expired_clearances(session=session, today=take_up_ends)
        assert purged >= 1
        async with sessions() as session:
            assert await session.get(PoliceClearance, uuid.UUID(waiting["id"])) is None
            assert await session.get(PoliceClearance, uuid.UUID(mentoring["id"])) is not None
    finally:
        await engine.dispose()

    audit = await fetch(
        volunteers_database,
        "SELECT actor, action FROM audit_entry WHERE resource_id = $1 AND action = 'purge'",
        waiting["id"],
    )
    assert [tuple(a) for a in audit] == [("system:clearance-purge", "purge")]


async def test_purge_runs_from_the_command_line(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    volunteer = await register(volunteers, coordinator)
    await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    lapsed_on = domain.add_months(today(), 3).isoformat()
    result = await asyncio.to_thread(
        subprocess.run,
        [
            str(Path(sys.executable).parent / "teilhabe-volunteers"),
            "purge-clearances",
            "--today",
            lapsed_on,
        ],
        env={**os.environ, "DATABASE_URL": volunteers_database},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "clearances purged" in result.stdout + result.stderr
    gone = await volunteers.get(f"/volunteers/{volunteer['id']}/clearance", headers=coordinator)
    assert gone.status_code == 404
    # The same use case, in-process: nothing left to purge for that day.
    assert await purge_clearances(volunteers_database, date.fromisoformat(lapsed_on)) == 0


async def test_a_volunteer_sees_only_their_own_record_and_matches(
    volunteers: httpx.AsyncClient,
    coordinator: dict[str, str],
    identity: RunningDevProvider,
    volunteers_database: str,
) -> None:
    subject = f"vol-{uuid.uuid4().hex[:8]}"
    me = await register(volunteers, coordinator, subject=subject)
    other = await register(volunteers, coordinator)
    adults = await known_household(volunteers_database, minors=0)
    for volunteer in (me, other):
        await volunteers.put(
            f"/volunteers/{volunteer['id']}/clearance", json=valid_clearance(), headers=coordinator
        )
        await volunteers.post(
            "/matches",
            json={
                "volunteer_id": volunteer["id"],
                "household_id": adults,
                "started_on": today().isoformat(),
            },
            headers=coordinator,
        )
    headers = auth_headers(identity, Role.VOLUNTEER, subject=subject)

    own = await volunteers.get("/volunteers/me", headers=headers)
    assert own.status_code == 200
    assert own.json()["id"] == me["id"]
    assert CLEARANCE_KEYS.isdisjoint(own.json())
    by_id = await volunteers.get(f"/volunteers/{me['id']}", headers=headers)
    assert by_id.status_code == 200
    assert CLEARANCE_KEYS.isdisjoint(by_id.json())
    assert (await volunteers.get(f"/volunteers/{other['id']}", headers=headers)).status_code == 404

    own_matches = await volunteers.get("/volunteers/me/matches", headers=headers)
    assert [m["volunteer_id"] for m in own_matches.json()] == [me["id"]]
    same = await volunteers.get(f"/volunteers/{me['id']}/matches", headers=headers)
    assert same.json() == own_matches.json()
    theirs = await volunteers.get(f"/volunteers/{other['id']}/matches", headers=headers)
    assert theirs.status_code == 404

    for forbidden in (
        volunteers.get("/volunteers", headers=headers),
        volunteers.get(f"/volunteers/{me['id']}/clearance", headers=headers),
        volunteers.put(
            f"/volunteers/{me['id']}/clearance", json=valid_clearance(), headers=headers
        ),
        volunteers.get("/matches", headers=headers),
        volunteers.post(
            "/matches",
            json={"volunteer_id": me["id"], "household_id": adults, "started_on": "2026-11-25"},
            headers=headers,
        ),
    ):
        assert (await forbidden).status_code == 403

    stranger = auth_headers(identity, Role.VOLUNTEER, subject="not-registered")
    assert (await volunteers.get("/volunteers/me", headers=stranger)).status_code == 404

    # An ended mentorship shows nothing more to its former mentor.
    [running] = own_matches.json()
    ended = await volunteers.post(
        f"/matches/{running['id']}/end", json={"ended_on": today().isoformat()}, headers=coordinator
    )
    assert ended.status_code == 200, ended.text
    assert (await volunteers.get("/volunteers/me/matches", headers=headers)).json() == []
    assert (
        await volunteers.get("/matches", headers=coordinator, params={"household_id": adults})
    ).status_code == 200


async def test_suggestions_offer_only_volunteers_allowed_to_mentor(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    language = "tig"  # Tigre: no other test uses it
    family = await known_household(volunteers_database, minors=1, languages=(language, "ar"))
    cleared = await register(volunteers, coordinator, languages=["de", language])
    uncleared = await register(volunteers, coordinator, languages=["de", language])
    await register(volunteers, coordinator, languages=["de", "uk"])
    await volunteers.put(
        f"/volunteers/{cleared['id']}/clearance", json=valid_clearance(), headers=coordinator
    )
    response = await volunteers.get(f"/households/{family}/suggested-mentors", headers=coordinator)
    assert response.status_code == 200
    suggested = {s["volunteer_id"]: s for s in response.json()}
    assert cleared["id"] in suggested
    assert suggested[cleared["id"]]["shared_languages"] == [language]
    assert uncleared["id"] not in suggested
    unknown = await volunteers.get(
        f"/households/{uuid.uuid4()}/suggested-mentors", headers=coordinator
    )
    assert unknown.status_code == 404


async def test_household_assigned_is_kept_once_with_what_matching_needs(
    volunteers_database: str,
) -> None:
    family, adults = uuid.uuid4(), uuid.uuid4()
    events = (
        household_assigned(family, minors=2, languages=("ar", "ku")),
        household_assigned(adults, minors=0, languages=("uk",)),
    )
    await deliver(volunteers_database, *events)
    await deliver(volunteers_database, events[0])  # a redelivery changes nothing
    engine = create_engine(volunteers_database, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            kept = await session.get(Household, family)
            assert kept is not None
            assert (kept.has_minors, kept.languages) == (True, ["ar", "ku"])
            assert kept.allocation_notice_number == f"BRA-{family.hex[:6]}"
            other = await session.get(Household, adults)
            assert other is not None
            assert other.has_minors is False
    finally:
        await engine.dispose()


async def test_unauthenticated_is_401_and_wrong_role_403(
    volunteers: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    assert (await volunteers.get("/volunteers")).status_code == 401
    assert (await volunteers.post("/volunteers", json=volunteer_body())).status_code == 401
    assert (await volunteers.get(f"/volunteers/{uuid.uuid4()}/clearance")).status_code == 401
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-anna")
    assert (await volunteers.get("/volunteers", headers=caseworker)).status_code == 403
    assert (
        await volunteers.post("/volunteers", json=volunteer_body(), headers=caseworker)
    ).status_code == 403
    assert (
        await volunteers.get(f"/volunteers/{uuid.uuid4()}/clearance", headers=caseworker)
    ).status_code == 403
    # Administrators administer: no volunteer's record without the coordinator role.
    admin = auth_headers(identity, Role.ADMIN, subject="admin-1")
    assert (await volunteers.get("/volunteers", headers=admin)).status_code == 403


async def test_every_route_declares_its_roles(volunteers: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(volunteers.app) == []  # type: ignore[attr-defined]
