"""Offering a household's case file to the city's archive before it is deleted.

Records of the city's social care are offered to its archive before their deletion
(§§ 4, 10 ArchivG NRW); the archive decides what it takes. When the retention rule of
`household` finds a case file expired, the run first writes it as one zip file to the
configured directory (ARCHIVE_OFFER_DIR, where the archive collects it), in open formats:
`case.json` (every record of the file, as stored), `case.html` (the same for reading,
self-contained) and `case.pdf` (that page as PDF/A-3b, the archives' format for keeping),
then records the offer (`archive_offer`: which household, file name,
SHA-256, when) with an audit entry, and only then deletes the file's records, in the
same transaction. A run killed in between deletes nothing; the next writes the file
again under the same name and replaces the offer.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import json
import os
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.audit import record_access
from teilhabe.auth import Principal

from intake.models import ArchiveOffer, audit_log

FORMAT = "teilhabe-case-file/1"
# Who acts, in the audit trail: the retention run, no person.
RETENTION_RUN = Principal(subject="retention-run", roles=frozenset())

# The records of a case file, in the order a reader takes them: table, German heading,
# and which records belong to the household (:household, :members).
_PARTS: tuple[tuple[str, str, str], ...] = (
    ("household", "Haushalt", "id = :household"),
    ("member", "Mitglieder", "household_id = :household"),
    ("member_change", "Änderungen der Mitglieder", "household_id = :household"),
    (
        "residence_status_record",
        "Aufenthaltsstatus (Verlauf)",
        "member_id = ANY(:members)",
    ),
    ("case_note", "Vermerke", "household_id = :household"),
    ("appointment", "Termine", "household_id = :household"),
    ("follow_up", "Wiedervorlagen", "household_id = :household"),
    ("consent", "Einwilligungen", "household_id = :household"),
)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


async def case_file(session: AsyncSession, household_id: uuid.UUID) -> dict[str, Any]:
    """Every record of the household's case file, table by table, as stored."""
    members = list(
        (
            await session.execute(
                text("SELECT id FROM member WHERE household_id = :household"),
                {"household": household_id},
            )
        ).scalars()
    )
    parts: dict[str, list[dict[str, Any]]] = {}
    for table, _heading, condition in _PARTS:
        rows = await session.execute(
            text(f"SELECT * FROM {table} WHERE {condition}"),  # noqa: S608 - fixed names
            {"household": household_id, "members": members},
        )
        parts[table] = [
            {key: _plain(value) for key, value in row.items()} for row in rows.mappings()
        ]
    return {"format": FORMAT, "household_id": str(household_id), "records": parts}


def render_html(case: Mapping[str, Any], *, offered_at: datetime) -> str:
    """The case file for reading: one table per kind of record, self-contained."""
    records: Mapping[str, list[dict[str, Any]]] = case["records"]
    [household] = records["household"] or [{}]
    title = f"Fallakte {household.get('allocation_notice_number', case['household_id'])}"
    out = [
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}"
        "</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Dem Archiv angeboten am "
        f"{offered_at.date().isoformat()} vor der Löschung (ArchivG NRW). "
        f"Maschinenlesbar: case.json ({FORMAT}).</p>",
    ]
    for table, heading, _condition in _PARTS:
        rows = records.get(table, [])
        out.append(f"<h2>{html.escape(heading)} ({len(rows)})</h2>")
        if not rows:
            out.append("<p>Keine.</p>")
            continue
        columns = list(rows[0])
        out.append("<table><thead><tr>")
        out += [f'<th scope="col">{html.escape(column)}</th>' for column in columns]
        out.append("</tr></thead><tbody>")
        for row in rows:
            cells = (
                ""
                if row[c] is None
                else json.dumps(row[c], ensure_ascii=False)
                if isinstance(row[c], list)
                else str(row[c])
                for c in columns
            )
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)


def _pdf(page: str) -> bytes:
    from weasyprint import HTML  # Pango is loaded only where a file is rendered

    return bytes(HTML(string=page).write_pdf(pdf_variant="pdf/a-3b"))


def _zip(case: Mapping[str, Any], page: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("case.json", json.dumps(case, ensure_ascii=False, indent=2))
        archive.writestr("case.html", page)
        archive.writestr("case.pdf", _pdf(page))
    return buffer.getvalue()


def _write(directory: Path, name: str, content: bytes) -> None:
    """Whole or not at all: the archive never collects a half-written file."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{name}.partial"
    partial.write_bytes(content)
    os.replace(partial, directory / name)


def file_name(household_id: uuid.UUID) -> str:
    return f"fallakte-{household_id}.zip"


async def offer_case_files(
    session: AsyncSession, household_ids: Sequence[Any], directory: Path
) -> None:
    """Write each household's case file to `directory` and record the offer."""
    offered_at = clock.now()
    for household_id in household_ids:
        case = await case_file(session, household_id)
        content = await asyncio.to_thread(_zip, case, render_html(case, offered_at=offered_at))
        name = file_name(household_id)
        await asyncio.to_thread(_write, directory, name, content)
        offer = {
            "household_id": household_id,
            "file_name": name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size_bytes": len(content),
            "offered_at": offered_at,
        }
        await session.execute(
            insert(ArchiveOffer)
            .values(id=uuid.uuid4(), **offer)
            .on_conflict_do_update(index_elements=["household_id"], set_=offer)
        )
    await record_access(
        session,
        audit_log,
        RETENTION_RUN,
        action="archive.offer",
        resource_type="household",
        resource_ids=household_ids,
    )
