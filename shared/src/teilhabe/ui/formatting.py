"""Dates and numbers as staff read and type them: de-DE (or en-GB), in Europe/Berlin."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal

from teilhabe.clock import BERLIN

_INPUT_PATTERNS = {"de_DE": "dd.MM.yyyy", "en_GB": "dd/MM/yyyy"}
_GERMAN_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@functools.cache
def _locale(name: str) -> Locale:
    # Babel parses a locale named by a string again on every call, merging its data:
    # that was most of the time a list page spent formatting its dates and numbers.
    return Locale.parse(name)


def format_date(value: date | None, locale: str) -> str:
    """`20.11.2026` in German, `20 Nov 2026` in English; empty for None."""
    if value is None:
        return ""
    return str(babel_format_date(value, format="medium", locale=_locale(locale)))


def format_datetime(value: datetime | None, locale: str) -> str:
    """Date and time of day on the clock in Berlin (`20.11.2026, 14:05`)."""
    if value is None:
        return ""
    local = value.astimezone(BERLIN)
    time_of_day = babel_format_time(local, format="short", locale=_locale(locale))
    return f"{format_date(local.date(), locale)}, {time_of_day}"


def format_number(value: int | float | None, locale: str) -> str:
    if value is None:
        return ""
    return str(format_decimal(value, locale=_locale(locale)))


def date_input_value(value: date | None, locale: str) -> str:
    """A date as a form field shows it, in the form it is typed (`20.11.2026`)."""
    if value is None:
        return ""
    pattern = _INPUT_PATTERNS.get(locale, "dd.MM.yyyy")
    return str(babel_format_date(value, format=pattern, locale=_locale(locale)))


def parse_date(text: str) -> date:
    """A typed date: `20.11.2026`, `20/11/2026` or ISO `2026-11-20`; ValueError otherwise."""
    text = text.strip()
    if match := _GERMAN_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"not a date: {text!r}")
    return date(year, month, day)
