"""Use cases of webhooks: staging deliveries, firing retries, and what administrators do.

`stage` and `retry_due` run inside the caller's transaction (the gateway's, the timer
worker's) and never commit; the administrators' use cases are one transaction each.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from teilhabe import clock
from teilhabe.api.problems import Conflict, InvalidFields
from teilhabe.auth import Principal
from teilhabe.events.envelope import CloudEvent
from teilhabe.queries import count_and_page
from teilhabe.timers import DueTimer, cancel, schedule

from notifications.dependencies import WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.service import audit
from notifications.webhooks.policy import WebhookState, address_problem, new_secret
from notifications.webhooks.secretbox import SecretBox

# Wakes the webhook sender when a transaction that made deliveries due commits.
WEBHOOK_NOTIFY_CHANNEL = "notifications_webhooks"
RETRY_TIMER = "webhook.retry"
# Fires a while after an endpoint was switched off: what still waits for it is given up.
SWITCHED_OFF_TIMER = "webhook.endpoint_switched_off"
SWITCHED_OFF_ERROR = "the endpoint was switched off"
WEBHOOKS_EXPIRED = Counter(
    "teilhabe_webhook_deliveries_expired_total",
    "Webhook deliveries given up because their endpoint stayed switched off, by agency",
    ["agency"],
)
# A replay of a time range is bounded; a larger one is several requests.
REPLAY_RANGE_LIMIT = 10_000
_NOTIFY = text(f"SELECT pg_notify('{WEBHOOK_NOTIFY_CHANNEL}', '')")


# --- in the gateway's and the timer worker's transactions ------------------------------


async def stage(session: AsyncSession, agency: str, event: CloudEvent) -> int:
    """One delivery of `event` per active endpoint of `agency`; returns how many.

    Called by the agency gateway once the subscription and consent gate let the event
    through to this agency, with the event as the agency may see it. Idempotent by event:
    the same event staged again for an endpoint adds nothing.
    """
    endpoints = (
        await session.scalars(
            select(WebhookEndpoint.id).where(
                WebhookEndpoint.agency == agency, WebhookEndpoint.active
            )
        )
    ).all()
    if not endpoints:
        return 0
    body = event.to_json()
    staged = await session.execute(
        pg_insert(WebhookDelivery)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "endpoint_id": endpoint_id,
                    "event_id": event.id,
                    "event_type": event.type,
                    "body": body,
                    "state": WebhookState.PENDING,
                }
                for endpoint_id in endpoints
            ]
        )
        .on_conflict_do_nothing(
            index_elements=["endpoint_id", "event_id"], index_where=text("replay_of IS NULL")
        )
        .returning(WebhookDelivery.id)
    )
    count = len(staged.all())
    if count:
        await session.execute(_NOTIFY)
    return count


async def retry_due(session: AsyncSession, timer: DueTimer) -> None:
    """The durable timer of a failed delivery fell due: it is due to the sender again."""
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == uuid.UUID(timer.key),
            WebhookDelivery.state == WebhookState.RETRYING,
        )
        .values(
            state=WebhookState.PENDING,
            due_since=func.clock_timestamp(),
            next_attempt_at=None,
            lease_until=None,
        )
    )
    await session.execute(_NOTIFY)


async def expire_switched_off(session: AsyncSession, timer: DueTimer) -> None:
    """An endpoint stayed switched off for the hold: what waits for it is dead, counted.

    Switching off pauses an endpoint (deliveries wait, and go out when it is switched on
    again); but not without limit: after as long as a failing delivery is retried, they
    end in the dead state, from which an administrator may replay them.
    """
    endpoint = await session.get(WebhookEndpoint, uuid.UUID(timer.key), with_for_update=True)
    if endpoint is None or endpoint.active:
        return
    expired = (
        await session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.state.in_([WebhookState.PENDING, WebhookState.RETRYING]),
            )
            .values(
                state=WebhookState.DEAD,
                next_attempt_at=None,
                lease_until=None,
                last_error=SWITCHED_OFF_ERROR,
            )
            .returning(WebhookDelivery.id)
        )
    ).all()
    await cancel(session, RETRY_TIMER, *(str(i) for i in expired))
    if expired:
        WEBHOOKS_EXPIRED.labels(endpoint.agency).inc(len(expired))


# --- administration ---------------------------------------------------------------------


async def create_endpoint(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    agency: str,
    url: str,
    max_in_flight: int,
    allow_plain_http: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """Register an agency's endpoint; its secret is returned this once, never again."""
    problem = address_problem(url, allow_plain_http=allow_plain_http)
    if problem:
        raise InvalidFields({"url": problem})
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        agency=agency,
        url=url,
        max_in_flight=max_in_flight,
        secret=box.seal(secret),
        active=True,
    )
    session.add(endpoint)
    await session.flush()
    await audit(session, principal, "create", "webhook_endpoint", [endpoint.id])
    await session.commit()
    await session.refresh(endpoint)
    return endpoint, secret


