"""Use cases of referrals: a caseworker refers a household member to a partner agency or a
service with a purpose; the referral is sent, then accepted or declined, then done.
Addressed to a connected agency, each step travels as an event through the agency
gateway, which lets it through to that agency only with the person's consent. Seen by
whoever sees the household."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.events.households import ReferralSent, ReferralStateChanged

from intake import domain
from intake.dependencies import HOUSEHOLDS
from intake.models import Household, Referral
from intake.schemas import ReferralIn, ReferralStateIn
from intake.service import audit, outbox

RESOURCE = "referral"
UNKNOWN_AGENCY = "not a partner agency known to the city"


async def refer(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    referral_in: ReferralIn,
    today: date,
    agencies: Collection[str],
) -> Referral:
    """Refer a member; a named agency is one of `agencies` (the setting CONSENT_AGENCIES,
    the partner agencies the city knows, as for consents)."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    closed = domain.case_closed_refusal(household.closed_on)
    if closed is not None:
        raise_refusal(closed)
    problems: dict[str, str] = {}
    if referral_in.member_id not in {m.id for m in household.members}:
        problems["member_id"] = "not a member of this household"
    if referral_in.agency is not None and referral_in.agency not in agencies:
        # Its steps would travel to an agency nobody can deliver to, unnoticed.
        problems["agency"] = UNKNOWN_AGENCY
    if problems:
        raise InvalidFields(problems)
    referral = Referral(
        id=uuid.uuid4(),
        household_id=household.id,
        member_id=referral_in.member_id,
        target=referral_in.target,
        agency=referral_in.agency,
        purpose=referral_in.purpose,
        state=domain.ReferralState.SENT,
        sent_on=today,
        created_by=principal.subject,
    )
    session.add(referral)
    await outbox.add(
        session,
        ReferralSent(
            referral_id=referral.id,
            household_id=household.id,
            member_id=referral.member_id,
            target=referral.target,
            agency=referral.agency,
            sent_on=today,
        ),
    )
    await audit(session, principal, "create", RESOURCE, [referral.id])
    await session.commit()
    return referral


async def change_state(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    referral_id: uuid.UUID,
    state_in: ReferralStateIn,
    today: date,
) -> Referral:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    referral = await session.scalar(
        select(Referral)
        .where(Referral.id == referral_id, Referral.household_id == household.id)
        .with_for_update()
    )
    if referral is None:
        raise NotFound("referral")
    refusal = domain.referral_step_refusal(domain.ReferralState(referral.state), state_in.state)
    if refusal is not None:
        raise_refusal(refusal)
    referral.state = state_in.state
    referral.state_changed_on = today
    referral.state_changed_by = principal.subject
    await outbox.add(
        session,
        ReferralStateChanged(
            referral_id=referral.id,
            household_id=referral.household_id,
            member_id=referral.member_id,
            agency=referral.agency,
            state=state_in.state,
            changed_on=today,
        ),
    )
    await audit(session, principal, "update", RESOURCE, [referral.id])
    await session.commit()
    return referral


async def of_household(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    action: str = "read",
) -> tuple[Household, list[Referral]]:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    found = list(
        await session.scalars(
            select(Referral)
            .where(Referral.household_id == household.id)
            .order_by(Referral.sent_on.desc(), Referral.created_at.desc())
        )
    )
    await audit(session, principal, action, RESOURCE, [r.id for r in found])
    await session.commit()
    return household, found
