"""Forms as staff fill them in: typed values kept, errors in their language next to the field.

Pages turn form fields into the same request model the API takes, and call the same
use case. What can go wrong comes back in two shapes, which both end up here as
`FormErrors` (field key → text): the model's `ValidationError` (a field missing, a
pattern not met) and the use case's `ProblemError` (a rule refused it).

Field keys are the form's field names: `members-0-date_of_birth` for the API's
`members[0].date_of_birth`. `FORM` collects what belongs to no single field.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import HTTPException, Request, status
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from teilhabe.api.problems import ProblemError
from teilhabe.ui.formatting import NoSuchDate, parse_date, parse_whole_number
from teilhabe.ui.i18n import N_, Texts

FormErrors = dict[str, str]
Model = TypeVar("Model", bound=BaseModel)
FORM = "_form"
CSRF_FIELD = "csrf_token"
_CSRF_SESSION_KEY = "csrf"

GENERIC = N_("Please check this entry.")
DATE_FORMAT = N_("Please enter a date as DD.MM.YYYY, for example 20.11.2026.")
NO_SUCH_DATE = N_("This date does not exist. Please check the day and the month.")
WHOLE_NUMBER = N_("Please enter a whole number, for example 12 or 1.000.")
CHOOSE = N_("Please choose an entry from the list.")
REQUIRED = N_("Please fill in this field.")

# Pydantic's error types, in words a caseworker understands.
_MESSAGES: dict[str, str] = {
    "missing": REQUIRED,
    "string_too_short": REQUIRED,
    "string_type": REQUIRED,
    "too_short": N_("Please add at least one entry."),
    "too_long": N_("Please enter at most %(max_length)s entries."),
    "string_too_long": N_("Please shorten this to at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("Please check the format of this entry."),
    "enum": CHOOSE,
    "literal_error": CHOOSE,
    "int_parsing": N_("Please enter a whole number."),
    "int_type": N_("Please enter a whole number."),
    "greater_than_equal": N_("Please enter a number of at least %(ge)s."),
    "less_than_equal": N_("Please enter a number of at most %(le)s."),
    "date_parsing": DATE_FORMAT,
    "date_from_datetime_parsing": DATE_FORMAT,
    "date_type": DATE_FORMAT,
    "uuid_parsing": CHOOSE,
    "uuid_type": CHOOSE,
    "bool_parsing": CHOOSE,
}
# Where a field's own hint says more than the generic text (the format a code must have,
# a rule's message with values in it), pages pass it as `hints`; these types give way to it.
_HINTED_TYPES = frozenset(
    {"string_pattern_mismatch", "string_too_long", "string_too_short", "rule"}
)


def form_key(location: str | Sequence[str | int]) -> str:
    """`members[0].date_of_birth` or `("members", 0, "date_of_birth")` → the form's key.

    That is `members-0-date_of_birth`: the name and id of the field in the form.
    """
    if isinstance(location, str):
        parts: list[str] = re.findall(r"[^.\[\]]+", location)
    else:
        parts = [str(part) for part in location]
    return "-".join(parts)


def field_name(key: str) -> str:
    """The field a key stands for, without row numbers: `members-0-sex` → `sex`."""
    return key.rsplit("-", 1)[-1] if "-" in key else key


def nearest_field(key: str, fields: Collection[str]) -> str:
    """The form field an error belongs to; `members-0-languages-1` → `members-0-languages`."""
    parts = key.split("-")
    while parts:
        candidate = "-".join(parts)
        if candidate in fields:
            return candidate
        parts.pop()
    return FORM


def validation_errors(
    error: ValidationError,
    texts: Texts,
    *,
    fields: Collection[str],
    hints: Mapping[str, str] | None = None,
) -> FormErrors:
    """The errors of a request model built from a form; the first per field."""
    errors: FormErrors = {}
    for item in error.errors(include_url=False):
        location = [part for part in item["loc"] if isinstance(part, str | int)]
        key = nearest_field(form_key(location), fields)
        if key in errors:
            continue
        errors[key] = _message(texts, item["type"], key, dict(item.get("ctx") or {}), hints)
    return errors


def request_model(
    model: type[Model],
    data: Mapping[str, Any],
    texts: Texts,
    *,
    fields: Collection[str],
    hints: Mapping[str, str] | None = None,
    typed_errors: FormErrors | None = None,
) -> tuple[Model | None, FormErrors]:
    """The API's request model built from a form's data, or the errors that prevent it.

    `typed_errors` are what the page found in the form itself (a date typed wrongly,
    nothing chosen). They say more than the model's "missing" for the same field, so
    they win; with any of them there is no model.
    """
    found = dict(typed_errors or {})
    try:
        built = model.model_validate(data)
    except ValidationError as error:
        return None, {**validation_errors(error, texts, fields=fields, hints=hints), **found}
    return (None, found) if found else (built, {})


def problem_errors(
    problem: ProblemError,
    texts: Texts,
    *,
    fields: Collection[str],
    hints: Mapping[str, str] | None = None,
    conflicts: Mapping[str, tuple[str, str]] | None = None,
) -> FormErrors:
    """A use case's refusal as form errors.

    `conflicts` maps a refusal's code to (field key or FORM, message id), for refusals
    that name no field themselves (a duplicate number, too few free beds).
    """
    raw = problem.extensions.get("errors")
    if problem.code == "validation" and isinstance(raw, list):
        errors: FormErrors = {}
        for item in raw:
            key = nearest_field(form_key(str(item.get("field", ""))), fields)
            if key in errors:
                continue
            errors[key] = texts.translated(str(item.get("message", ""))) or _message(
                texts, str(item.get("type", "rule")), key, {}, hints
            )
        return errors
    if conflicts and problem.code is not None and problem.code in conflicts:
        key, message = conflicts[problem.code]
        return {key: texts.gettext(message)}
    return {FORM: texts.translated(problem.detail) or texts.gettext(GENERIC)}


def _message(
    texts: Texts, kind: str, key: str, context: dict[str, Any], hints: Mapping[str, str] | None
) -> str:
    hint = (hints or {}).get(field_name(key))
    if hint is not None and (kind in _HINTED_TYPES or kind not in _MESSAGES):
        return texts.fill(texts.gettext(hint))
    template = texts.gettext(_MESSAGES.get(kind, GENERIC))
    try:
        return template % context if context else template
    except (KeyError, TypeError, ValueError):
        return template


def put_date(
    data: dict[str, Any],
    name: str,
    typed: str,
    errors: FormErrors,
    texts: Texts,
    *,
    key: str | None = None,
    required: bool = True,
) -> None:
    """Put the date typed as DD.MM.YYYY into `data[name]`, or its error under `key`.

    Left empty, a required date is left out (the request model then reports it missing)
    and an optional one is None. A date typed wrongly is reported as such.
    """
    if not typed:
        if not required:
            data[name] = None
        return
    try:
        data[name] = parse_date(typed)
    except NoSuchDate:
        errors[key or name] = texts.gettext(NO_SUCH_DATE)
    except ValueError:
        errors[key or name] = texts.gettext(DATE_FORMAT)


def date_error(typed: str, texts: Texts) -> str | None:
    """What is wrong with a typed date, in words; None if it is a date."""
    errors: FormErrors = {}
    put_date({}, "date", typed, errors, texts)
    return errors.get("date")


def put_whole_number(
    data: dict[str, Any],
    name: str,
    typed: str,
    errors: FormErrors,
    texts: Texts,
    *,
    key: str | None = None,
) -> None:
    """Put the whole number typed in the page's language into `data[name]`, or its error.

    `1.000` is one thousand in German; what is not a whole number as the language writes
    it is refused with a message, never read as something else. Left empty, it is left
    out (the request model reports it missing, or takes its default).
    """
    if not typed:
        return
    try:
        data[name] = parse_whole_number(typed, texts.locale)
    except ValueError:
        errors[key or name] = texts.gettext(WHOLE_NUMBER)


def in_field_order(errors: FormErrors, fields: Sequence[str]) -> FormErrors:
    """The errors in the order their fields stand in the form; the form's own first."""
    order = {key: position for position, key in enumerate((FORM, *fields))}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


