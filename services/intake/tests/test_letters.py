"""Letters to a household as PDF: German with the person's language beside it; Arabic and
Persian set right to left and shaped (read back from the PDF's text and glyph positions)."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar, LTTextContainer, LTTextLine
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

ARABIC_SENTENCE = "ندعوكم إلى موعد لدى قسم الرعاية الاجتماعية."
MIDDLE = 297.6  # half an A4 page's width in points: the two columns' border
PERSIAN_SENTENCE = "یک محل اسکان به خانوار شما اختصاص داده شده است."


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


async def registered(
    intake: httpx.AsyncClient, identity: RunningDevProvider, languages: list[str]
) -> dict[str, Any]:
    created = await intake.post(
        "/households",
        json={
            "allocation_notice_number": f"BRA-{uuid.uuid4().hex[:8]}",
            "allocated_on": "2026-11-20",
            "allocating_authority": "Bezirksregierung Arnsberg",
            "members": [
                {
                    "given_name": "Amina",
                    "family_name": "Haddad",
                    "date_of_birth": "1988-03-14",
                    "sex": "female",
                    "nationality": "SYR",
                    "languages": languages,
                    "residence_status": "niederlassungserlaubnis",
                }
            ],
        },
        headers=auth_headers(identity, Role.CASEWORKER),
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def lines_of(pdf: bytes) -> list[list[LTChar]]:
    """Each printed line of the PDF as its glyphs, left to right as printed, top line first
    (glyphs grouped by their baseline and column: a line may come in several runs)."""
    rows: dict[tuple[int, bool, int], list[LTChar]] = {}
    for number, page in enumerate(extract_pages(io.BytesIO(pdf))):
        for box in page:
            if isinstance(box, LTTextContainer):
                for line in box:
                    if isinstance(line, LTTextLine):
                        for glyph in line:
                            if isinstance(glyph, LTChar):
                                key = (number, glyph.x0 > MIDDLE, -round(glyph.y0))
                                rows.setdefault(key, []).append(glyph)
    return [sorted(rows[key], key=lambda g: g.x0) for key in sorted(rows)]


def right_to_left(line: list[LTChar]) -> str:
    """A line read from its right edge to its left, glyph by glyph: an Arabic line's text
    in the order it is written, if (and only if) it was set right to left."""
    return "".join(glyph.get_text() for glyph in sorted(line, key=lambda g: -g.x0))


def line_with(pdf: bytes, words: str) -> list[LTChar]:
    for line in lines_of(pdf):
        if right_to_left(line).strip() == words:
            return line
    raise AssertionError(f"no line reads {words!r} right to left")


def column(pdf: bytes, *, right: bool) -> list[list[LTChar]]:
    """The lines of the letter's left (German) or right (translated) column, top first."""
    return [line for line in lines_of(pdf) if (line[0].x0 > MIDDLE) == right]


def plain(text: str) -> str:
    return " ".join(text.split())


async def test_an_invitation_in_arabic_is_set_right_to_left_beside_the_german(
    browser: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
) -> None:
    household = await registered(intake, identity, ["ar", "de"])
    made = await intake.post(
        f"/households/{household['id']}/appointments",
        json={
            "starts_at": "2099-12-08T10:30:00+01:00",
            "place": "Sozialamt, Zimmer 12",
            "interpreter_language": "ar",
        },
        headers=auth_headers(identity, Role.CASEWORKER, subject="anna"),
    )
    assert made.status_code == 201, made.text
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    page = await browser.get(f"/ui/haushalte/{household['id']}/briefe")
    assert page.status_code == 200
    letter_url = f"/ui/haushalte/{household['id']}/termine/{made.json()['id']}/einladung"
    assert f'href="{letter_url}?sprache=ar"' in page.text

    letter = await browser.get(letter_url)
    assert letter.status_code == 200
    assert letter.headers["content-type"] == "application/pdf"
    number = household["allocation_notice_number"]
    assert f'filename="einladung-{number}-ar.pdf"' in letter.headers["content-disposition"]
    pdf = letter.content

    german = plain(" ".join("".join(g.get_text() for g in ln) for ln in column(pdf, right=False)))
    # German, left to right as it is read, with the appointment's facts.
    assert "Einladung zu einem Termin" in german
    assert "Datum: 08.12.2099, Uhrzeit: 10:30 Uhr" in german
    assert "Sozialamt, Zimmer 12" in german
    assert "Eine Dolmetscherin oder ein Dolmetscher für Arabisch ist dabei." in german
    # Arabic, in the right column: its lines read from right to left are the text as
    # written; read left to right (as a left-to-right layout would have set them) they
    # are not. The title's first letter stands rightmost.
    arabic = column(pdf, right=True)
    as_written = plain(" ".join(right_to_left(line) for line in arabic))
    assert ARABIC_SENTENCE in as_written
    # (A vowel mark such as the tanween sits on its letter, before or after it by position.)
    assert "سيكون مترجم للغة العربية" in as_written
    left_to_right = plain(" ".join("".join(g.get_text() for g in ln) for ln in arabic))
    assert ARABIC_SENTENCE not in left_to_right
    title = line_with(pdf, "دعوة إلى موعد")
    assert title[-1].get_text() == "د"
    assert title[0].get_text() == "د"
    assert max(g.x1 for g in title) > max(g.x1 for line in arabic for g in line) - 1, (
        "right-aligned"
    )
    # Shaped: lam and alef are one glyph (the lam-alef ligature), as Arabic is written.
    assert "لا" in [glyph.get_text() for line in arabic for glyph in line]

    # The letter is not stored: the audit trail says who made it, for which household.
    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        audited = await db.fetch(
            "SELECT resource_type FROM audit_entry WHERE actor = 'anna' AND action = 'letter'"
            " AND resource_id = ANY($1::text[])",
            [household["id"], made.json()["id"]],
        )
    finally:
        await db.close()
    assert sorted(row["resource_type"] for row in audited) == ["appointment", "household"]


async def test_a_placement_notice_in_persian_and_only_for_a_housed_household(
    browser: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Any,
) -> None:
    household = await registered(intake, identity, ["fa"])
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    url = f"/ui/haushalte/{household['id']}/briefe/unterkunft"
    assert (await browser.get(url)).status_code == 409
    await deliver(
        HouseholdMovedIn(
            household_id=household["id"],
            placement_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            site_kind=SiteKind.COMMUNAL_HOUSING,
            unit_id=uuid.uuid4(),
            bed_count=1,
            moved_in_on=date(2026, 11, 25),
            site_name="Übergangswohnheim Halterner Straße",
            unit_name="A1",
        )
    )
    letter = await browser.get(url)
    assert letter.status_code == 200, letter.text
    text = plain(extract_text(io.BytesIO(letter.content)))
    assert "Unterkunft: Übergangswohnheim Halterner Straße, Wohneinheit A1" in text
    persian = column(letter.content, right=True)
    assert PERSIAN_SENTENCE in plain(" ".join(right_to_left(line) for line in persian))
    assert PERSIAN_SENTENCE not in plain(
        " ".join("".join(g.get_text() for g in ln) for ln in persian)
    )

    # Another team's caseworker gets no letter of the household.
    async with tool_client(intake.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other, subject="otto", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Süd"]
        )
        assert (await other.get(url)).status_code == 404
