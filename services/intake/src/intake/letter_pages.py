"""Staff pages of letters to a household (Briefe): choose the language beside German and
download an appointment invitation or the placement notice as PDF.

The letters are made by `intake.letters`, scoped and audited there.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.scope import applies_scope

from intake import appointments, letters
from intake.dependencies import HOUSEHOLDS
from intake.letter_texts import LANGUAGES
from intake.pages import Staff

router = APIRouter()
LANGUAGE_KEY = "sprache"


@router.get(
    "/haushalte/{household_id}/briefe", name="letters", dependencies=[applies_scope(HOUSEHOLDS)]
)
async def letters_page(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    household, found = await appointments.of_household(
        session=session, principal=principal, household_id=household_id
    )
    asked = request.query_params.get(LANGUAGE_KEY)
    language = letters.letter_language(household, asked)
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "intake/letters.html",
        {
            "household": household,
            "appointments": [a for a in found if a.cancelled_at is None],
            "language": language or "",
            "language_options": [
                (code, ui.spoken_language_name(code, page_texts.locale)) for code in LANGUAGES
            ],
            "query": f"?{LANGUAGE_KEY}={language}" if language else "",
            "housed": household.housing_status == "housed" and bool(household.housing_site),
            "labels": {},
        },
        section="ui_home",
    )


@router.get(
    "/haushalte/{household_id}/briefe/unterkunft",
    name="placement_letter",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def placement_letter(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    letter = await letters.placement_notice(
        session=session,
        principal=principal,
        household_id=household_id,
        language=request.query_params.get(LANGUAGE_KEY),
    )
    return _pdf(letter)


@router.get(
    "/haushalte/{household_id}/termine/{appointment_id}/einladung",
    name="appointment_letter",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def appointment_letter(
    request: Request,
    household_id: uuid.UUID,
    appointment_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    letter = await letters.appointment_invitation(
        session=session,
        principal=principal,
        household_id=household_id,
        appointment_id=appointment_id,
        language=request.query_params.get(LANGUAGE_KEY),
    )
    return _pdf(letter)


def _pdf(letter: letters.Letter) -> Response:
    return Response(
        letter.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": ui.downloads.content_disposition(letter.file_name),
            "Cache-Control": "no-store",
        },
    )
