"""HTTP API of school-place requests: the list, one request, and recording its outcome."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.scope import applies_scope

from courses import school_places
from courses.dependencies import SCHOOL_PLACES, CourseManagers, Enrollers
from courses.domain import PENDING_SCHOOL_PLACES, SchoolPlaceStatus
from courses.schemas import SchoolPlaceOutcomeIn, SchoolPlaceRequestOut

router = APIRouter(tags=["school places"])


@router.get(
    "/school-place-requests",
    summary="Children's school and Kita place requests, longest waiting first",
)
async def list_requests(
    session: DbSession,
    principal: Enrollers,
    status: Annotated[
        list[SchoolPlaceStatus] | None,
        Query(description="Which to list; without it, those still to be met (open, waiting)"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SchoolPlaceRequestOut]:
    items, total = await school_places.get_requests(
        session=session,
        principal=principal,
        statuses=frozenset(status) if status else PENDING_SCHOOL_PLACES,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/school-place-requests/{member_id}",
    summary="One child's school-place request and what became of it",
    dependencies=[applies_scope(SCHOOL_PLACES)],
)
async def read_request(
    member_id: uuid.UUID, session: DbSession, principal: Enrollers
) -> SchoolPlaceRequestOut:
    return await school_places.get_request(
        session=session, principal=principal, member_id=member_id
    )


@router.post(
    "/school-place-requests/{member_id}/outcome",
    summary="Record a request's outcome: placed at a school or Kita, waiting, or closed",
    dependencies=[applies_scope(SCHOOL_PLACES)],
)
async def record_outcome(
    member_id: uuid.UUID,
    outcome_in: SchoolPlaceOutcomeIn,
    session: DbSession,
    principal: CourseManagers,
) -> SchoolPlaceRequestOut:
    return await school_places.record_outcome(
        session=session, principal=principal, member_id=member_id, outcome_in=outcome_in
    )