async def rotate_secret(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    endpoint_id: uuid.UUID,
    overlap: timedelta,
) -> tuple[WebhookEndpoint, str]:
    """A new secret signs from now on; the old one signs too until the overlap ends."""
    endpoint = await WEBHOOK_ENDPOINTS.get(session, principal, endpoint_id, for_update=True)
    secret = new_secret()
    now = clock.now()
    endpoint.previous_secret = endpoint.secret if overlap > timedelta(0) else None
    endpoint.previous_secret_expires_at = now + overlap if overlap > timedelta(0) else None
    endpoint.secret = box.seal(secret)
    endpoint.secret_rotated_at = now
    await audit(session, principal, "rotate_secret", "webhook_endpoint", [endpoint_id])
    await session.commit()
    await session.refresh(endpoint)
    return endpoint, secret


async def update_endpoint(
    *,
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    changes: dict[str, Any],
    hold_switched_off: timedelta,
    allow_plain_http: bool = False,
) -> WebhookEndpoint:
    """Change an endpoint; switched off, its waiting deliveries are held for
    `hold_switched_off` (then dead), switched on again, they are due."""
    if "url" in changes:
        problem = address_problem(changes["url"], allow_plain_http=allow_plain_http)
        if problem:
            raise InvalidFields({"url": problem})
    endpoint = await WEBHOOK_ENDPOINTS.get(session, principal, endpoint_id, for_update=True)
    was_active = endpoint.active
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if changes.get("active") and not was_active:
        # Deliveries that waited while it was off are due again.
        await cancel(session, SWITCHED_OFF_TIMER, str(endpoint_id))
        await session.execute(_NOTIFY)
    elif changes.get("active") is False and was_active:
        await schedule(
            session, SWITCHED_OFF_TIMER, str(endpoint_id), clock.now() + hold_switched_off
        )
    await audit(session, principal, "update", "webhook_endpoint", [endpoint_id])
    await session.commit()
    await session.refresh(endpoint)
    return endpoint


async def list_endpoints(
    *, session: AsyncSession, principal: Principal, agency: str | None, limit: int, offset: int
) -> tuple[list[WebhookEndpoint], int]:
    query = WEBHOOK_ENDPOINTS.select(principal)
    if agency is not None:
        query = query.where(WebhookEndpoint.agency == agency)
    endpoints, total = await count_and_page(
        session,
        query,
        order_by=(WebhookEndpoint.agency, WebhookEndpoint.created_at),
        limit=limit,
        offset=offset,
    )
    await session.commit()
    return endpoints, total


