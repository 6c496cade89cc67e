"""HTTP API of volunteers: thin, every rule lives in domain.py and service.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from volunteers import service
from volunteers.dependencies import (
    HOUSEHOLDS,
    MATCHES,
    VOLUNTEERS,
    Coordinator,
    CoordinatorOrVolunteer,
    Rules,
    SignedInVolunteer,
)
from volunteers.schemas import (
    ClearanceIn,
    ClearanceOut,
    MatchEndIn,
    MatchIn,
    MatchOut,
    SuggestionOut,
    VolunteerIn,
    VolunteerOut,
)

router = APIRouter()


@router.post(
    "/volunteers",
    status_code=status.HTTP_201_CREATED,
    tags=["volunteers"],
    summary="Register a volunteer",
)
async def register_volunteer(
    volunteer_in: VolunteerIn, session: DbSession, principal: Coordinator
) -> VolunteerOut:
    volunteer = await service.register(
        session=session, principal=principal, volunteer_in=volunteer_in
    )
    return VolunteerOut.model_validate(volunteer)


@router.get("/volunteers", tags=["volunteers"], summary="The registry, by language and skill")
async def list_volunteers(
    session: DbSession,
    principal: Coordinator,
    language: Annotated[
        str | None, Query(max_length=16, description="Speaks this language (ISO 639)")
    ] = None,
    skill: Annotated[
        str | None, Query(max_length=100, description="Has a skill containing this text")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[VolunteerOut]:
    volunteers, total = await service.get_all(
        session=session,
        principal=principal,
        language=language,
        skill=skill,
        limit=limit,
        offset=offset,
    )
    items = [VolunteerOut.model_validate(v) for v in volunteers]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/volunteers/me", tags=["volunteers"], summary="The signed-in volunteer's own record")
async def read_own_record(session: DbSession, principal: SignedInVolunteer) -> VolunteerOut:
    return VolunteerOut.model_validate(await service.get_own(session=session, principal=principal))


@router.get(
    "/volunteers/me/matches", tags=["matches"], summary="The signed-in volunteer's own matches"
)
async def read_own_matches(session: DbSession, principal: SignedInVolunteer) -> list[MatchOut]:
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=None
    )
    return [MatchOut.model_validate(m) for m in matches]


@router.get(
    "/volunteers/{volunteer_id}",
    dependencies=[applies_scope(VOLUNTEERS)],
    tags=["volunteers"],
    summary="Read a volunteer (a volunteer: only themself)",
)
async def read_volunteer(
    volunteer_id: uuid.UUID, session: DbSession, principal: CoordinatorOrVolunteer
) -> VolunteerOut:
    volunteer = await service.get(session=session, principal=principal, volunteer_id=volunteer_id)
    return VolunteerOut.model_validate(volunteer)


@router.get(
    "/volunteers/{volunteer_id}/matches",
    dependencies=[applies_scope(VOLUNTEERS, MATCHES)],
    tags=["matches"],
    summary="A volunteer's matches (a volunteer: only their own)",
)
async def read_volunteer_matches(
    volunteer_id: uuid.UUID, session: DbSession, principal: CoordinatorOrVolunteer
) -> list[MatchOut]:
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=volunteer_id
    )
    return [MatchOut.model_validate(m) for m in matches]


@router.put(
    "/volunteers/{volunteer_id}/clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
    tags=["clearance"],
    summary="Record an inspected extended police clearance (§72a SGB VIII)",
)
async def record_clearance(
    volunteer_id: uuid.UUID,
    clearance_in: ClearanceIn,
    session: DbSession,
    principal: Coordinator,
    rules: Rules,
) -> ClearanceOut:
    return await service.record_clearance(
        session=session,
        principal=principal,
        volunteer_id=volunteer_id,
        clearance_in=clearance_in,
        today=today(),
        rules=rules,
    )


@router.get(
    "/volunteers/{volunteer_id}/clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
    tags=["clearance"],
    summary="Read the recorded clearance and whether it allows work with minors",
)
async def read_clearance(
    volunteer_id: uuid.UUID, session: DbSession, principal: Coordinator, rules: Rules
) -> ClearanceOut:
    return await service.get_clearance(
        session=session, principal=principal, volunteer_id=volunteer_id, today=today(), rules=rules
    )


@router.delete(
    "/volunteers/{volunteer_id}/clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["clearance"],
    summary="Delete the clearance at once (activity not taken up, or on request)",
)
async def delete_clearance(
    volunteer_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> None:
    await service.delete_clearance(session=session, principal=principal, volunteer_id=volunteer_id)


@router.post(
    "/matches",
    status_code=status.HTTP_201_CREATED,
    tags=["matches"],
    summary="Make a volunteer a household's mentor (Patenschaft)",
)
async def create_match(
    match_in: MatchIn, session: DbSession, principal: Coordinator, rules: Rules
) -> MatchOut:
    created = await service.match(
        session=session, principal=principal, match_in=match_in, today=today(), rules=rules
    )
    return MatchOut.model_validate(created)


@router.get("/matches", tags=["matches"], summary="Matches, by volunteer or household")
async def list_matches(
    session: DbSession,
    principal: Coordinator,
    volunteer_id: uuid.UUID | None = None,
    household_id: uuid.UUID | None = None,
    running: Annotated[bool, Query(description="Only mentorships not yet ended")] = False,
) -> list[MatchOut]:
    matches = await service.get_matches(
        session=session,
        principal=principal,
        volunteer_id=volunteer_id,
        household_id=household_id,
        running_only=running,
    )
    return [MatchOut.model_validate(m) for m in matches]


@router.post(
    "/matches/{match_id}/end",
    dependencies=[applies_scope(MATCHES)],
    tags=["matches"],
    summary="End a mentorship; starts the clearance's deletion timer",
)
async def end_match(
    match_id: uuid.UUID,
    match_end_in: MatchEndIn,
    session: DbSession,
    principal: Coordinator,
    rules: Rules,
) -> MatchOut:
    ended = await service.end_match(
        session=session,
        principal=principal,
        match_id=match_id,
        ended_on=match_end_in.ended_on,
        rules=rules,
    )
    return MatchOut.model_validate(ended)


@router.get(
    "/households/{household_id}/suggested-mentors",
    dependencies=[applies_scope(HOUSEHOLDS)],
    tags=["matches"],
    summary="Volunteers who may mentor the household, best first: most shared languages, "
    "then nearest to `postcode` (by shared leading digits), then most weekdays available, "
    "then fewest mentorships running",
)
async def suggested_mentors(
    household_id: uuid.UUID,
    session: DbSession,
    principal: Coordinator,
    rules: Rules,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    postcode: Annotated[
        str | None, Query(pattern=r"^[0-9]{5}$", description="The household's postcode")
    ] = None,
) -> list[SuggestionOut]:
    return await service.suggest_mentors(
        session=session,
        principal=principal,
        household_id=household_id,
        today=today(),
        limit=limit,
        rules=rules,
        postcode=postcode,
    )
