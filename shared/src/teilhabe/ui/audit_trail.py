"""The audit trail page of every tool: the data-protection officer's view of `GET /audit`."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from teilhabe.api.dependencies import DbSession
from teilhabe.audit.trail import TrailEntry, TrailQuery, read_trail
from teilhabe.auth import Principal, Role
from teilhabe.ui.auth import page_roles
from teilhabe.ui.i18n import N_
from teilhabe.ui.paging import page_number, page_offset, pager, same_query
from teilhabe.ui.rendering import render, texts

PAGE_SIZE = 50
FIELD_LENGTHS = {"resource_type": 100, "resource_id": 200, "actor": 200}
LABELS = {
    "resource_type": N_("Record type"),
    "resource_id": N_("Record id"),
    "actor": N_("Person acting (user name)"),
}
_RULES = {
    "resource_id": N_("Enter the record's id together with its type."),
    "resource_type": N_("Enter a record's type and id, or a person acting."),
}

DataProtectionOfficer = Annotated[Principal, page_roles(Role.DATA_PROTECTION)]


def audit_trail_pages() -> APIRouter:
    router = APIRouter()

    @router.get("/zugriffsprotokoll", name="ui_audit_trail")
    async def audit_trail(
        request: Request,
        session: DbSession,
        principal: DataProtectionOfficer,
        resource_type: str = "",
        resource_id: str = "",
        actor: str = "",
        page: str | None = None,
    ) -> Response:
        gettext = texts(request).gettext
        values = {
            "resource_type": resource_type.strip(),
            "resource_id": resource_id.strip(),
            "actor": actor.strip(),
        }
        errors = {
            name: gettext(N_("At most %(n)s characters.")) % {"n": limit}
            for name, limit in FIELD_LENGTHS.items()
            if len(values[name]) > limit
        }
        query = TrailQuery(**{name: value or None for name, value in values.items()})
        asked = any(values.values())
        if asked and not errors:
            errors = {name: gettext(_RULES[name]) for name in query.problems()}
        entries: list[TrailEntry] = []
        total, number = 0, page_number(page)
        if asked and not errors:
            entries, total = await read_trail(
                session,
                principal,
                query,
                limit=PAGE_SIZE,
                offset=page_offset(number, PAGE_SIZE),
            )
        return await render(
            request,
            "ui/audit_trail.html",
            {
                "values": values,
                "labels": {name: gettext(label) for name, label in LABELS.items()},
                "asked": asked and not errors,
                "entries": entries,
                "total": total,
                "pager": pager(number, total, PAGE_SIZE, same_query(request)),
            },
            errors=errors,
            status_code=422 if errors else 200,
        )

    return router
