"""What staff type and read: German numbers, dates that do not exist, codes in words."""

from __future__ import annotations

from datetime import date, time

import pytest
from teilhabe.ui.formatting import (
    NoSuchDate,
    country_name,
    language_name,
    language_names,
    parse_date,
    parse_time,
    parse_whole_number,
    spoken_language_name,
)
from teilhabe.ui.forms import FormErrors, put_date, put_whole_number
from teilhabe.ui.i18n import Texts


@pytest.mark.parametrize(
    ("typed", "locale", "number"),
    [
        ("1.000", "de_DE", 1000),
        ("1000", "de_DE", 1000),
        (" 12 ", "de_DE", 12),
        ("1,000", "en_GB", 1000),
    ],
)
def test_whole_numbers_are_read_as_the_language_writes_them(
    typed: str, locale: str, number: int
) -> None:
    assert parse_whole_number(typed, locale) == number


@pytest.mark.parametrize("typed", ["1.00", "1,5", "zwölf", "1 000", "", "1.0000"])
def test_anything_else_is_refused_never_read_as_another_number(typed: str) -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        parse_whole_number(typed, "de_DE")


def test_a_refused_number_says_so_in_german_and_a_read_one_is_stored() -> None:
    texts = Texts.load("de", [])
    data: dict[str, object] = {}
    errors: FormErrors = {}
    put_whole_number(data, "seats", "1.000", errors, texts)
    put_whole_number(data, "beds", "1.00", errors, texts)
    assert data == {"seats": 1000}
    assert errors == {"beds": "Bitte geben Sie eine ganze Zahl ein, zum Beispiel 12 oder 1.000."}


def test_a_day_the_calendar_does_not_have_is_not_a_format_error() -> None:
    with pytest.raises(NoSuchDate):
        parse_date("31.02.1988")
    assert parse_date("29.02.2024") == date(2024, 2, 29)
    errors: FormErrors = {}
    texts = Texts.load("de", [])
    put_date({}, "date_of_birth", "31.02.1988", errors, texts)
    put_date({}, "allocated_on", "31-02-1988", errors, texts)
    assert errors == {
        "date_of_birth": "Dieses Datum gibt es nicht. Bitte prüfen Sie Tag und Monat.",
        "allocated_on": "Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein, "
        "zum Beispiel 20.11.2026.",
    }


def test_codes_are_named_in_the_readers_language() -> None:
    assert language_name("fa", "de_DE") == "Persisch"
    assert language_name("pt-BR", "de_DE") == "Portugiesisch (Brasilien)"
    assert language_name("fa", "en_GB") == "Persian"
    assert language_name("qqq", "de_DE") == "qqq"
    assert country_name("AFG", "de_DE") == "Afghanistan"
    assert country_name("SYR", "de_DE") == "Syrien"
    assert country_name("UA", "de_DE") == "Ukraine"
    assert country_name("SYR", "en_GB") == "Syria"
    assert country_name("XXX", "de_DE") == "XXX"


def test_the_tools_name_a_language_also_by_its_other_name_here() -> None:
    # Every tool names languages with these (courses, intake, volunteers): one wording.
    assert spoken_language_name("fa", "de_DE") == "Persisch (Farsi)"
    assert spoken_language_name("FA", "en_GB") == "Persian (Farsi)"
    assert spoken_language_name("ar", "de_DE") == "Arabisch"
    assert spoken_language_name("qqq", "de_DE") == "qqq"
    assert language_names(["so", "de", "fa"], "de_DE") == "Somali, Deutsch, Persisch (Farsi)"
    assert language_names([], "de_DE") == ""


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("8:30", time(8, 30)),
        ("08:30", time(8, 30)),
        (" 8.30 ", time(8, 30)),
        ("23:59", time(23, 59)),
    ],
)
def test_a_time_of_day_is_typed_as_hours_and_minutes(typed: str, moment: time) -> None:
    assert parse_time(typed) == moment


@pytest.mark.parametrize("typed", ["", "8", "830", "8:5", "24:00", "12:60", "123:00", "8:30 Uhr"])
def test_what_is_no_time_of_day_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_time(typed)
