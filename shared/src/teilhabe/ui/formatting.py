"""Dates and numbers as staff read and type them: de-DE (or en-GB), in Europe/Berlin."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime, time

import pycountry
from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from teilhabe.clock import BERLIN

_INPUT_PATTERNS = {"de_DE": "dd.MM.yyyy", "en_GB": "dd/MM/yyyy"}
_GERMAN_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


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


class NoSuchDate(ValueError):
    """Typed in the right format, but the calendar has no such day (31.02.1988)."""


def parse_date(text: str) -> date:
    """A typed date: `20.11.2026`, `20/11/2026` or ISO `2026-11-20`; ValueError otherwise.

    `NoSuchDate` (a ValueError) when the format is right but the day does not exist.
    """
    text = text.strip()
    if match := _GERMAN_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"not a date: {text!r}")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise NoSuchDate(f"no such day: {text!r}") from error


def parse_time(text: str) -> time:
    """A typed time of day, hours and minutes: `8:30`, `08:30` or `8.30`; ValueError
    otherwise (also for `24:00` or `8:5`)."""
    found = _TIME.match(text.strip())
    if found is None:
        raise ValueError(f"not a time of day: {text!r}")
    return time(int(found[1]), int(found[2]))


def parse_whole_number(text: str, locale: str) -> int:
    """A whole number as typed in `locale`: `1.000` is one thousand in German.

    Grouping must be where the locale puts it (`1.00` is refused, never read as 1), and a
    fraction is refused too: ValueError for anything but a whole number.
    """
    try:
        number = parse_decimal(text.strip(), locale=locale, strict=True)
    except NumberFormatError as error:
        raise ValueError(f"not a whole number: {text!r}") from error
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {text!r}")
    return int(number)


# ICAO's code for a stateless person in travel documents; no country of ISO 3166.
STATELESS = "XXX"


@functools.lru_cache(maxsize=4096)
def language_name(code: str, locale: str) -> str:
    """A language code in words of `locale` (`fa` → `Persisch`); the code if unknown."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(_locale(locale))
    except (UnknownLocaleError, ValueError, TypeError):
        name = _locale(locale).languages.get(code.lower())
    return str(name) if name else code


# Names a language also goes by here, added in brackets where CLDR's name alone leaves
# staff unsure which is meant (Persian is Farsi in Iran, Dari in Afghanistan).
ALSO_KNOWN_AS = {"fa": "Farsi"}


def spoken_language_name(code: str, locale: str) -> str:
    """A language as the staff tools name it: `language_name`, and where it is also known
    by another name, that in brackets (`fa` → `Persisch (Farsi)`)."""
    name = language_name(code, locale)
    also = ALSO_KNOWN_AS.get(code.lower())
    return f"{name} ({also})" if also and name != code else name


def language_names(codes: Iterable[str], locale: str) -> str:
    """Language codes in words, comma-separated (`ar, de` → `Arabisch, Deutsch`)."""
    return ", ".join(spoken_language_name(code, locale) for code in codes)


@functools.lru_cache(maxsize=1024)
def country_name(code: str, locale: str) -> str:
    """An ISO 3166 alpha-2 or alpha-3 code in words of `locale` (`AFG` → `Afghanistan`).

    The code itself where it names no country (including STATELESS, which pages word).
    """
    upper = code.upper()
    country = (
        pycountry.countries.get(alpha_3=upper)
        if len(upper) == 3
        else pycountry.countries.get(alpha_2=upper)
    )
    if country is None:
        return code
    name = _locale(locale).territories.get(country.alpha_2)
    return str(name) if name else str(country.name)
