"""Staff pages of volunteers at /ui: registry, registering, clearances, matching, own page.

Every change goes through the use case the API calls (`service.register`,
`service.record_clearance`, `service.delete_clearance`, `service.match`,
`service.end_match`); a page only turns a form into the API's request model and a
refusal back into errors next to the fields. Police clearance data appears on the
coordinators' pages only, as in the API; a volunteer sees their own record and
mentorships and nothing of anyone else.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound, ProblemError
from teilhabe.auth import Principal, Role
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.scope import applies_scope
from teilhabe.ui import (
    CHOOSE,
    FORM,
    MESSAGE_LANGUAGES,
    N_,
    REQUIRED,
    FormErrors,
    Section,
    StaffTool,
    Texts,
    api_roles,
    date_input_value,
    field_labels,
    flash,
    in_field_order,
    language_codes,
    mount_staff_ui,
    options,
    page_number,
    page_offset,
    page_path,
    page_roles,
    pager,
    problem_errors,
    put_date,
    read_form,
    render,
    request_model,
    same_query,
    text,
    texts,
    validation_errors,
)

from volunteers import service
from volunteers.dependencies import (
    HOUSEHOLDS,
    MANAGING_ROLES,
    MATCHES,
    VOLUNTEERS,
    Coordinator,
    CoordinatorOrVolunteer,
    SignedInVolunteer,
)
from volunteers.domain import Weekday
from volunteers.models import Match, Volunteer
from volunteers.schemas import (
    ClearanceIn,
    ClearanceOut,
    HouseholdOut,
    MatchEndIn,
    MatchIn,
    SuggestionOut,
    VolunteerIn,
)

router = APIRouter()
# The pages admit exactly whom the API admits for the same action.
Staff = Annotated[Principal, page_roles(*api_roles(Coordinator))]
# The start page: the registry for coordinators, a way to their own page for volunteers.
StaffOrVolunteer = Annotated[Principal, page_roles(*api_roles(CoordinatorOrVolunteer))]
OwnVolunteer = Annotated[Principal, page_roles(*api_roles(SignedInVolunteer))]

PAGE_SIZE = 25
SUGGESTIONS = 50

# The pages listed in the tool's navigation, by who may open them.
# A volunteer sees only their own page, a coordinator only the registry's.
SECTIONS = (
    Section("ui_home", N_("Volunteers"), frozenset(MANAGING_ROLES)),
    Section("households", N_("Households"), frozenset(MANAGING_ROLES)),
    Section("new_volunteer", N_("Register new"), frozenset(MANAGING_ROLES)),
    Section("own_page", N_("My volunteering"), frozenset({Role.VOLUNTEER})),
)

# German names of the languages most often spoken here; other codes are shown as typed.
LANGUAGE_NAMES = {
    "de": N_("German"),
    "en": N_("English"),
    "ar": N_("Arabic"),
    "fa": N_("Persian (Farsi)"),
    "uk": N_("Ukrainian"),
    "ru": N_("Russian"),
    "tr": N_("Turkish"),
    "ku": N_("Kurdish"),
    "ti": N_("Tigrinya"),
    "so": N_("Somali"),
    "fr": N_("French"),
    "ps": N_("Pashto"),
}
WEEKDAY_LABELS = {
    Weekday.MON: N_("Monday"),
    Weekday.TUE: N_("Tuesday"),
    Weekday.WED: N_("Wednesday"),
    Weekday.THU: N_("Thursday"),
    Weekday.FRI: N_("Friday"),
    Weekday.SAT: N_("Saturday"),
    Weekday.SUN: N_("Sunday"),
}
CONVICTION_LABELS = {
    "no": N_("No, no relevant conviction is recorded"),
    "yes": N_("Yes, a relevant conviction is recorded"),
}

VOLUNTEER_FIELDS = (
    "display_name",
    "email",
    "phone",
    "preferred_language",
    "languages",
    "skills",
    "available_weekdays",
    "availability_note",
    "subject",
)
CLEARANCE_FIELDS = ("inspected_on", "issued_on", "relevant_conviction")
# Matching from a volunteer's page names the household by its notice number.
MATCH_FIELDS = ("allocation_notice_number", "started_on")
# Matching from a household's page chooses one of the suggested mentors.
MENTOR_FIELDS = ("volunteer_id", "started_on")
FIELD_LABELS = {
    "display_name": N_("Name"),
    "email": N_("E-mail address"),
    "phone": N_("Phone"),
    "preferred_language": N_("Language for messages"),
    "languages": N_("Languages spoken"),
    "skills": N_("Skills and interests"),
    "available_weekdays": N_("Usually available on"),
    "availability_note": N_("Note on availability"),
    "subject": N_("User name"),
    "inspected_on": N_("Inspected on"),
    "issued_on": N_("Date of the certificate"),
    "relevant_conviction": N_("Relevant conviction (§ 72a para. 1 SGB VIII)"),
    "allocation_notice_number": N_("Household (allocation notice number)"),
    "started_on": N_("Mentorship starts on"),
    "volunteer_id": N_("Mentor"),
    "ended_on": N_("Mentorship ends on"),
    "language": N_("Language"),
    "skill": N_("Skill"),
    "q": N_("Allocation notice number"),
}
HINTS = {
    "email": N_("Please enter an e-mail address such as name@%(mail_domain)s."),
    "phone": N_("Please enter a phone number of digits, spaces and + ( ) / -, e.g. 02594 12345."),
    "languages": N_("Please enter language codes such as de, ar or fa, separated by commas."),
    "preferred_language": CHOOSE,
    "subject": N_("Please shorten the user name to at most 200 characters."),
}
# The rules' own messages (volunteers.domain, volunteers.service), for the catalogue.
RULE_MESSAGES = (
    N_("the inspection date lies in the future"),
    N_("the certificate cannot be issued after its inspection"),
    N_("the certificate was more than 3 months old when it was inspected; a newer one is needed"),
    N_("a mentorship cannot end before it started"),
    N_("no volunteer with this id"),
    N_(
        "no household with this id is known here yet: households arrive with intake's"
        " household.assigned event, which may not have been received yet; try again"
        " shortly, or check the id"
    ),
)
DUPLICATE_EMAIL = N_("A volunteer with this e-mail address is already registered.")
DUPLICATE_SUBJECT = N_("This user name already belongs to another volunteer.")
CLEARANCE_REQUIRED = N_(
    "This household has minors. Its mentor needs an inspected extended police clearance"
    " (§ 72a SGB VIII) without a relevant conviction that is still valid when the"
    " mentorship starts. Record the clearance on the volunteer's page first."
)
ALREADY_MATCHED = N_("This volunteer already mentors this household.")
ALREADY_ENDED = N_("This mentorship has already ended.")
WITHOUT_NUMBER = N_("without number")
UNKNOWN_HOUSEHOLD = N_(
    "No household with this number is known here. New allocations arrive from intake"
    " within moments; please check the number or try again shortly."
)


@dataclass(frozen=True)
class Filters:
    language: str
    skill: str
    page: int


# --- registry (start page) -----------------------------------------------------------


@router.get("/", name="ui_home")
async def registry(request: Request, session: DbSession, principal: StaffOrVolunteer) -> Response:
    if not principal.has_any_role(*MANAGING_ROLES):
        # A volunteer's way into the tool is their own page, never the registry.
        return RedirectResponse(page_path(request, "own_page"), status_code=303)
    params = request.query_params
    filters = Filters(
        language=params.get("language", "").strip().lower()[:16],
        skill=params.get("skill", "").strip()[:100],
        page=page_number(params.get("page")),
    )
    found, total = await service.get_all(
        session=session,
        principal=principal,
        language=filters.language or None,
        skill=filters.skill or None,
        limit=PAGE_SIZE,
        offset=page_offset(filters.page, PAGE_SIZE),
    )
    spoken = await service.spoken_languages(session=session)
    return await _page(
        request,
        "volunteers/registry.html",
        {
            "filters": filters,
            "volunteers": found,
            "total": total,
            "pager": pager(filters.page, total, PAGE_SIZE, same_query(request)),
            "language_options": _language_options(
                texts(request), [*spoken, *([filters.language] if filters.language else [])]
            ),
        },
        section="ui_home",
    )


# --- registering a volunteer ---------------------------------------------------------


@router.get("/ehrenamtliche/neu", name="new_volunteer")
async def new_volunteer(request: Request, principal: Staff) -> Response:
    values: dict[str, Any] = {name: "" for name in VOLUNTEER_FIELDS}
    values["preferred_language"] = "de"
    values["available_weekdays"] = []
    return await _volunteer_form(request, principal, values)


@router.post("/ehrenamtliche/neu", name="register_volunteer")
async def register_volunteer(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = _typed_volunteer(form)
    volunteer_in, errors = request_model(
        VolunteerIn, _volunteer_data(values), page_texts, fields=VOLUNTEER_FIELDS, hints=HINTS
    )
    if volunteer_in is not None:
        try:
            volunteer = await service.register(
                session=session, principal=principal, volunteer_in=volunteer_in
            )
        except ProblemError as problem:
            await session.rollback()
            errors = _registration_refusal(problem, page_texts)
        else:
            flash(
                request,
                page_texts.gettext("%(name)s is registered as a volunteer.")
                % {"name": volunteer.display_name},
            )
            return RedirectResponse(
                page_path(request, "volunteer", volunteer_id=volunteer.id), status_code=303
            )
    return await _volunteer_form(request, principal, values, errors=errors, status_code=422)


def _typed_volunteer(form: FormData) -> dict[str, Any]:
    """What was typed, as typed, to show it again."""
    values: dict[str, Any] = {
        name: text(form, name) for name in VOLUNTEER_FIELDS if name != "available_weekdays"
    }
    values["available_weekdays"] = [
        day for day in form.getlist("available_weekdays") if isinstance(day, str)
    ]
    return values


def _volunteer_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """The API's request body from the typed values; empty fields left to the model."""
    data: dict[str, Any] = {
        "phone": values["phone"] or None,
        "languages": language_codes(values["languages"]),
        "skills": [skill.strip() for skill in re.split(r"[,;]", values["skills"]) if skill.strip()],
        "available_weekdays": values["available_weekdays"],
        "availability_note": values["availability_note"] or None,
        "subject": values["subject"] or None,
    }
    for name in ("display_name", "email", "preferred_language"):
        if values[name]:
            data[name] = values[name]
    return data


