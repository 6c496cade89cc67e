"""Where does this person live: the search across every site, by intake's reference of
the person or the allocation notice number the person carries (names stay in intake)."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession

from housing import persons
from housing.pages.common import AGE_GROUP_LABELS, Officer

router = APIRouter()
SEARCH_LABEL = ui.N_("Reference of the person or allocation notice number")


@router.get("/personen", name="persons")
async def person_search(request: Request, session: DbSession, principal: Officer) -> Response:
    asked = request.query_params.get("q", "").strip()[:100]
    found = None
    if asked:
        member_id = _reference(asked)
        found = await persons.find_persons(
            session=session,
            principal=principal,
            member_id=member_id,
            notice_number=None if member_id else asked,
        )
    return await ui.render(
        request,
        "housing/persons.html",
        {
            "asked": asked,
            "found": found,
            "search_label": ui.texts(request).gettext(SEARCH_LABEL),
            "age_group_labels": AGE_GROUP_LABELS,
        },
        section="persons",
    )


def _reference(typed: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(typed)
    except ValueError:
        return None
