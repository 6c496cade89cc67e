"""Notifications' part of an erasure: the notices about a household or to a volunteer,
with their e-mail copies in the delivery log, and the read models naming them."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.erasure import ErasureSubject
from teilhabe.sealing import destroy_keys

from notifications.domain import VOLUNTEER_PREFIX
from notifications.models import (
    AgencyConsent,
    AgencyHousehold,
    Delivery,
    Household,
    Mentorship,
    Preference,
    Recipient,
    WebhookDelivery,
    subject_key,
)


async def erase(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    # Events kept for an agency's webhook that mention the subject (their attempts follow).
    sent_on = await session.execute(
        text(
            f"DELETE FROM {WebhookDelivery.__tablename__} "  # noqa: S608 - a table name
            "WHERE position(CAST(:needle AS bytea) IN body) > 0"
        ),
        {"needle": str(subject_id).encode()},
    )
    return int(getattr(sent_on, "rowcount", 0) or 0) + await _erase_own(session, kind, subject_id)


async def _erase_own(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    if kind is ErasureSubject.MEMBER:
        # Notices name households, never their people; consents are per person.
        gone = await session.execute(
            delete(AgencyConsent).where(AgencyConsent.member_id == subject_id)
        )
        # Nor is their consent needed any more for their household's events.
        await session.execute(
            update(AgencyHousehold)
            .where(AgencyHousehold.deciding_members.contains([subject_id]))
            .values(
                deciding_members=func.array_remove(AgencyHousehold.deciding_members, subject_id)
            )
        )
        return int(getattr(gone, "rowcount", 0) or 0)
    deletions: list[tuple[type, ColumnElement[bool]]]
    if kind is ErasureSubject.HOUSEHOLD:
        deletions = [
            # The delivery log's attempts go with their delivery (ON DELETE CASCADE).
            (Delivery, Delivery.household_id == subject_id),
            (Mentorship, Mentorship.household_id == subject_id),
            (AgencyConsent, AgencyConsent.household_id == subject_id),
            (AgencyHousehold, AgencyHousehold.household_id == subject_id),
            (Household, Household.id == subject_id),
        ]
    else:
        recipient = f"{VOLUNTEER_PREFIX}{subject_id}"
        deletions = [
            # Notices to them, and about them (their name is in the text).
            (
                Delivery,
                or_(Delivery.recipient_id == recipient, Delivery.volunteer_id == subject_id),
            ),
            (Preference, Preference.recipient_id == recipient),
            (Mentorship, Mentorship.volunteer_id == subject_id),
            (Recipient, Recipient.id == recipient),
        ]
    removed = 0
    # A daily digest copies the texts it holds: it goes with any of them.
    (_, about) = deletions[0]
    digests = await session.execute(
        delete(Delivery).where(
            Delivery.id.in_(
                select(Delivery.digest_id).where(about, Delivery.digest_id.is_not(None))
            )
        )
    )
    removed += int(getattr(digests, "rowcount", 0) or 0)
    for model, condition in deletions:
        result = await session.execute(delete(model).where(condition))
        removed += int(getattr(result, "rowcount", 0) or 0)
    if kind is ErasureSubject.VOLUNTEER:
        # Shred: their sealed name and address, in any copy of an event, stop opening.
        removed += await destroy_keys(session, subject_key, [subject_id])
    return removed
