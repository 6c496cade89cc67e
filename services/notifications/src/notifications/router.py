"""HTTP API of notifications: thin, every rule lives in domain.py and service.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.auth import Role
from teilhabe.scope import applies_scope

from notifications import service
from notifications.dependencies import (
    DELIVERIES,
    NOTIFICATIONS,
    RECIPIENTS,
    Administrator,
    AnyRecipient,
    StaffMember,
)
from notifications.domain import Channel, DeliveryStatus, RecipientKind
from notifications.schemas import (
    DeliveryOut,
    DeliveryTimesIn,
    DeliveryTimesOut,
    InboxPage,
    MeIn,
    NotificationOut,
    PreferenceOut,
    PreferencesIn,
    ReadAllIn,
    ReadAllOut,
    RecipientIn,
    RecipientOut,
)


async def know_caller(principal: AnyRecipient, session: DbSession) -> None:
    """Staff are recipients from their first call on, with name, e-mail and roles from the token."""
    await service.know_caller(session=session, principal=principal)


# Every call first makes sure a staff caller is in the directory (cheap after the first).
router = APIRouter(dependencies=[Depends(know_caller)])


@router.get("/me", tags=["me"], summary="My directory entry")
async def read_me(session: DbSession, principal: AnyRecipient) -> RecipientOut:
    return RecipientOut.model_validate(await service.get_me(session=session, principal=principal))


@router.put("/me", tags=["me"], summary="Create or update my directory entry (staff)")
async def put_me(me_in: MeIn, session: DbSession, principal: StaffMember) -> RecipientOut:
    recipient = await service.put_me(session=session, principal=principal, me_in=me_in)
    return RecipientOut.model_validate(recipient)


@router.get("/me/preferences", tags=["me"], summary="Which channels are on, per event type")
async def read_preferences(session: DbSession, principal: AnyRecipient) -> list[PreferenceOut]:
    return await service.get_preferences(session=session, principal=principal)


@router.put("/me/preferences", tags=["me"], summary="Turn channels on or off per event type")
async def put_preferences(
    preferences_in: PreferencesIn, session: DbSession, principal: AnyRecipient
) -> list[PreferenceOut]:
    return await service.put_preferences(
        session=session, principal=principal, preferences_in=preferences_in
    )


@router.get("/me/delivery-times", tags=["me"], summary="When e-mails reach me")
async def read_delivery_times(session: DbSession, principal: AnyRecipient) -> DeliveryTimesOut:
    recipient = await service.get_delivery_times(session=session, principal=principal)
    return DeliveryTimesOut.model_validate(recipient)


@router.put(
    "/me/delivery-times",
    tags=["me"],
    summary="Set my time zone, quiet hours and daily digest",
)
async def put_delivery_times(
    times_in: DeliveryTimesIn, session: DbSession, principal: AnyRecipient
) -> DeliveryTimesOut:
    recipient = await service.put_delivery_times(
        session=session, principal=principal, times_in=times_in
    )
    return DeliveryTimesOut.model_validate(recipient)


@router.get("/inbox", tags=["inbox"], summary="My notifications, newest first")
async def read_inbox(
    session: DbSession,
    principal: AnyRecipient,
    unread: Annotated[bool, Query(description="Only notifications not yet read")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> InboxPage:
    items, total, unread_count = await service.get_inbox(
        session=session, principal=principal, unread_only=unread, limit=limit, offset=offset
    )
    return InboxPage(
        items=[NotificationOut.model_validate(item) for item in items],
        total=total,
        limit=limit,
        offset=offset,
        unread=unread_count,
    )


@router.get(
    "/inbox/{notification_id}",
    dependencies=[applies_scope(NOTIFICATIONS)],
    tags=["inbox"],
    summary="One of my notifications",
)
async def read_notification(
    notification_id: uuid.UUID, session: DbSession, principal: AnyRecipient
) -> NotificationOut:
    notification = await service.get_notification(
        session=session, principal=principal, notification_id=notification_id
    )
    return NotificationOut.model_validate(notification)


@router.post(
    "/inbox/{notification_id}/read",
    dependencies=[applies_scope(NOTIFICATIONS)],
    tags=["inbox"],
    summary="Mark as read",
)
async def mark_read(
    notification_id: uuid.UUID, session: DbSession, principal: AnyRecipient
) -> NotificationOut:
    notification = await service.mark_read(
        session=session, principal=principal, notification_id=notification_id
    )
    return NotificationOut.model_validate(notification)


@router.post("/inbox/read-all", tags=["inbox"], summary="Mark all my notifications as read")
async def mark_all_read(
    session: DbSession, principal: AnyRecipient, read_all_in: ReadAllIn | None = None
) -> ReadAllOut:
    marked = await service.mark_all_read(
        session=session, principal=principal, until=read_all_in.until if read_all_in else None
    )
    return ReadAllOut(marked=marked)


@router.get("/recipients", tags=["administration"], summary="The recipient directory")
async def list_recipients(
    session: DbSession,
    principal: Administrator,
    role: Role | None = None,
    kind: RecipientKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RecipientOut]:
    recipients, total = await service.get_all_recipients(
        session=session, principal=principal, role=role, kind=kind, limit=limit, offset=offset
    )
    return Page(
        items=[RecipientOut.model_validate(r) for r in recipients],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/recipients/{recipient_id}",
    dependencies=[applies_scope(RECIPIENTS)],
    tags=["administration"],
    summary="One entry",
)
async def read_recipient(
    recipient_id: str, session: DbSession, principal: Administrator
) -> RecipientOut:
    recipient = await service.get_recipient(
        session=session, principal=principal, recipient_id=recipient_id
    )
    return RecipientOut.model_validate(recipient)


@router.put(
    "/recipients/{recipient_id}",
    dependencies=[applies_scope(RECIPIENTS)],
    tags=["administration"],
    summary="Create or edit",
)
async def put_recipient(
    recipient_id: str, recipient_in: RecipientIn, session: DbSession, principal: Administrator
) -> RecipientOut:
    recipient = await service.put_recipient(
        session=session, principal=principal, recipient_id=recipient_id, recipient_in=recipient_in
    )
    return RecipientOut.model_validate(recipient)


@router.delete(
    "/recipients/{recipient_id}",
    dependencies=[applies_scope(RECIPIENTS)],
    tags=["administration"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an entry and its settings",
)
async def delete_recipient(recipient_id: str, session: DbSession, principal: Administrator) -> None:
    await service.delete_recipient(session=session, principal=principal, recipient_id=recipient_id)


@router.get("/deliveries", tags=["administration"], summary="The delivery log, newest first")
async def list_deliveries(
    session: DbSession,
    principal: Administrator,
    status: DeliveryStatus | None = None,
    channel: Channel | None = None,
    recipient_id: str | None = None,
    event_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DeliveryOut]:
    deliveries, total = await service.get_deliveries(
        session=session,
        principal=principal,
        status=status,
        channel=channel,
        recipient_id=recipient_id,
        event_id=event_id,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[DeliveryOut.model_validate(d) for d in deliveries],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/deliveries/{delivery_id}/retry",
    dependencies=[applies_scope(DELIVERIES)],
    tags=["administration"],
    summary="Send a failed e-mail again, with a new round of attempts",
)
async def retry_delivery(
    delivery_id: uuid.UUID, session: DbSession, principal: Administrator
) -> DeliveryOut:
    delivery = await service.retry_delivery(
        session=session, principal=principal, delivery_id=delivery_id
    )
    return DeliveryOut.model_validate(delivery)
