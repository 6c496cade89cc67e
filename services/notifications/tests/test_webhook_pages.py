"""The administrators' webhook page in-process: the delivery log, sending one delivery or
a time range once more (errors at the fields, values kept), refused to everyone else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from notifications.models import WebhookDelivery
from notifications.webhooks import service
from notifications.webhooks.policy import WebhookState
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .webhook_support import moved_in

Browser = Callable[..., Any]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def browser(notifications: httpx.AsyncClient) -> AsyncIterator[Browser]:
    async with AsyncExitStack() as clients:

        async def signed_in(subject: str, *roles: Role) -> httpx.AsyncClient:
            app = notifications.app  # type: ignore[attr-defined]
            client = await clients.enter_async_context(tool_client(app))
            await sign_in(client, subject=subject, roles=roles)
            return client

        yield signed_in


async def a_delivered_webhook(
    notifications: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    admin_headers: dict[str, str],
) -> tuple[str, str, uuid.UUID]:
    """An endpoint with one delivery marked delivered. No sender runs here, so what the page
    sends once more waits; the endpoint stays on (a switched-off one is not sent to)."""
    agency = unique("amt")
    created = await notifications.post(
        "/webhooks/endpoints",
        json={"agency": agency, "url": "https://amt.example/hooks"},
        headers=admin_headers,
    )
    endpoint_id = created.json()["id"]
    event = moved_in()
    async with sessions() as session, session.begin():
        assert await service.stage(session, agency, event) == 1
        delivery_id = await session.scalar(
            update(WebhookDelivery)
            .where(WebhookDelivery.event_id == event.id)
            .values(state=WebhookState.DELIVERED, attempts=1, last_status=204)
            .returning(WebhookDelivery.id)
        )
    assert delivery_id is not None
    return agency, endpoint_id, delivery_id


@pytest.fixture
def admin_headers(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.ADMIN, subject=unique("admin"))


async def test_the_webhook_page_is_for_administrators_only(browser: Browser) -> None:
    for role in (Role.CASEWORKER, Role.AGENCY, Role.DATA_PROTECTION):
        client = await browser(unique(role.value), role)
        inbox = await client.get("/ui/")
        assert 'href="/ui/webhooks"' not in inbox.text
        refused = await client.get("/ui/webhooks")
        assert refused.status_code == 403
        token = form_token(inbox)
        replay = await client.post(
            f"/ui/webhooks/zustellungen/{uuid.uuid4()}/erneut-senden", data={"csrf_token": token}
        )
        assert replay.status_code == 403
        ranged = await client.post(
            "/ui/webhooks/zeitraum-erneut-senden", data={"csrf_token": token}
        )
        assert ranged.status_code == 403


async def test_an_administrator_reads_the_log_and_sends_once_more(
    browser: Browser,
    notifications: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    admin_headers: dict[str, str],
) -> None:
    agency, endpoint_id, delivery_id = await a_delivered_webhook(
        notifications, sessions, admin_headers
    )
    admin = await browser(unique("admin"), Role.ADMIN)
    inbox = await admin.get("/ui/")
    assert 'href="/ui/webhooks"' in inbox.text
    log = await admin.get(f"/ui/webhooks?agency={agency}")
    assert log.status_code == 200
    assert "<title>Webhooks an Partnerbehörden – Benachrichtigungen – Teilhabe</title>" in log.text
    assert "1 Zustellung gefunden." in log.text
    assert f'data-webhook-delivery="{delivery_id}"' in log.text
    assert "zugestellt" in log.text
    assert "HTTP 204" in log.text

    replayed = await admin.post(
        f"/ui/webhooks/zustellungen/{delivery_id}/erneut-senden",
        data={"csrf_token": form_token(log), "agency": agency},
    )
    assert replayed.status_code == 303
    assert replayed.headers["location"] == f"/ui/webhooks?agency={agency}"
    after = await admin.get(replayed.headers["location"])
    assert "wird noch einmal gesendet." in after.text
    assert "2 Zustellungen gefunden." in after.text
    assert "noch einmal gesendet" in after.text

    # The range: wrong dates are said at their fields, all at once, the values kept.
    wrong = await admin.post(
        "/ui/webhooks/zeitraum-erneut-senden",
        data={"csrf_token": form_token(log), "endpoint": "", "since": "31.02.2026", "until": "x"},
    )
    assert wrong.status_code == 422
    assert error_next_to(wrong, "endpoint")
    assert error_next_to(wrong, "since")
    assert error_next_to(wrong, "until")
    assert 'value="31.02.2026"' in wrong.text
    backwards = await admin.post(
        "/ui/webhooks/zeitraum-erneut-senden",
        data={
            "csrf_token": form_token(log),
            "endpoint": endpoint_id,
            "since": "02.12.2026",
            "until": "01.12.2026",
        },
    )
    assert backwards.status_code == 422
    assert "Der letzte Tag darf nicht vor dem ersten liegen." in error_next_to(backwards, "until")

    day = today().strftime("%d.%m.%Y")
    ranged = await admin.post(
        "/ui/webhooks/zeitraum-erneut-senden",
        data={"csrf_token": form_token(log), "endpoint": endpoint_id, "since": day, "until": day},
    )
    assert ranged.status_code == 303, ranged.text
    confirmed = await admin.get(ranged.headers["location"])
    assert "1 Zustellung wird noch einmal gesendet." in confirmed.text
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).where(WebhookDelivery.replay_of == delivery_id)
        )
    assert count == 2  # the one by the button, the one by the range
