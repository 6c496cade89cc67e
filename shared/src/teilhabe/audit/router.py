"""`GET /audit`: the audit trail of a record or of an actor, for the data-protection officer."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import InvalidFields
from teilhabe.api.schemas import Page, ResponseModel
from teilhabe.audit.trail import MAX_OFFSET, TrailQuery, read_trail
from teilhabe.auth import Principal, Role, require_roles

DataProtectionOfficer = Annotated[Principal, require_roles(Role.DATA_PROTECTION)]


class AuditEntryOut(ResponseModel):
    id: int
    at: datetime
    actor: str
    actor_roles: list[str]
    action: str
    resource_type: str
    resource_id: str
    trace_id: str | None


def audit_router() -> APIRouter:
    router = APIRouter(prefix="/audit", tags=["audit"])

    @router.get(
        "",
        summary="Read the audit trail of a record or of an actor (newest first)",
        description="Who read or changed the record, or what the actor read or changed: "
        "time, roles, action, record and trace, never content. The reading is audited too.",
    )
    async def audit_trail(
        session: DbSession,
        principal: DataProtectionOfficer,
        resource_type: Annotated[
            str | None, Query(max_length=100, description="e.g. household, member")
        ] = None,
        resource_id: Annotated[str | None, Query(max_length=200)] = None,
        actor: Annotated[
            str | None, Query(max_length=200, description="Subject of the actor's token")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Page[AuditEntryOut]:
        query = TrailQuery(resource_type=resource_type, resource_id=resource_id, actor=actor)
        problems = query.problems()
        if problems:
            raise InvalidFields(problems)
        entries, total = await read_trail(session, principal, query, limit=limit, offset=offset)
        return Page(
            items=[AuditEntryOut.model_validate(entry) for entry in entries],
            total=total,
            limit=limit,
            offset=offset,
        )

    return router