def options(labels: Mapping[Any, str], texts: Texts) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a select or radio group."""
    return [(str(value), texts.gettext(label)) for value, label in labels.items()]


def field_labels(labels: Mapping[str, str], texts: Texts) -> dict[str, str]:
    """Field key → its label in the request's language, for the errors above a form."""
    return {key: texts.gettext(label) for key, label in labels.items()}


def language_codes(typed: str) -> list[str]:
    """The language codes typed into one field, apart at commas, semicolons or spaces.

    `AR, pt-BR` → `["ar", "pt-BR"]`: the language in lower case, a region as typed. The
    request model checks each code; this only undoes what typing tends to vary.
    """
    return [_language_code(code) for code in re.split(r"[,;\s]+", typed) if code]


def _language_code(code: str) -> str:
    language, separator, region = code.partition("-")
    return language.lower() + separator + region


def csrf_token(request: Request) -> str:
    """This session's token for forms; created with the session's first form."""
    token = request.session.get(_CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_SESSION_KEY] = token
    return token


async def read_form(request: Request) -> FormData:
    """The submitted form, after checking it came from a page of this session."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(_CSRF_SESSION_KEY)
    if not (
        isinstance(sent, str)
        and isinstance(expected, str)
        and hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="csrf")
    return form


def text(form: FormData | Mapping[str, Any], key: str) -> str:
    """A text field's value, stripped; empty if absent or not text."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""
