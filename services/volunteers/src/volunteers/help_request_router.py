"""HTTP API of help requests: thin, the rules live in domain.py and help_requests.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from teilhabe import clock
from teilhabe.api.dependencies import DbSession
from teilhabe.scope import applies_scope

from volunteers import help_requests
from volunteers.dependencies import (
    HELP_REQUESTS,
    Requester,
    RequesterOrVolunteer,
    SignedInVolunteer,
)
from volunteers.schemas import HelpRequestIn, HelpRequestOut

router = APIRouter(tags=["help requests"])


@router.post(
    "/help-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask the volunteer pool for help; offered to the volunteers who match it",
)
async def ask_for_help(
    request_in: HelpRequestIn, session: DbSession, principal: Requester
) -> HelpRequestOut:
    return await help_requests.ask(session=session, principal=principal, request_in=request_in)


@router.get(
    "/help-requests",
    summary="Help requests from now (or `since`): staff their own (coordinators all), "
    "a volunteer those open to them and those they took",
)
async def list_help_requests(
    session: DbSession,
    principal: RequesterOrVolunteer,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HelpRequestOut]:
    return await help_requests.get_all(
        session=session, principal=principal, since=since or clock.now(), limit=limit
    )


@router.get(
    "/help-requests/{help_request_id}",
    dependencies=[applies_scope(HELP_REQUESTS)],
    summary="Read a help request",
)
async def read_help_request(
    help_request_id: uuid.UUID, session: DbSession, principal: RequesterOrVolunteer
) -> HelpRequestOut:
    return await help_requests.get(
        session=session, principal=principal, help_request_id=help_request_id
    )


@router.post(
    "/help-requests/{help_request_id}/accept",
    dependencies=[applies_scope(HELP_REQUESTS)],
    summary="Take the request (the signed-in volunteer); 409 once someone else took it",
)
async def accept_help_request(
    help_request_id: uuid.UUID, session: DbSession, principal: SignedInVolunteer
) -> HelpRequestOut:
    return await help_requests.accept(
        session=session, principal=principal, help_request_id=help_request_id
    )


@router.post(
    "/help-requests/{help_request_id}/withdraw",
    dependencies=[applies_scope(HELP_REQUESTS)],
    summary="Withdraw the request before its time (who asked, or a coordinator); the "
    "volunteers it was offered to, or the one who took it, are told",
)
async def withdraw_help_request(
    help_request_id: uuid.UUID, session: DbSession, principal: Requester
) -> HelpRequestOut:
    return await help_requests.withdraw(
        session=session, principal=principal, help_request_id=help_request_id
    )