async def get_endpoint(
    *, session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await WEBHOOK_ENDPOINTS.get(session, principal, endpoint_id)
    await session.commit()
    return endpoint


async def list_deliveries(
    *,
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID | None = None,
    agency: str | None = None,
    state: WebhookState | None = None,
    event_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int,
) -> tuple[list[WebhookDelivery], int]:
    """The delivery log, newest first (states and references, never an event's body)."""
    query = WEBHOOK_DELIVERIES.select(principal)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if agency is not None:
        agencies = select(WebhookEndpoint.id).where(WebhookEndpoint.agency == agency)
        query = query.where(WebhookDelivery.endpoint_id.in_(agencies))
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if event_id is not None:
        query = query.where(WebhookDelivery.event_id == event_id)
    if since is not None:
        query = query.where(WebhookDelivery.created_at >= since)
    if until is not None:
        query = query.where(WebhookDelivery.created_at < until)
    deliveries, total = await count_and_page(
        session,
        query.options(selectinload(WebhookDelivery.attempt_log)),
        order_by=(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
        limit=limit,
        offset=offset,
    )
    await audit(session, principal, "list", "webhook_delivery", [d.id for d in deliveries])
    await session.commit()
    return deliveries, total


async def get_delivery(
    *, session: AsyncSession, principal: Principal, delivery_id: uuid.UUID
) -> WebhookDelivery:
    await WEBHOOK_DELIVERIES.get(session, principal, delivery_id)  # 404 out of scope
    await audit(session, principal, "read", "webhook_delivery", [delivery_id])
    await session.commit()
    return await _with_log(session, delivery_id)


async def replay_delivery(
    *, session: AsyncSession, principal: Principal, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Send a delivery once more, as a new delivery (a new `webhook-id`), on request."""
    original = await WEBHOOK_DELIVERIES.get(session, principal, delivery_id)
    _refuse_switched_off(await session.get(WebhookEndpoint, original.endpoint_id))
    replay_id = uuid.uuid4()
    await session.execute(
        insert(WebhookDelivery).values(
            id=replay_id,
            endpoint_id=original.endpoint_id,
            event_id=original.event_id,
            event_type=original.event_type,
            body=original.body,
            state=WebhookState.PENDING,
            replay_of=original.replay_of or original.id,
        )
    )
    await session.execute(_NOTIFY)
    await audit(session, principal, "replay", "webhook_delivery", [delivery_id])
    await session.commit()
    return await _with_log(session, replay_id)


async def replay_range(
    *,
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    since: datetime,
    until: datetime,
    only_dead: bool,
) -> int:
    """Send once more every event delivered (or dead) to an endpoint in [since, until)."""
    endpoint = await WEBHOOK_ENDPOINTS.get(session, principal, endpoint_id)  # 404 out of scope
    _refuse_switched_off(endpoint)
    if until <= since:
        raise InvalidFields({"until": "must be after since"})
    originals = select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint_id,
        WebhookDelivery.replay_of.is_(None),
        WebhookDelivery.created_at >= since,
        WebhookDelivery.created_at < until,
        WebhookDelivery.state.in_(
            [WebhookState.DEAD] if only_dead else [WebhookState.DEAD, WebhookState.DELIVERED]
        ),
    )
    count = await session.scalar(select(func.count()).select_from(originals.subquery()))
    if count and count > REPLAY_RANGE_LIMIT:
        raise Conflict(
            f"{count} deliveries in that range, more than {REPLAY_RANGE_LIMIT}: narrow it",
            code="replay-range-too-large",
        )
    rows = (await session.scalars(originals.order_by(WebhookDelivery.created_at))).all()
    if rows:
        await session.execute(
            insert(WebhookDelivery),
            [
                {
                    "id": uuid.uuid4(),
                    "endpoint_id": row.endpoint_id,
                    "event_id": row.event_id,
                    "event_type": row.event_type,
                    "body": row.body,
                    "state": WebhookState.PENDING,
                    "replay_of": row.id,
                }
                for row in rows
            ],
        )
        await session.execute(_NOTIFY)
    await audit(session, principal, "replay", "webhook_delivery", [row.id for row in rows])
    await session.commit()
    return len(rows)


def _refuse_switched_off(endpoint: WebhookEndpoint | None) -> None:
    # A replay to a switched-off endpoint would wait for nobody.
    if endpoint is None or not endpoint.active:
        raise Conflict(
            "the endpoint is switched off: switch it on before replaying",
            code="endpoint-switched-off",
        )


async def _with_log(session: AsyncSession, delivery_id: uuid.UUID) -> WebhookDelivery:
    delivery = await session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .options(selectinload(WebhookDelivery.attempt_log))
        .execution_options(populate_existing=True)
    )
    assert delivery is not None
    return delivery
