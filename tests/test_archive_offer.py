"""Before retention deletes a closed case file, it is offered to the city's archive.

The archive finds a zip per household in ARCHIVE_OFFER_DIR with the whole file in open
formats (JSON and a self-contained HTML rendering); the offer is recorded and audited.
Without that directory, the run deletes no case file.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pdfminer.high_level import extract_text
from teilhabe import clock
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.retention import run as retention_run
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES
from .test_retention import AUDIT_KEY, add_household


async def _run_household_rule(url: str, archive_dir: Path | None) -> int:
    rule = SERVICES["intake"].retention.rule("household")
    engine = create_engine(url, pool_size=1)
    try:
        sessions = create_session_factory(engine, audit_key=AUDIT_KEY)
        async with sessions() as session, session.begin():
            return await retention_run.remove_slice(
                session, rule, now=clock.now(), archive_dir=archive_dir
            )
    finally:
        await engine.dispose()


def _listing(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def _opened(path: Path) -> tuple[list[str], dict[str, Any], str, str, int]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        case = json.loads(archive.read("case.json"))
        page = archive.read("case.html").decode()
        printed = extract_text(io.BytesIO(archive.read("case.pdf")))
    return names, case, page, printed, path.stat().st_size


async def test_an_expired_case_file_is_offered_to_the_archive_then_deleted(
    infra: Infrastructure, tmp_path: Path
) -> None:
    service = SERVICES["intake"]
    keep = service.retention.rule("household").keep
    async with migrated_database(infra, service) as url:
        db = await asyncpg.connect(asyncpg_dsn(url))
        try:
            closed = await add_household(
                db, moved_out_at=clock.now() - keep - timedelta(days=3), name="Haddad"
            )
            await db.execute(
                """INSERT INTO case_note (id, household_id, category, noted_on, text, author,
                    locked_after)
                VALUES ($1, $2, 'beratung', DATE '2021-02-03', 'Beratung zur Schule <b>',
                    'anna', now())""",
                uuid.uuid4(),
                closed,
            )
            younger = await add_household(
                db, moved_out_at=clock.now() - keep + timedelta(days=3), name="Younger"
            )

            # Without a place to offer it, the case file stays.
            with pytest.raises(retention_run.ArchiveNotConfigured):
                await _run_household_rule(url, None)
            assert await db.fetchval("SELECT count(*) FROM household") == 2

            assert await _run_household_rule(url, tmp_path) == 1
            assert {r["id"] for r in await db.fetch("SELECT id FROM household")} == {younger}
            assert await db.fetchval("SELECT count(*) FROM case_note") == 0

            offer = await db.fetchrow("SELECT * FROM archive_offer")
            assert offer["household_id"] == closed
            path = tmp_path / offer["file_name"]
            assert offer["file_name"] == f"fallakte-{closed}.zip"
            audit = await db.fetchrow(
                "SELECT actor, action, resource_type, resource_id FROM audit_entry"
            )
            assert dict(audit) == {
                "actor": "retention-run",
                "action": "archive.offer",
                "resource_type": "household",
                "resource_id": str(closed),
            }
        finally:
            await db.close()

    assert _listing(tmp_path) == [f"fallakte-{closed}.zip"]
    names, case, page, printed, size = _opened(path)
    assert size == offer["size_bytes"]
    assert names == ["case.html", "case.json", "case.pdf"]
    assert case["format"] == "teilhabe-case-file/1"
    records = case["records"]
    assert records["household"][0]["allocation_notice_number"] == f"BRA-{closed}"
    [member] = records["member"]
    assert (member["given_name"], member["family_name"], member["date_of_birth"]) == (
        "Amina",
        "Haddad",
        "1988-03-14",
    )
    assert records["case_note"][0]["text"] == "Beratung zur Schule <b>"
    # The reading copy shows the same, escaped.
    assert "Haddad" in page
    assert "Haddad" in printed  # the PDF shows what the page shows
    assert "Beratung zur Schule &lt;b&gt;" in page
    assert "<h2>Vermerke (1)</h2>" in page
