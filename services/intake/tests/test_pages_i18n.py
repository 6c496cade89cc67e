"""Texts and formats of the staff pages: German complete, English second, de-DE in Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import intake
import pytest
from teilhabe.ui import catalogues
from teilhabe.ui.formatting import (
    date_input_value,
    format_date,
    format_datetime,
    format_number,
    parse_date,
)
from teilhabe.ui.i18n import Texts, read_catalogue

INTAKE = Path(intake.__file__).parent


@pytest.mark.parametrize("package", [None, INTAKE], ids=["shared", "intake"])
def test_every_text_has_a_german_translation_and_an_english_entry(package: Path | None) -> None:
    template = (
        catalogues.shared_messages() if package is None else catalogues.service_messages(package)
    )
    root = catalogues.catalogue_root(package)
    assert len(template) > 20
    assert catalogues.missing(template, root, "de") == []
    english = read_catalogue(root, "en")
    assert english is not None
    assert [m.id for m in template if m.id and m.id not in english] == []


def test_german_is_the_default_and_english_falls_back_to_the_ids() -> None:
    german = Texts.load("de", [INTAKE / "templates" / "locale"])
    assert german.gettext("Register allocation") == "Zuweisung erfassen"
    assert german.gettext("Skip to main content") == "Zum Inhalt springen"
    assert german.ngettext("%(num)s member", "%(num)s members", 1) == "%(num)s Mitglied"
    assert german.translated("no translation for this") is None
    english = Texts.load("en", [INTAKE / "templates" / "locale"])
    assert english.gettext("Register allocation") == "Register allocation"
    assert Texts.load("fr", []).language == "de"


def test_dates_and_numbers_are_formatted_for_germany_in_berlin() -> None:
    assert format_date(date(2026, 11, 20), "de_DE") == "20.11.2026"
    assert format_date(None, "de_DE") == ""
    # 23:30 UTC on New Year's Eve is already the next year in Berlin.
    assert format_datetime(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "de_DE") == (
        "01.01.2027, 00:30"
    )
    assert format_datetime(datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "de_DE") == (
        "01.07.2026, 12:00"
    )
    assert format_number(12345.5, "de_DE") == "12.345,5"
    assert format_date(date(2026, 11, 20), "en_GB") == "20 Nov 2026"
    assert date_input_value(date(2026, 3, 4), "de_DE") == "04.03.2026"


@pytest.mark.parametrize("typed", ["20.11.2026", "20.11.2026 ", "2026-11-20", "20/11/2026"])
def test_typed_dates_are_understood(typed: str) -> None:
    assert parse_date(typed) == date(2026, 11, 20)


@pytest.mark.parametrize("typed", ["31.02.2026", "20.11.26", "morgen", "2026/11/20", ""])
def test_other_text_is_not_a_date(typed: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_date(typed)
