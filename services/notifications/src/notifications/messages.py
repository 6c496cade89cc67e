"""Notification texts: one Jinja2 template per event type and language.

A template renders a title on its first line, an empty line, then the body. The same
text is the inbox entry and the e-mail (subject and plain-text body).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from teilhabe.clock import BERLIN
from teilhabe.ui.formatting import language_names

from notifications import domain, timing

TEMPLATES = Path(__file__).parent / "templates"

_MONTHS_EN = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


@dataclass(frozen=True)
class Message:
    language: str
    title: str
    body: str


def render(
    event_type: str, language: str | None, context: Mapping[str, Any], *, entry: bool = False
) -> Message:
    """The text for `event_type` in the recipient's language, or in German if none exists.

    Times are written in the zone `context["time_zone"]` names (the recipient's own, which
    also governs their quiet hours), or in the city's. As an `entry` of a digest it has no
    greeting and no footer of its own.
    """
    chosen = _language_with(f"{event_type}.txt", language)
    template = _environment().get_template(f"{chosen}/{event_type}.txt")
    message = _message(chosen, template.render(**context, language=chosen, entry=entry))
    if entry:  # without the greeting before it, the text starts a sentence
        return Message(message.language, message.title, message.body[:1].upper() + message.body[1:])
    return message


def render_digest(
    language: str | None, *, day: date, entries: Sequence[Message], recipient_name: str | None
) -> Message:
    """The daily digest: each held message once, in the order they came."""
    chosen = _language_with("_digest.txt", language)
    template = _environment().get_template(f"{chosen}/_digest.txt")
    return _message(
        chosen,
        template.render(
            day=day,
            entries=entries,
            recipient_name=recipient_name,
            language=chosen,
            entry=False,
        ),
    )


def _language_with(name: str, language: str | None) -> str:
    """The reader's language if a text `name` exists in it, else German. Which languages
    a reader may choose is checked where they choose it (staff: German or English)."""
    chosen = domain.template_language(language, available=domain.VOLUNTEER_LANGUAGES)
    return chosen if (TEMPLATES / chosen / name).is_file() else domain.DEFAULT_LANGUAGE


def _message(language: str, text: str) -> Message:
    title, _, body = text.strip().partition("\n")
    return Message(language=language, title=title.strip()[:300], body=body.strip() + "\n")


def _zone(context: Context) -> ZoneInfo:
    """The reader's time zone: a volunteer abroad or a member of staff travelling reads a
    shift's start as their own clock shows it. The city's if none is known."""
    name = context.get("time_zone")
    return timing.DeliveryTimes(time_zone=name).zone if name else BERLIN


@pass_context
def _day(context: Context, value: date | None) -> str:
    """A date as readers of the language write it (a moment's date in the reader's zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(context)).date()
    language = context.get("language")
    if language == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    if language in (domain.DEFAULT_LANGUAGE, None):
        return value.strftime("%d.%m.%Y")
    return format_date(value, format="long", locale=language)


@pass_context
def _moment(context: Context, value: datetime | None) -> str:
    """A point in time as readers of the language write it, in the reader's zone."""
    if value is None:
        return ""
    local = value.astimezone(_zone(context))
    if context.get("language") in (domain.DEFAULT_LANGUAGE, None):
        return f"{local:%d.%m.%Y}, {local:%H:%M} Uhr"
    return f"{_day(context, local.date())}, {local:%H:%M}"


@pass_context
def _clock(context: Context, value: datetime | None) -> str:
    """The time of day alone, in the reader's zone."""
    return "" if value is None else f"{value.astimezone(_zone(context)):%H:%M}"


@pass_context
def _languages(context: Context, codes: Sequence[str]) -> str:
    """Language codes in the reader's words (`ar` → Arabisch), as every staff tool says them."""
    language = context.get("language") or domain.DEFAULT_LANGUAGE
    return language_names(codes, {"en": "en_GB", "de": "de_DE"}.get(language, language))


@lru_cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,  # a missing value fails the test suite, not a reader
        autoescape=False,  # noqa: S701 - plain text, never rendered as HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters["day"] = _day
    environment.filters["languages"] = _languages
    environment.filters["moment"] = _moment
    environment.filters["clock"] = _clock
    return environment
