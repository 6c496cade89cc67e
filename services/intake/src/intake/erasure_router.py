"""HTTP API of erasure requests: the data-protection officer's alone."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.scope import applies_scope

from intake import erasure
from intake.dependencies import ERASURE_REQUESTS, DataProtection
from intake.schemas import ErasureRequestIn, ErasureRequestOut

router = APIRouter(prefix="/erasure-requests", tags=["erasure"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Request the erasure of a household, person or volunteer in every service",
)
async def request_erasure(
    body: ErasureRequestIn, session: DbSession, principal: DataProtection
) -> ErasureRequestOut:
    request = await erasure.request_erasure(
        session=session,
        principal=principal,
        subject_kind=body.subject_kind,
        subject_id=body.subject_id,
        reason=body.reason,
    )
    return ErasureRequestOut.of(request)


@router.get("", summary="List erasure requests, newest first")
async def list_erasure_requests(
    session: DbSession,
    principal: DataProtection,
    open_only: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ErasureRequestOut]:
    rows, total = await erasure.list_requests(
        session=session, principal=principal, open_only=open_only, limit=limit, offset=offset
    )
    return Page(
        items=[ErasureRequestOut.of(row) for row in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{request_id}",
    summary="An erasure request and which services confirmed it",
    dependencies=[applies_scope(ERASURE_REQUESTS)],
)
async def get_erasure_request(
    request_id: uuid.UUID, session: DbSession, principal: DataProtection
) -> ErasureRequestOut:
    request = await erasure.get_request(session=session, principal=principal, request_id=request_id)
    return ErasureRequestOut.of(request)
