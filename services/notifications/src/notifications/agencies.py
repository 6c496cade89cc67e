"""The agency registry and subscription table, kept by an administrator.

Which agency hears of which event type, for which purpose, with which fields: data, not
code. The agency gateway (`notifications.gateway`) reads it for every event.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound
from teilhabe.auth import Principal
from teilhabe.events.catalogue import CATALOGUE, EventPayload, load_catalogue
from teilhabe.messaging.agencies import AGENCY_NAME

from notifications.dependencies import AGENCIES, SUBSCRIPTIONS
from notifications.models import Agency, AgencySubscription
from notifications.schemas import AgencyIn, SubscriptionIn


def shareable_model(event_type: str) -> type[EventPayload] | None:
    """The newest version of a type agencies may subscribe to, or None."""
    load_catalogue()
    models = [m for (t, _), m in CATALOGUE.items() if t == event_type and m.consent_subject]
    return max(models, key=lambda m: m.event_version) if models else None


def subscription_problems(subscription: SubscriptionIn) -> dict[str, str]:
    problems: dict[str, str] = {}
    model = shareable_model(subscription.event_type)
    if model is None:
        problems["event_type"] = "not an event type agencies may subscribe to"
    else:
        unknown = sorted(set(subscription.fields) - set(model.model_fields))
        if unknown:
            problems["fields"] = f"not fields of {model.event_type}: {', '.join(unknown)}"
    if subscription.statutory and not subscription.legal_basis:
        problems["legal_basis"] = "a statutory flow names its legal basis"
    return problems


async def list_agencies(*, session: AsyncSession, principal: Principal) -> list[Agency]:
    query = AGENCIES.select(principal).order_by(Agency.id)
    return list(await session.scalars(query))


async def put_agency(
    *, session: AsyncSession, principal: Principal, agency_id: str, agency_in: AgencyIn
) -> Agency:
    if not AGENCY_NAME.fullmatch(agency_id):
        raise InvalidFields({"agency_id": "lower-case letters, digits and '-', 2 to 63"})
    agency = await session.get(Agency, agency_id)
    if agency is None:
        agency = Agency(id=agency_id, display_name=agency_in.display_name, subscriptions=[])
        session.add(agency)
    else:
        agency = await AGENCIES.get(session, principal, agency_id)
        agency.display_name = agency_in.display_name
    await session.commit()
    return await AGENCIES.get(session, principal, agency_id)


async def subscribe(
    *,
    session: AsyncSession,
    principal: Principal,
    agency_id: str,
    subscription: SubscriptionIn,
) -> AgencySubscription:
    agency = await AGENCIES.get(session, principal, agency_id)
    problems = subscription_problems(subscription)
    if problems:
        raise InvalidFields(problems)
    record = AgencySubscription(
        id=uuid.uuid4(),
        agency_id=agency.id,
        event_type=subscription.event_type,
        purpose=subscription.purpose,
        fields=sorted(set(subscription.fields)),
        statutory=subscription.statutory,
        legal_basis=subscription.legal_basis,
    )
    session.add(record)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"{agency_id} is subscribed to {subscription.event_type} for "
            f"{subscription.purpose} already",
            code="subscription-exists",
        ) from None
    return record


async def unsubscribe(
    *, session: AsyncSession, principal: Principal, agency_id: str, subscription_id: uuid.UUID
) -> None:
    query = SUBSCRIPTIONS.select(principal).where(
        AgencySubscription.id == subscription_id, AgencySubscription.agency_id == agency_id
    )
    record = await session.scalar(query)
    if record is None:  # missing, another agency's, or out of scope: alike
        raise NotFound(SUBSCRIPTIONS.resource)
    await session.delete(record)
    await session.commit()
