"""Consent to share with partner agencies: recorded and revoked by the caseworker.

Each change and its event (consent.granted / consent.revoked) commit together; the
agency gateway in notifications lets events about a person through to an agency only
while a consent for it stands.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound
from teilhabe.auth import Principal
from teilhabe.events.consent import ConsentGranted, ConsentRevoked

from intake.dependencies import CONSENTS, HOUSEHOLDS
from intake.models import Consent
from intake.schemas import ConsentIn
from intake.service import audit, outbox

RESOURCE = "consent"
UNKNOWN_AGENCY = "not a partner agency a consent may name"


async def list_consents(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> list[Consent]:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    consents = list(
        await session.scalars(
            select(Consent)
            .where(Consent.household_id == household.id)
            .order_by(Consent.granted_on.desc(), Consent.created_at.desc())
        )
    )
    await audit(session, principal, "read", RESOURCE, [c.id for c in consents] or [household.id])
    await session.commit()
    return consents


async def grant(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    consent: ConsentIn,
    today: date,
    agencies: Collection[str],
) -> Consent:
    """Record a consent to share with one of `agencies` (the setting CONSENT_AGENCIES)."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    problems: dict[str, str] = {}
    if consent.agency not in agencies:
        # A consent for an agency nobody can deliver to would gate nothing, unnoticed.
        problems["agency"] = UNKNOWN_AGENCY
    if consent.member_id not in {m.id for m in household.members}:
        problems["member_id"] = "not a member of this household"
    if consent.granted_on > today:
        problems["granted_on"] = "must not be in the future"
    if problems:
        raise InvalidFields(problems)
    record = Consent(
        id=uuid.uuid4(),
        household_id=household.id,
        recorded_by=principal.subject,
        **consent.model_dump(),
    )
    session.add(record)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            f"a consent for {consent.agency} ({consent.purpose}) stands already",
            code="consent-exists",
        ) from None
    await outbox.add(
        session,
        ConsentGranted(
            consent_id=record.id,
            household_id=record.household_id,
            member_id=record.member_id,
            agency=record.agency,
            purpose=record.purpose,
            granted_on=record.granted_on,
        ),
    )
    await audit(session, principal, "create", RESOURCE, [record.id])
    await session.commit()
    return record


async def revoke(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    consent_id: uuid.UUID,
    revoked_on: date | None,
    today: date,
) -> Consent:
    record = await CONSENTS.get(session, principal, consent_id, for_update=True)
    if record.household_id != household_id:  # another household's: not found here
        raise NotFound(CONSENTS.resource)
    if record.revoked_on is not None:
        raise Conflict("the consent is revoked already", code="consent-revoked")
    day = revoked_on or today
    if day > today:
        raise InvalidFields({"revoked_on": "must not be in the future"})
    if day < record.granted_on:
        raise InvalidFields({"revoked_on": "must not be before the consent was given"})
    record.revoked_on = day
    record.revoked_by = principal.subject
    await outbox.add(
        session,
        ConsentRevoked(
            consent_id=record.id,
            household_id=record.household_id,
            member_id=record.member_id,
            agency=record.agency,
            purpose=record.purpose,
            revoked_on=day,
        ),
    )
    await audit(session, principal, "update", RESOURCE, [record.id])
    await session.commit()
    return record