def _registration_refusal(problem: ProblemError, page_texts: Texts) -> FormErrors:
    if problem.code == "duplicate-volunteer":
        # The use case says which of the two unique facts is taken.
        if "subject" in problem.detail:
            return {"subject": page_texts.gettext(DUPLICATE_SUBJECT)}
        return {"email": page_texts.gettext(DUPLICATE_EMAIL)}
    return problem_errors(problem, page_texts, fields=VOLUNTEER_FIELDS, hints=HINTS)


async def _volunteer_form(
    request: Request,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    page_texts = texts(request)
    return await _page(
        request,
        "volunteers/volunteer_form.html",
        {
            "values": values,
            "message_language_options": options(MESSAGE_LANGUAGES, page_texts),
            "weekday_options": options(WEEKDAY_LABELS, page_texts),
            "labels": _labels(page_texts),
        },
        section="new_volunteer",
        errors=in_field_order(errors or {}, VOLUNTEER_FIELDS),
        status_code=status_code,
    )


# --- one volunteer: contact, clearance, mentorships ----------------------------------


@router.get(
    "/ehrenamtliche/{volunteer_id}",
    name="volunteer",
    dependencies=[applies_scope(VOLUNTEERS)],
)
async def volunteer(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    return await _volunteer_page(request, session, principal, volunteer_id)


@router.post(
    "/ehrenamtliche/{volunteer_id}/fuehrungszeugnis",
    name="record_clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
)
async def record_clearance(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in CLEARANCE_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {}
    put_date(data, "inspected_on", values["inspected_on"], errors, page_texts)
    put_date(data, "issued_on", values["issued_on"], errors, page_texts)
    if values["relevant_conviction"] in CONVICTION_LABELS:
        data["relevant_conviction"] = values["relevant_conviction"] == "yes"
    else:
        errors["relevant_conviction"] = page_texts.gettext(CHOOSE)
    clearance_in, errors = request_model(
        ClearanceIn, data, page_texts, fields=CLEARANCE_FIELDS, typed_errors=errors
    )
    if clearance_in is not None:
        try:
            await service.record_clearance(
                session=session,
                principal=principal,
                volunteer_id=volunteer_id,
                clearance_in=clearance_in,
                today=today(),
            )
        except ProblemError as problem:
            if isinstance(problem, NotFound):
                raise
            errors = problem_errors(problem, page_texts, fields=CLEARANCE_FIELDS)
        else:
            flash(request, page_texts.gettext("The inspected police clearance is recorded."))
            return _to_volunteer(request, volunteer_id)
    await session.rollback()
    return await _volunteer_page(
        request,
        session,
        principal,
        volunteer_id,
        values=values,
        errors=in_field_order(errors, CLEARANCE_FIELDS),
        status_code=422,
    )


@router.post(
    "/ehrenamtliche/{volunteer_id}/fuehrungszeugnis/loeschen",
    name="delete_clearance",
    dependencies=[applies_scope(VOLUNTEERS)],
)
async def delete_clearance(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    await read_form(request)
    page_texts = texts(request)
    # The volunteer must exist (404 otherwise), whether a clearance is recorded or not.
    await service.get(session=session, principal=principal, volunteer_id=volunteer_id)
    try:
        await service.delete_clearance(
            session=session, principal=principal, volunteer_id=volunteer_id
        )
    except NotFound:
        await session.rollback()
        flash(request, page_texts.gettext("No police clearance was recorded."))
    else:
        flash(request, page_texts.gettext("The police clearance record is deleted."))
    return _to_volunteer(request, volunteer_id)


@router.post(
    "/ehrenamtliche/{volunteer_id}/patenschaften",
    name="match_volunteer",
    dependencies=[applies_scope(VOLUNTEERS, HOUSEHOLDS)],
)
async def match_volunteer(
    request: Request, volunteer_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in MATCH_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {"volunteer_id": volunteer_id}
    put_date(data, "started_on", values["started_on"], errors, page_texts)
    household: HouseholdOut | None = None
    if not values["allocation_notice_number"]:
        errors["allocation_notice_number"] = page_texts.gettext(REQUIRED)
    else:
        household = await service.find_household(
            session=session,
            principal=principal,
            allocation_notice_number=values["allocation_notice_number"],
        )
        if household is None:
            errors["allocation_notice_number"] = page_texts.gettext(UNKNOWN_HOUSEHOLD)
        else:
            data["household_id"] = household.household_id
    mentor, errors = await _match(
        session,
        principal,
        data,
        page_texts,
        errors,
        fields=MATCH_FIELDS,
        refused_at="allocation_notice_number",
        household_at="allocation_notice_number",
    )
    if mentor is not None and household is not None:
        flash(request, _matched_message(page_texts, mentor, household))
        return _to_volunteer(request, volunteer_id)
    await session.rollback()
    return await _volunteer_page(
        request,
        session,
        principal,
        volunteer_id,
        values=values,
        errors=in_field_order(errors, MATCH_FIELDS),
        status_code=422,
    )


@router.post(
    "/ehrenamtliche/{volunteer_id}/patenschaften/{match_id}/beenden",
    name="end_match",
    dependencies=[applies_scope(VOLUNTEERS, MATCHES)],
)
async def end_match(
    request: Request,
    volunteer_id: uuid.UUID,
    match_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=volunteer_id
    )
    if match_id not in {m.id for m in matches}:
        raise NotFound("match")
    key = _end_key(match_id)
    typed = text(form, key)
    errors: FormErrors = {}
    data: dict[str, Any] = {}
    put_date(data, "ended_on", typed, errors, page_texts, key=key)
    if not errors:
        try:
            ending = MatchEndIn.model_validate(data)
        except ValidationError as error:
            errors = validation_errors(error, page_texts, fields=["ended_on"])
        else:
            try:
                await service.end_match(
                    session=session,
                    principal=principal,
                    match_id=match_id,
                    ended_on=ending.ended_on,
                )
            except ProblemError as problem:
                if isinstance(problem, NotFound):
                    raise
                errors = problem_errors(
                    problem,
                    page_texts,
                    fields=["ended_on"],
                    # Ended meanwhile: its date field is gone, the form's errors say it.
                    conflicts={"already-ended": (FORM, ALREADY_ENDED)},
                )
            else:
                flash(request, page_texts.gettext("The mentorship is ended."))
                return _to_volunteer(request, volunteer_id)
        errors = _moved(errors, "ended_on", key)
    await session.rollback()
    return await _volunteer_page(
        request,
        session,
        principal,
        volunteer_id,
        values={key: typed},
        errors=errors,
        status_code=422,
    )


async def _volunteer_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    volunteer_id: uuid.UUID,
    *,
    values: Mapping[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    found = await service.get(session=session, principal=principal, volunteer_id=volunteer_id)
    clearance: ClearanceOut | None
    try:
        clearance = await service.get_clearance(
            session=session, principal=principal, volunteer_id=volunteer_id, today=today()
        )
    except NotFound:
        clearance = None
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=volunteer_id
    )
    numbers = await service.household_numbers(
        session=session, principal=principal, household_ids=[m.household_id for m in matches]
    )
    page_texts = texts(request)
    on_today = date_input_value(today(), page_texts.locale)
    typed = {
        "inspected_on": on_today,
        "issued_on": "",
        "relevant_conviction": "",
        "allocation_notice_number": "",
        "started_on": on_today,
        **{_end_key(m.id): on_today for m in matches if m.ended_on is None},
        **(values or {}),
    }
    return await _page(
        request,
        "volunteers/volunteer.html",
        {
            "volunteer": found,
            "clearance": clearance,
            "matches": matches,
            "numbers": numbers,
            "values": typed,
            "end_key": _end_key,
            "conviction_options": options(CONVICTION_LABELS, page_texts),
            "labels": _labels(page_texts, matches),
        },
        section="ui_home",
        errors=errors,
        status_code=status_code,
    )


def _end_key(match_id: uuid.UUID) -> str:
    """The end date's field of one mentorship; each has its own form on the page."""
    return f"ended_on-{match_id}"


def _to_volunteer(request: Request, volunteer_id: uuid.UUID) -> Response:
    return RedirectResponse(
        page_path(request, "volunteer", volunteer_id=volunteer_id), status_code=303
    )


# --- households and matching ---------------------------------------------------------


@router.get("/haushalte", name="households")
async def households(request: Request, session: DbSession, principal: Staff) -> Response:
    params = request.query_params
    number = params.get("q", "").strip()[:100]
    page = page_number(params.get("page"))
    found, total = await service.get_households(
        session=session,
        principal=principal,
        notice_number=number or None,
        limit=PAGE_SIZE,
        offset=page_offset(page, PAGE_SIZE),
    )
    return await _page(
        request,
        "volunteers/households.html",
        {
            "q": number,
            "households": found,
            "total": total,
            "pager": pager(page, total, PAGE_SIZE, same_query(request)),
        },
        section="households",
    )


@router.get(
    "/haushalte/{household_id}",
    name="household",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def household(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    values = {"volunteer_id": "", "started_on": date_input_value(today(), texts(request).locale)}
    return await _household_page(request, session, principal, household_id, values)


@router.post(
    "/haushalte/{household_id}/paten",
    name="match_household",
    dependencies=[applies_scope(HOUSEHOLDS, VOLUNTEERS)],
)
async def match_household(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await read_form(request)
    page_texts = texts(request)
    values = {name: text(form, name) for name in MENTOR_FIELDS}
    errors: FormErrors = {}
    data: dict[str, Any] = {"household_id": household_id}
    if values["volunteer_id"]:
        data["volunteer_id"] = values["volunteer_id"]
    else:
        errors["volunteer_id"] = page_texts.gettext(CHOOSE)
    put_date(data, "started_on", values["started_on"], errors, page_texts)
    mentor, errors = await _match(
        session,
        principal,
        data,
        page_texts,
        errors,
        fields=MENTOR_FIELDS,
        refused_at="volunteer_id",
        household_at=FORM,
    )
    if mentor is not None:
        found = await service.get_household(
            session=session, principal=principal, household_id=household_id
        )
        flash(request, _matched_message(page_texts, mentor, found))
        return RedirectResponse(
            page_path(request, "household", household_id=household_id), status_code=303
        )
    await session.rollback()
    return await _household_page(
        request,
        session,
        principal,
        household_id,
        values,
        errors=in_field_order(errors, MENTOR_FIELDS),
        status_code=422,
    )


async def _household_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    found = await service.get_household(
        session=session, principal=principal, household_id=household_id
    )
    suggestions = await service.suggest_mentors(
        session=session,
        principal=principal,
        household_id=household_id,
        today=today(),
        limit=SUGGESTIONS,
    )
    chosen = values.get("volunteer_id", "")
    if errors and chosen and chosen not in {str(s.volunteer_id) for s in suggestions}:
        # Refused and no longer suggested (its clearance went meanwhile): no radio button
        # to put the message next to, so it heads the form's errors.
        errors = in_field_order(_moved(errors, "volunteer_id", FORM), MENTOR_FIELDS)
    return await _page(
        request,
        "volunteers/household.html",
        {
            "household": found,
            "number": found.allocation_notice_number or texts(request).gettext(WITHOUT_NUMBER),
            "suggestions": suggestions,
            "mentor_choices": _mentor_choices(texts(request), suggestions),
            "values": values,
            "labels": _labels(texts(request)),
        },
        section="households",
        errors=errors,
        status_code=status_code,
    )


async def _match(
    session: AsyncSession,
    principal: Principal,
    data: Mapping[str, Any],
    page_texts: Texts,
    typed_errors: FormErrors,
    *,
    fields: Sequence[str],
    refused_at: str,
    household_at: str,
) -> tuple[Volunteer | None, FormErrors]:
    """Make the volunteer the household's mentor, or say why not at the field concerned.

    `typed_errors` are what the page found in the form itself. The refusals are the use
    case's: a household with minors needs a mentor with a valid clearance, and one
    volunteer mentors one household once at a time. `refused_at` is the field they are
    shown at, `household_at` where an unknown household is.
    """
    known = [*fields, "household_id"]
    match_in, errors = request_model(
        MatchIn, data, page_texts, fields=known, typed_errors=typed_errors
    )
    if match_in is None:
        return None, _moved(errors, "household_id", household_at)
    try:
        created: Match = await service.match(
            session=session, principal=principal, match_in=match_in, today=today()
        )
    except ProblemError as problem:
        found = problem_errors(
            problem,
            page_texts,
            fields=known,
            conflicts={
                "clearance-required": (refused_at, CLEARANCE_REQUIRED),
                "already-matched": (refused_at, ALREADY_MATCHED),
            },
        )
        return None, _moved(found, "household_id", household_at)
    mentor = await service.get(
        session=session, principal=principal, volunteer_id=created.volunteer_id
    )
    return mentor, {}


def _mentor_choices(
    page_texts: Texts, suggestions: Sequence[SuggestionOut]
) -> list[tuple[str, str]]:
    """Radio buttons of the suggested mentors: name, languages, those shared."""
    choices = []
    for suggestion in suggestions:
        label = page_texts.gettext("%(name)s – speaks %(languages)s") % {
            "name": suggestion.display_name,
            "languages": _language_list(page_texts, suggestion.languages),
        }
        if suggestion.shared_languages:
            label += " (%s)" % (
                page_texts.gettext("shared: %(languages)s")
                % {"languages": _language_list(page_texts, suggestion.shared_languages)}
            )
        choices.append((str(suggestion.volunteer_id), label))
    return choices


def _moved(errors: FormErrors, key: str, to: str) -> FormErrors:
    """The errors with `key`'s message under the form's own field `to`."""
    return {to if name == key else name: message for name, message in errors.items()}


def _matched_message(page_texts: Texts, mentor: Volunteer, household: HouseholdOut) -> str:
    return page_texts.gettext("%(name)s is now the mentor of household %(number)s.") % {
        "name": mentor.display_name,
        "number": household.allocation_notice_number or household.household_id,
    }


# --- the volunteer's own page --------------------------------------------------------


@router.get("/mein-engagement", name="own_page")
async def own_page(request: Request, session: DbSession, principal: OwnVolunteer) -> Response:
    try:
        found = await service.get_own(session=session, principal=principal)
    except NotFound:
        # Signed in as a volunteer, but no registration names this login (yet).
        return await _page(request, "volunteers/own.html", {"volunteer": None}, section="own_page")
    matches = await service.get_volunteer_matches(
        session=session, principal=principal, volunteer_id=None
    )
    numbers = await service.household_numbers(
        session=session, principal=principal, household_ids=[m.household_id for m in matches]
    )
    return await _page(
        request,
        "volunteers/own.html",
        {"volunteer": found, "matches": matches, "numbers": numbers},
        section="own_page",
    )


# --- rendering -----------------------------------------------------------------------


async def _page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    section: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    """A page of this tool, with what its templates need to name languages and days."""
    page_texts = texts(request)
    return await render(
        request,
        template,
        {
            **context,
            "language_name": lambda code: _language_name(page_texts, code),
            "weekday_labels": WEEKDAY_LABELS,
        },
        section=section,
        errors=errors,
        status_code=status_code,
    )


# --- small helpers -------------------------------------------------------------------


def _language_name(page_texts: Texts, code: str) -> str:
    label = LANGUAGE_NAMES.get(code)
    return page_texts.gettext(label) if label else code


def _language_list(page_texts: Texts, codes: Sequence[str]) -> str:
    return ", ".join(_language_name(page_texts, code) for code in codes) or "–"


def _language_options(page_texts: Texts, spoken: Sequence[str]) -> list[tuple[str, str]]:
    """The common languages and every other one some volunteer speaks, by name."""
    codes = dict.fromkeys([*LANGUAGE_NAMES, *spoken])
    named = [
        (
            code,
            f"{page_texts.gettext(LANGUAGE_NAMES[code])} ({code})"
            if code in LANGUAGE_NAMES
            else code,
        )
        for code in codes
    ]
    return sorted(named, key=lambda option: option[1].casefold())


def _labels(page_texts: Texts, matches: Sequence[Match] = ()) -> dict[str, str]:
    """Field key → label, for the list of errors above a form."""
    labels = field_labels(FIELD_LABELS, page_texts)
    for found in matches:
        labels[_end_key(found.id)] = labels["ended_on"]
    return labels


def mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve volunteers' pages under /ui of `app`."""
    mount_staff_ui(
        app,
        settings,
        StaffTool(
            name="volunteers",
            templates=Path(__file__).parent / "templates",
            sections=SECTIONS,
        ),
        [router],
        outbox=service.outbox,
    )
