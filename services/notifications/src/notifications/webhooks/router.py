"""HTTP API of webhooks: administrators register endpoints, rotate secrets, read the
delivery log and replay deliveries. Thin: the use cases are in `service`."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.scope import applies_scope

from notifications.config import get_settings
from notifications.dependencies import WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, Administrator
from notifications.webhooks import service
from notifications.webhooks.policy import WebhookState
from notifications.webhooks.schemas import (
    EndpointChangeIn,
    EndpointIn,
    EndpointOut,
    EndpointWithSecretOut,
    ReplayRangeIn,
    ReplayRangeOut,
    RotationIn,
    WebhookDeliveryOut,
)
from notifications.webhooks.secretbox import SecretBox

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


def secret_box() -> SecretBox:
    return _box(get_settings().webhook_key_material())


@lru_cache(maxsize=4)
def _box(key_material: str) -> SecretBox:
    # The key derivation once per key, not per request; keyed by it, since an app's
    # settings (and so its key) are its own.
    return SecretBox(key_material)


@router.post(
    "/endpoints",
    status_code=status.HTTP_201_CREATED,
    summary="Register an agency's endpoint (its secret is in this answer only)",
)
async def create_endpoint(
    endpoint_in: EndpointIn, session: DbSession, principal: Administrator
) -> EndpointWithSecretOut:
    endpoint, secret = await service.create_endpoint(
        session=session,
        principal=principal,
        box=secret_box(),
        agency=endpoint_in.agency,
        url=str(endpoint_in.url),
        max_in_flight=endpoint_in.max_in_flight or get_settings().webhook_max_in_flight,
        allow_plain_http=get_settings().webhook_allow_plain_http,
    )
    return EndpointWithSecretOut.model_validate(endpoint).model_copy(update={"secret": secret})


@router.get("/endpoints", summary="Agencies' endpoints (never their secrets)")
async def list_endpoints(
    session: DbSession,
    principal: Administrator,
    agency: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EndpointOut]:
    endpoints, total = await service.list_endpoints(
        session=session, principal=principal, agency=agency, limit=limit, offset=offset
    )
    return Page(
        items=[EndpointOut.model_validate(e) for e in endpoints],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/endpoints/{endpoint_id}",
    dependencies=[applies_scope(WEBHOOK_ENDPOINTS)],
    summary="One endpoint",
)
async def read_endpoint(
    endpoint_id: uuid.UUID, session: DbSession, principal: Administrator
) -> EndpointOut:
    endpoint = await service.get_endpoint(
        session=session, principal=principal, endpoint_id=endpoint_id
    )
    return EndpointOut.model_validate(endpoint)


@router.patch(
    "/endpoints/{endpoint_id}",
    dependencies=[applies_scope(WEBHOOK_ENDPOINTS)],
    summary="Change the address or concurrency, switch off or on",
)
async def change_endpoint(
    endpoint_id: uuid.UUID, change: EndpointChangeIn, session: DbSession, principal: Administrator
) -> EndpointOut:
    changes = change.model_dump(exclude_none=True)
    if "url" in changes:
        changes["url"] = str(changes["url"])
    endpoint = await service.update_endpoint(
        session=session,
        principal=principal,
        endpoint_id=endpoint_id,
        changes=changes,
        hold_switched_off=timedelta(seconds=get_settings().webhook_retry_window_seconds),
        allow_plain_http=get_settings().webhook_allow_plain_http,
    )
    return EndpointOut.model_validate(endpoint)


@router.post(
    "/endpoints/{endpoint_id}/secret",
    dependencies=[applies_scope(WEBHOOK_ENDPOINTS)],
    summary="Rotate the secret: the new one in this answer only, the old one signs on "
    "for the overlap",
)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    session: DbSession,
    principal: Administrator,
    rotation: RotationIn | None = None,
) -> EndpointWithSecretOut:
    hours = rotation.overlap_hours if rotation and rotation.overlap_hours is not None else None
    overlap = timedelta(
        hours=get_settings().webhook_rotation_overlap_hours if hours is None else hours
    )
    endpoint, secret = await service.rotate_secret(
        session=session,
        principal=principal,
        box=secret_box(),
        endpoint_id=endpoint_id,
        overlap=overlap,
    )
    return EndpointWithSecretOut.model_validate(endpoint).model_copy(update={"secret": secret})


@router.post(
    "/endpoints/{endpoint_id}/replays",
    dependencies=[applies_scope(WEBHOOK_ENDPOINTS)],
    summary="Send once more what was delivered (or is dead) to an endpoint in a time range",
)
async def replay_range(
    endpoint_id: uuid.UUID, replay: ReplayRangeIn, session: DbSession, principal: Administrator
) -> ReplayRangeOut:
    replayed = await service.replay_range(
        session=session,
        principal=principal,
        endpoint_id=endpoint_id,
        since=replay.since,
        until=replay.until,
        only_dead=replay.only_dead,
    )
    return ReplayRangeOut(replayed=replayed)


@router.get("/deliveries", summary="The webhook delivery log, newest first")
async def list_deliveries(
    session: DbSession,
    principal: Administrator,
    endpoint_id: uuid.UUID | None = None,
    agency: Annotated[str | None, Query(max_length=100)] = None,
    state: WebhookState | None = None,
    event_id: Annotated[str | None, Query(max_length=200)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WebhookDeliveryOut]:
    deliveries, total = await service.list_deliveries(
        session=session,
        principal=principal,
        endpoint_id=endpoint_id,
        agency=agency,
        state=state,
        event_id=event_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[WebhookDeliveryOut.model_validate(d) for d in deliveries],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/deliveries/{delivery_id}",
    dependencies=[applies_scope(WEBHOOK_DELIVERIES)],
    summary="One delivery and its attempts",
)
async def read_delivery(
    delivery_id: uuid.UUID, session: DbSession, principal: Administrator
) -> WebhookDeliveryOut:
    delivery = await service.get_delivery(
        session=session, principal=principal, delivery_id=delivery_id
    )
    return WebhookDeliveryOut.model_validate(delivery)


@router.post(
    "/deliveries/{delivery_id}/replays",
    dependencies=[applies_scope(WEBHOOK_DELIVERIES)],
    status_code=status.HTTP_201_CREATED,
    summary="Send one delivery once more (a new delivery, with a new webhook-id)",
)
async def replay_delivery(
    delivery_id: uuid.UUID, session: DbSession, principal: Administrator
) -> WebhookDeliveryOut:
    delivery = await service.replay_delivery(
        session=session, principal=principal, delivery_id=delivery_id
    )
    return WebhookDeliveryOut.model_validate(delivery)
