"""The volunteer's own page: their record and mentorships, nothing of anyone else."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound

from volunteers import service
from volunteers.pages.common import OwnVolunteer, page

router = APIRouter()


@router.get("/mein-engagement", name="own_page")
async def own_page(request: Request, session: DbSession, principal: OwnVolunteer) -> Response:
    try:
        found = await service.get_own(session=session, principal=principal)
    except NotFound:
        # Signed in as a volunteer, but no registration names this login (yet).
        return await page(request, "volunteers/own.html", {"volunteer": None}, section="own_page")
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=None
    )
    households = await service.get_household_briefs(
        session=session, principal=principal, household_ids=[m.household_id for m in matches]
    )
    return await page(
        request,
        "volunteers/own.html",
        {"volunteer": found, "matches": matches, "households": households},
        section="own_page",
    )
