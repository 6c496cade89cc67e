"""HTTP API of the agency registry and subscription table (administrators only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from teilhabe.api.dependencies import DbSession
from teilhabe.scope import applies_scope

from notifications import agencies
from notifications.dependencies import AGENCIES, SUBSCRIPTIONS, Administrator
from notifications.schemas import AgencyIn, AgencyOut, SubscriptionIn, SubscriptionOut

router = APIRouter(prefix="/agencies", tags=["agencies"])


@router.get("", summary="The partner agencies and what each hears of")
async def list_agencies(session: DbSession, principal: Administrator) -> list[AgencyOut]:
    found = await agencies.list_agencies(session=session, principal=principal)
    return [AgencyOut.model_validate(agency) for agency in found]


@router.put(
    "/{agency_id}",
    dependencies=[applies_scope(AGENCIES)],
    summary="Register an agency (its name is its broker user) or rename it",
)
async def put_agency(
    agency_id: str, agency_in: AgencyIn, session: DbSession, principal: Administrator
) -> AgencyOut:
    agency = await agencies.put_agency(
        session=session, principal=principal, agency_id=agency_id, agency_in=agency_in
    )
    return AgencyOut.model_validate(agency)


@router.post(
    "/{agency_id}/subscriptions",
    status_code=status.HTTP_201_CREATED,
    dependencies=[applies_scope(AGENCIES)],
    summary="Subscribe an agency to an event type, for a purpose, with the fields it sees",
)
async def subscribe(
    agency_id: str, subscription: SubscriptionIn, session: DbSession, principal: Administrator
) -> SubscriptionOut:
    created = await agencies.subscribe(
        session=session, principal=principal, agency_id=agency_id, subscription=subscription
    )
    return SubscriptionOut.model_validate(created)


@router.delete(
    "/{agency_id}/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[applies_scope(SUBSCRIPTIONS)],
    summary="End a subscription: the agency hears of that type no more",
)
async def unsubscribe(
    agency_id: str, subscription_id: uuid.UUID, session: DbSession, principal: Administrator
) -> None:
    await agencies.unsubscribe(
        session=session, principal=principal, agency_id=agency_id, subscription_id=subscription_id
    )
