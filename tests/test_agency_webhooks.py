"""An agency without AMQP, on signed webhooks, through the running services: the same
subscription and consent gate as its queue would have. Its example receiver (examples/
agency/) gets `household.moved_in` for a household that consented, verified, stripped to
the subscription's fields; not for one without consent; and nothing more after the
consent is revoked."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.tcp_proxy import free_port

from .support import System, eventually, household_body, provisioned_system
from .test_agencies import moved_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "agency"))
import webhook_receiver

AGENCY = "traeger-test"
PURPOSE = "soziale-beratung"


@pytest.fixture
async def agencies_system(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["intake", "notifications"]) as system:
        yield system


async def test_an_agency_on_webhooks_hears_only_of_consenting_households(
    agencies_system: System,
) -> None:
    system = agencies_system
    intake = system.start("intake", "api")
    system.start("intake", "relay")
    notifications = system.start("notifications", "api")
    system.start("notifications", "consumer")  # the gateway and the webhook sender

    caseworker = system.headers(Role.CASEWORKER, subject="cw-webhooks")
    households: dict[str, dict[str, Any]] = {}
    consents: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=intake.url, headers=caseworker, timeout=30) as api:
        for key in ("consenting", "without", "sentinel"):
            response = await api.post("/households", json=household_body(f"WH-{uuid.uuid4()}"))
            assert response.status_code == 201, response.text
            households[key] = response.json()
        for key in ("consenting", "sentinel"):
            consent = {
                "member_id": households[key]["members"][0]["id"],
                "agency": AGENCY,
                "purpose": PURPOSE,
                "granted_on": date.today().isoformat(),
                "evidence_reference": "Akte 815, Blatt 2",
            }
            response = await api.post(f"/households/{households[key]['id']}/consents", json=consent)
            assert response.status_code == 201, response.text
            consents[key] = response.json()["id"]

    port = free_port()
    admin = system.headers(Role.ADMIN, subject="admin-webhooks")
    async with httpx.AsyncClient(base_url=notifications.url, headers=admin, timeout=30) as api:
        response = await api.put(f"/agencies/{AGENCY}", json={"display_name": "Träger"})
        assert response.status_code == 200, response.text
        subscription: dict[str, Any] = {
            "event_type": "household.moved_in",
            "purpose": PURPOSE,
            "fields": ["moved_in_on"],
        }
        response = await api.post(f"/agencies/{AGENCY}/subscriptions", json=subscription)
        assert response.status_code == 201, response.text
        endpoint = {"agency": AGENCY, "url": f"http://127.0.0.1:{port}/webhooks"}
        response = await api.post("/webhooks/endpoints", json=endpoint)
        assert response.status_code == 201, response.text
        secret = response.json()["secret"]

    async def consents_known(revoked: bool) -> bool:
        sql = "SELECT count(*) FROM agency_consent WHERE granted_on IS NOT NULL"
        sql += " AND revoked_on IS NOT NULL" if revoked else ""
        return int(await system.query("notifications", sql)) == (1 if revoked else 2)

    await eventually(lambda: consents_known(revoked=False), timeout=60)

    events: list[dict[str, Any]] = []

    async def handle(event: dict[str, Any]) -> None:
        events.append(event)

    runner = web.AppRunner(webhook_receiver.create_app(webhook_receiver.Verifier([secret]), handle))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await moved_in(system, households["without"]["id"])
        await moved_in(system, households["consenting"]["id"])
        await eventually(lambda: events, timeout=60)
        [first] = events
        assert first["data"] == {
            "household_id": households["consenting"]["id"],
            "moved_in_on": "2026-11-25",
        }
        assert first["type"] == "household.moved_in"

        async with httpx.AsyncClient(base_url=intake.url, headers=caseworker, timeout=30) as api:
            household_id = households["consenting"]["id"]
            response = await api.post(
                f"/households/{household_id}/consents/{consents['consenting']}/revocation",
                json={},
            )
            assert response.status_code == 200, response.text
        await eventually(lambda: consents_known(revoked=True), timeout=60)

        await moved_in(system, households["consenting"]["id"])
        await moved_in(system, households["without"]["id"])
        await moved_in(system, households["sentinel"]["id"])
        # The gateway takes its queue in order: once the sentinel is here, what came
        # before it was decided.
        await eventually(lambda: len(events) >= 2, timeout=60)
        delivered = await system.query("notifications", "SELECT count(*) FROM webhook_delivery")
        assert [e["data"]["household_id"] for e in events] == [
            households["consenting"]["id"],
            households["sentinel"]["id"],
        ]
        assert delivered == 2
    finally:
        await runner.cleanup()
