"""Letters to a household as PDF: an appointment invitation, a placement notice.

A letter is German with the person's language beside it (`letter_texts`), rendered from
HTML by WeasyPrint, whose text layout (Pango with HarfBuzz and FriBidi) shapes Arabic and
Persian and sets them right to left; the fonts are the system's (DejaVu Sans, and Noto
Naskh Arabic where installed: Debian's fonts-dejavu-core, fonts-noto-core). A letter is
made when asked for and not kept: the audit trail records who made which letter for whom.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from babel import Locale
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, NotFound
from teilhabe.auth import Principal

from intake.config import get_settings
from intake.dependencies import HOUSEHOLDS
from intake.letter_texts import (
    CLOSING,
    GERMAN,
    LANGUAGES,
    RIGHT_TO_LEFT,
    TEXTS,
    LetterKind,
)
from intake.models import Appointment, Household
from intake.service import audit

_BERLIN = ZoneInfo("Europe/Berlin")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "letters"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
FILE_NAMES = {
    LetterKind.APPOINTMENT_INVITATION: "einladung",
    LetterKind.PLACEMENT_NOTICE: "unterkunft",
}


@dataclass(frozen=True)
class Letter:
    file_name: str
    pdf: bytes


def letter_language(household: Household, asked: str | None) -> str | None:
    """The language beside German: the one asked for, else the first one the head of the
    household speaks that letters are written in; None: German alone."""
    if asked in LANGUAGES:
        return asked
    spoken = household.members[0].languages if household.members else []
    return next((code for code in spoken if code in LANGUAGES), None)


async def appointment_invitation(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    appointment_id: uuid.UUID,
    language: str | None,
) -> Letter:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    appointment = await session.scalar(
        select(Appointment).where(
            Appointment.id == appointment_id, Appointment.household_id == household.id
        )
    )
    if appointment is None:
        raise NotFound("appointment")
    if appointment.cancelled_at is not None:
        raise Conflict("the appointment is cancelled", code="appointment-cancelled")
    starts = appointment.starts_at.astimezone(_BERLIN)
    values = {
        "date": _day(starts),
        "time": starts.strftime("%H:%M"),
        "place": appointment.place,
    }
    letter = await _letter(
        session,
        principal,
        household,
        LetterKind.APPOINTMENT_INVITATION,
        language,
        values,
        interpreter=appointment.interpreter_language,
    )
    await audit(session, principal, "letter", "appointment", [appointment.id])
    await session.commit()
    return letter


async def placement_notice(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, language: str | None
) -> Letter:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    if not household.housing_site or household.housing_status != "housed":
        raise Conflict("the household is not housed", code="not-housed")
    since = household.housing_status_at
    values = {
        "site": household.housing_site,
        "unit": household.housing_unit or "–",
        "date": _day(since.astimezone(_BERLIN)) if since else "–",
    }
    letter = await _letter(
        session, principal, household, LetterKind.PLACEMENT_NOTICE, language, values
    )
    await session.commit()
    return letter


async def _letter(
    session: AsyncSession,
    principal: Principal,
    household: Household,
    kind: LetterKind,
    asked: str | None,
    values: dict[str, str],
    *,
    interpreter: str | None = None,
) -> Letter:
    language = letter_language(household, asked)
    head = household.members[0] if household.members else None
    shared = {
        **values,
        "name": f"{head.given_name} {head.family_name}" if head else "",
        "city": get_settings().city_name,
    }
    columns = [_column(kind, code, shared, interpreter) for code in (GERMAN, language) if code]
    html = _TEMPLATES.get_template("letter.html").render(
        columns=columns, notice=household.allocation_notice_number
    )
    pdf = await to_thread.run_sync(_pdf, html)
    await audit(session, principal, "letter", "household", [household.id])
    suffix = f"-{language}" if language else ""
    return Letter(f"{FILE_NAMES[kind]}-{household.allocation_notice_number}{suffix}.pdf", pdf)


def _column(
    kind: LetterKind, language: str, values: dict[str, str], interpreter: str | None
) -> dict[str, Any]:
    texts: dict[str, Any] = TEXTS[kind][language]
    lines = list(texts["lines"])
    if interpreter and "interpreter" in texts:
        lines.append(texts["interpreter"])
    if "bring" in texts:
        lines.append(texts["bring"])
    local = {**values}
    if interpreter:
        names = Locale.parse(language).languages
        local["language"] = names.get(interpreter, interpreter)
    closing, signature = CLOSING[language]
    return {
        "lang": language,
        "dir": "rtl" if language in RIGHT_TO_LEFT else "ltr",
        "title": fill(texts["title"], local),
        "greeting": fill(texts["greeting"], local),
        "lines": [fill(line, local) for line in lines],
        "closing": fill(closing, local),
        "signature": fill(signature, local),
    }


def fill(text: str, values: dict[str, str]) -> Markup:
    """The text with each {placeholder} replaced by its value, escaped and isolated (so a
    Latin name keeps its direction inside a right-to-left sentence)."""
    parts: list[str] = []
    position = 0
    for found in _PLACEHOLDER.finditer(text):
        parts.append(str(escape(text[position : found.start()])))
        value = values.get(found.group(1), "")
        parts.append(f'<bdi dir="auto">{escape(value)}</bdi>')
        position = found.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 - every part escaped above


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def _day(moment: datetime | date) -> str:
    return moment.strftime("%d.%m.%Y")
