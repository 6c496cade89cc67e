"""The registry (the coordinators' start page) and registering a volunteer."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import Conflict
from teilhabe.auth import Principal

from volunteers import service
from volunteers.dependencies import MANAGING_ROLES
from volunteers.pages import lists
from volunteers.pages.common import (
    PAGE_SIZE,
    WEEKDAY_LABELS,
    Staff,
    StaffOrVolunteer,
    labels,
    page,
)
from volunteers.schemas import VolunteerIn, VolunteerOut

router = APIRouter()

# The languages most often spoken here: always offered in the registry's filter.
COMMON_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "ku", "ti", "so", "fr", "ps")
VOLUNTEER_FIELDS = (
    "display_name",
    "email",
    "phone",
    "preferred_language",
    "languages",
    "skills",
    "available_weekdays",
    "availability_note",
    "postcode",
    "subject",
)
HINTS = {
    "email": ui.N_("Please enter an e-mail address such as name@%(mail_domain)s."),
    "phone": ui.N_(
        "Please enter a phone number of digits, spaces and + ( ) / -, e.g. 02594 12345."
    ),
    "languages": ui.N_("Please enter language codes such as de, ar or fa, separated by commas."),
    "preferred_language": ui.CHOOSE,
    "subject": ui.N_("Please shorten the user name to at most 200 characters."),
}
REGISTRATION_CONFLICTS = {
    "duplicate-volunteer": (
        "email",
        ui.N_("A volunteer with this e-mail address is already registered."),
    ),
    "duplicate-subject": ("subject", ui.N_("This user name already belongs to another volunteer.")),
}


@dataclass(frozen=True)
class Filters:
    language: str
    skill: str
    page: int


@router.get("/", name="ui_home")
async def registry(request: Request, session: DbSession, principal: StaffOrVolunteer) -> Response:
    if not principal.has_any_role(*MANAGING_ROLES):
        # A volunteer's way into the tool is their own page, never the registry.
        return RedirectResponse(ui.page_path(request, "own_page"), status_code=303)
    params = request.query_params
    filters = Filters(
        language=params.get("language", "").strip().lower()[:16],
        skill=params.get("skill", "").strip()[:100],
        page=ui.page_number(params.get("page")),
    )
    kind = ui.download_format(request)
    if kind:  # every volunteer the filters find, not one page: an export
        everyone, _ = await service.get_all(
            session=session,
            principal=principal,
            language=filters.language or None,
            skill=filters.skill or None,
            limit=ui.DOWNLOAD_LIMIT,
            offset=0,
            action="export",
        )
        rows = [VolunteerOut.model_validate(volunteer) for volunteer in everyone]
        return lists.volunteers_file(ui.texts(request), rows, kind)
    found, total = await service.get_all(
        session=session,
        principal=principal,
        language=filters.language or None,
        skill=filters.skill or None,
        limit=PAGE_SIZE,
        offset=ui.page_offset(filters.page, PAGE_SIZE),
    )
    spoken = await service.spoken_languages(session=session)
    return await page(
        request,
        "volunteers/registry.html",
        {
            "filters": filters,
            "volunteers": found,
            "total": total,
            "pager": ui.pager(filters.page, total, PAGE_SIZE, ui.same_query(request)),
            "downloads": ui.download_links(request),
            "language_options": _language_options(
                ui.texts(request), [*spoken, *([filters.language] if filters.language else [])]
            ),
        },
        section="ui_home",
    )


def _language_options(page_texts: ui.Texts, spoken: Sequence[str]) -> list[tuple[str, str]]:
    """The common languages and every other one some volunteer speaks, by name."""
    named = []
    for code in dict.fromkeys([*COMMON_LANGUAGES, *spoken]):
        name = ui.spoken_language_name(code, page_texts.locale)
        named.append((code, code if name == code else f"{name} ({code})"))
    return sorted(named, key=lambda option: option[1].casefold())


# --- registering a volunteer ---------------------------------------------------------


@router.get("/ehrenamtliche/neu", name="new_volunteer")
async def new_volunteer(request: Request, principal: Staff) -> Response:
    values: dict[str, Any] = {name: "" for name in VOLUNTEER_FIELDS}
    values["preferred_language"] = "de"
    values["available_weekdays"] = []
    return await _volunteer_form(request, values)


@router.post("/ehrenamtliche/neu", name="register_volunteer")
async def register_volunteer(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=VOLUNTEER_FIELDS, hints=HINTS, conflicts=REGISTRATION_CONFLICTS
    )
    values: dict[str, Any] = form.values(
        [name for name in VOLUNTEER_FIELDS if name != "available_weekdays"]
    )
    values["available_weekdays"] = [
        day for day in form.form.getlist("available_weekdays") if isinstance(day, str)
    ]
    volunteer_in = form.model(VolunteerIn, _volunteer_data(values))
    if volunteer_in is not None:
        volunteer = await form.call(_register(session, principal, volunteer_in))
        if volunteer is not None:
            return form.done(
                ui.page_path(request, "volunteer", volunteer_id=volunteer.id),
                form.texts.gettext("%(name)s is registered as a volunteer.")
                % {"name": volunteer.display_name},
            )
    return await form.again(lambda errors: _volunteer_form(request, values, errors=errors))


async def _register(
    session: DbSession, principal: Principal, volunteer_in: VolunteerIn
) -> VolunteerOut:
    """Register; a taken user name is told apart from a taken address (the use case says
    which of the two unique facts is taken), so each is said at its own field."""
    try:
        volunteer = await service.register(
            session=session, principal=principal, volunteer_in=volunteer_in
        )
    except Conflict as taken:
        if taken.code == "duplicate-volunteer" and "subject" in taken.detail:
            raise Conflict(taken.detail, code="duplicate-subject") from taken
        raise
    return VolunteerOut.model_validate(volunteer)


def _volunteer_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """The API's request body from the typed values; empty fields left to the model."""
    data: dict[str, Any] = {
        "phone": values["phone"] or None,
        "languages": ui.language_codes(values["languages"]),
        "skills": [skill.strip() for skill in re.split(r"[,;]", values["skills"]) if skill.strip()],
        "available_weekdays": values["available_weekdays"],
        "availability_note": values["availability_note"] or None,
        "postcode": values["postcode"] or None,
        "subject": values["subject"] or None,
    }
    for name in ("display_name", "email", "preferred_language"):
        if values[name]:
            data[name] = values[name]
    return data


async def _volunteer_form(
    request: Request,
    values: Mapping[str, Any],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    page_texts = ui.texts(request)
    return await page(
        request,
        "volunteers/volunteer_form.html",
        {
            "values": values,
            "message_language_options": ui.options(ui.MESSAGE_LANGUAGES, page_texts),
            "weekday_options": ui.options(WEEKDAY_LABELS, page_texts),
            "labels": labels(page_texts),
        },
        section="new_volunteer",
        errors=ui.in_field_order(errors or {}, VOLUNTEER_FIELDS),
    )
