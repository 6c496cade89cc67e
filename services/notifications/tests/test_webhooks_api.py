"""The administrators' webhook API, with the sender delivering to the example receiver:
endpoints and their secrets, rotation with an overlap, the delivery log and replays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .webhook_support import Receiver, eventually, receiving, sending, settings_for, stage_events


@pytest.fixture
def admin(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.ADMIN, subject=f"admin-{uuid.uuid4().hex[:6]}")


def agency() -> str:
    return f"agency-{uuid.uuid4().hex[:8]}"


async def register(
    notifications: httpx.AsyncClient, admin: dict[str, str], name: str, url: str
) -> dict[str, Any]:
    created = await notifications.post(
        "/webhooks/endpoints", json={"agency": name, "url": url}, headers=admin
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_an_endpoint_shows_its_secret_once_and_refuses_bad_input(
    notifications: httpx.AsyncClient, admin: dict[str, str], identity: RunningDevProvider
) -> None:
    name = agency()
    endpoint = await register(notifications, admin, name, "https://agency.example/hooks")
    assert endpoint["secret"].startswith("whsec_")
    listed = await notifications.get("/webhooks/endpoints", params={"agency": name}, headers=admin)
    assert [e["id"] for e in listed.json()["items"]] == [endpoint["id"]]
    assert "secret" not in listed.json()["items"][0]
    one = await notifications.get(f"/webhooks/endpoints/{endpoint['id']}", headers=admin)
    assert "secret" not in one.json()

    plain = await notifications.post(
        "/webhooks/endpoints",
        json={"agency": name, "url": "http://agency.example/hooks", "max_in_flight": 0},
        headers=admin,
    )
    assert plain.status_code == 422
    assert {e["field"] for e in plain.json()["errors"]} == {"url", "max_in_flight"}
    caseworker = auth_headers(identity, Role.CASEWORKER)
    refused = await notifications.get("/webhooks/endpoints", headers=caseworker)
    assert refused.status_code == 403
    missing = await notifications.get(f"/webhooks/deliveries/{uuid.uuid4()}", headers=admin)
    assert missing.status_code == 404


async def test_after_a_rotation_old_and_new_secret_verify_until_the_overlap_ends(
    notifications: httpx.AsyncClient,
    admin: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    notifications_database: str,
) -> None:
    name = agency()
    old_receiver = Receiver(secrets=[])
    endpoint = await register(notifications, admin, name, old_receiver.url)
    old_receiver.secrets = [endpoint["secret"]]
    rotated = await notifications.post(
        f"/webhooks/endpoints/{endpoint['id']}/secret", json={"overlap_hours": 1}, headers=admin
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None

    settings = settings_for(notifications_database)
    async with receiving(old_receiver), sending(settings, sessions):
        [first] = await stage_events(sessions, name, 1)
        await eventually(lambda: old_receiver.ids() == [first.id], what="old secret verifies")
    new_receiver = Receiver(secrets=[new_secret], port=old_receiver.port)
    async with receiving(new_receiver), sending(settings, sessions):
        [second] = await stage_events(sessions, name, 1)
        await eventually(lambda: new_receiver.ids() == [second.id], what="new secret verifies")

    ended = await notifications.post(
        f"/webhooks/endpoints/{endpoint['id']}/secret", json={"overlap_hours": 0}, headers=admin
    )
    assert ended.json()["previous_secret_expires_at"] is None
    stale = Receiver(secrets=[new_secret], port=old_receiver.port)  # the one just replaced
    async with receiving(stale), sending(settings, sessions):
        await stage_events(sessions, name, 1)
        await eventually(lambda: stale.refused, what="the replaced secret refused")
    assert stale.events == []
    off = await notifications.patch(
        f"/webhooks/endpoints/{endpoint['id']}", json={"active": False}, headers=admin
    )
    assert off.json()["active"] is False  # its retries wait: no other test sees them


async def test_replay_sends_once_more_on_request_only_and_the_log_shows_it(
    notifications: httpx.AsyncClient,
    admin: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    notifications_database: str,
) -> None:
    name = agency()
    receiver = Receiver(secrets=[])
    endpoint = await register(notifications, admin, name, receiver.url)
    receiver.secrets = [endpoint["secret"]]
    started = datetime.now(UTC) - timedelta(seconds=1)
    async with receiving(receiver), sending(settings_for(notifications_database), sessions):
        first, second = await stage_events(sessions, name, 2)
        await eventually(lambda: len(receiver.events) == 2, what="both delivered")
        log = await notifications.get(
            "/webhooks/deliveries", params={"endpoint_id": endpoint["id"]}, headers=admin
        )
        assert log.status_code == 200, log.text
        by_event = {d["event_id"]: d for d in log.json()["items"]}
        assert set(by_event) == {first.id, second.id}
        await eventually(
            lambda: _all_delivered(notifications, admin, endpoint["id"], 2),
            what="the log says delivered",
        )
        assert "body" not in by_event[first.id]

        one = await notifications.post(
            f"/webhooks/deliveries/{by_event[first.id]['id']}/replays", headers=admin
        )
        assert one.status_code == 201, one.text
        assert one.json()["replay_of"] == by_event[first.id]["id"]
        await eventually(lambda: len(receiver.events) == 3, what="the replay")
        # Nothing more without a request: a later event arrives alone.
        [sentinel] = await stage_events(sessions, name, 1)
        await eventually(lambda: sentinel.id in receiver.ids(), what="the sentinel")
        assert receiver.ids().count(first.id) == 2
        assert receiver.ids().count(second.id) == 1

        window = {
            "since": started.isoformat(),
            "until": (datetime.now(UTC) + timedelta(seconds=1)).isoformat(),
        }
        ranged = await notifications.post(
            f"/webhooks/endpoints/{endpoint['id']}/replays", json=window, headers=admin
        )
        assert ranged.status_code == 200, ranged.text
        assert ranged.json() == {"replayed": 3}  # the originals, not the earlier replay
        await eventually(lambda: len(receiver.events) == 7, what="the range replayed")
    assert receiver.duplicates == 0  # each replay is a new webhook-id
    assert sorted(receiver.ids()) == sorted([first.id] * 3 + [second.id] * 2 + [sentinel.id] * 2)


async def _all_delivered(
    notifications: httpx.AsyncClient, admin: dict[str, str], endpoint_id: str, count: int
) -> bool:
    log = await notifications.get(
        "/webhooks/deliveries",
        params={"endpoint_id": endpoint_id, "state": "delivered"},
        headers=admin,
    )
    items = log.json()["items"]
    return len(items) == count and all(d["attempt_log"][0]["status"] == 204 for d in items)
