"""The daily digest: one e-mail a day, at the recipient's chosen local time, holding every
e-mail held for it since the last one, each once.

E-mails for a recipient with a digest time are created `held` (domain.email_plan). A
durable timer per recipient (kind DIGEST_TIMER, key the recipient id) fires at the digest
time; in the timer worker's transaction it writes the digest as a delivery of its own and
marks what it holds `bundled` with the digest's id, then moves itself to the next day's
digest time. A timer firing twice finds nothing held the second time: no second digest.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock, timers
from teilhabe.timers import Again, DueTimer, Timer

from notifications import messages, timing
from notifications.domain import Channel, DeliveryStatus
from notifications.models import Delivery, Recipient

DIGEST_TIMER = "notifications.digest"
DIGEST_EVENT_TYPE = "digest"
# Wakes the e-mail sender when a transaction that queued e-mails commits.
EMAIL_NOTIFY_CHANNEL = "notifications_email"


async def wake_sender(session: AsyncSession) -> None:
    """Delivered by PostgreSQL on commit only: the sender wakes for committed rows."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": EMAIL_NOTIFY_CHANNEL})


def delivery_times(recipient: Recipient) -> timing.DeliveryTimes:
    return timing.DeliveryTimes(
        time_zone=recipient.time_zone,
        quiet_from=recipient.quiet_from,
        quiet_until=recipient.quiet_until,
        digest_at=recipient.digest_at,
    )


async def ensure_timers(
    session: AsyncSession, held_for: Mapping[str, timing.DeliveryTimes], now: datetime
) -> None:
    """Make sure each recipient who now has held e-mails has a digest timer (an existing
    one keeps its time)."""
    due = [
        Timer(DIGEST_TIMER, recipient_id, at)
        for recipient_id, times in sorted(held_for.items())
        if (at := timing.next_digest(now, times)) is not None
    ]
    if due:
        await timers.ensure_all(session, due)
        await session.execute(
            text("SELECT pg_notify(:channel, '')"), {"channel": timers.TIMER_NOTIFY_CHANNEL}
        )


async def reschedule(session: AsyncSession, recipient: Recipient) -> None:
    """After a recipient changed their choices: the digest timer at its new time, or,
    without a digest, no timer and the held e-mails on their way one by one."""
    now = clock.now()
    times = delivery_times(recipient)
    at = timing.next_digest(now, times)
    if at is None:
        await timers.cancel(session, DIGEST_TIMER, recipient.id)
        await release_held(session, recipient.id, times, now)
    else:
        await timers.schedule(session, DIGEST_TIMER, recipient.id, at)


async def release_held(
    session: AsyncSession, recipient_id: str, times: timing.DeliveryTimes, now: datetime
) -> None:
    released = await session.execute(
        update(Delivery)
        .where(Delivery.recipient_id == recipient_id, Delivery.status == DeliveryStatus.HELD)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=timing.sending_time(now, times))
        .returning(Delivery.id)
    )
    if released.first() is not None:
        await wake_sender(session)


async def send_digest(session: AsyncSession, timer: DueTimer) -> Again | None:
    """The digest timer: write the digest of what is held, then wait for the next one."""
    now = clock.now()
    recipient = await session.get(Recipient, timer.key, populate_existing=True)
    if recipient is None:  # removed from the directory: its e-mails have nowhere to go
        return None
    times = delivery_times(recipient)
    if times.digest_at is None:
        await release_held(session, recipient.id, times, now)
        return None
    held = list(
        await session.scalars(
            select(Delivery)
            .where(Delivery.recipient_id == recipient.id, Delivery.status == DeliveryStatus.HELD)
            .order_by(Delivery.created_at, Delivery.id)
            .with_for_update()
        )
    )
    if held:
        await _write_digest(session, recipient, times, held, now)
    next_at = timing.next_digest(now, times)
    assert next_at is not None
    return Again(at=next_at, payload={})


async def _write_digest(
    session: AsyncSession,
    recipient: Recipient,
    times: timing.DeliveryTimes,
    held: list[Delivery],
    now: datetime,
) -> None:
    message = messages.render_digest(
        recipient.language,
        day=now.astimezone(times.zone).date(),
        entries=[messages.Message(h.language, h.title, h.body) for h in held],
        recipient_name=recipient.name,
    )
    digest_id = uuid.uuid4()
    session.add(
        Delivery(
            id=digest_id,
            event_id=f"{DIGEST_EVENT_TYPE}:{digest_id}",
            event_type=DIGEST_EVENT_TYPE,
            recipient_id=recipient.id,
            channel=Channel.EMAIL,
            language=message.language,
            title=message.title,
            body=message.body,
            address=recipient.email or held[-1].address,
            status=DeliveryStatus.PENDING,
            next_attempt_at=timing.sending_time(now, times),
        )
    )
    await session.flush()
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_([h.id for h in held]))
        .values(status=DeliveryStatus.BUNDLED, digest_id=digest_id, sent_at=now)
    )
    await wake_sender(session)
