"""Importing an allocation list in Chromium: upload, preview with each row's problems,
import, the report; every page passes axe-core."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect
from teilhabe.auth import Role

from tests.browser.helpers import AxeReport, Tools, check_axe, screenshot, signed_in

pytestmark = [pytest.mark.system, pytest.mark.broker]


async def test_a_caseworker_imports_a_list_after_its_preview(
    tools: Tools, new_context: Callable[[], Any], axe_report: AxeReport, tmp_path: Path
) -> None:
    prefix = f"BRA-{uuid.uuid4().hex[:6].upper()}"
    listed = tmp_path / "Zuweisungsliste.csv"
    listed.write_text(
        "Bescheidnummer;Zuweisungsdatum;Zuweisende Behörde;Familienname;Vorname;Geburtsdatum;"
        "Geschlecht;Staatsangehörigkeit;Aufenthaltsstatus\n"
        f"{prefix}-1;20.11.2026;Bezirksregierung Arnsberg;Haddad;Amina;14.03.1988;w;SYR;"
        "niederlassungserlaubnis\n"
        f"{prefix}-2;20.11.2026;Bezirksregierung Arnsberg;Karimi;Reza;31.02.1990;m;AFG;"
        "niederlassungserlaubnis\n",
        encoding="utf-8",
    )
    page = await signed_in(
        new_context, f"{tools.intake.url}/ui/", subject="anna", roles=[Role.CASEWORKER]
    )
    await page.get_by_role("link", name="Zuweisungsliste importieren", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Zuweisungsliste importieren")
    await check_axe(page, axe_report, "intake allocation list upload (caseworker)")

    # Checking without a file says so at the field.
    await page.get_by_role("button", name="Liste prüfen").click()
    await expect(page.locator("#file-error")).to_contain_text("Bitte wählen Sie die Datei")
    await check_axe(page, axe_report, "intake allocation list upload with an error")

    await page.get_by_label("Liste (CSV- oder Excel-Datei)").set_input_files(str(listed))
    await page.get_by_role("button", name="Liste prüfen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vorschau von Zuweisungsliste.csv"
    )
    problems = page.locator("table[data-problems] tbody tr")
    await expect(problems).to_have_count(1)
    await expect(problems.first).to_contain_text("3")
    await expect(problems.first).to_contain_text("Geburtsdatum")
    await expect(problems.first).to_contain_text("kein Datum")
    await screenshot(page, "intake-import-preview")
    await check_axe(page, axe_report, "intake allocation list preview (caseworker)")

    await page.get_by_role("button", name="Die Haushalte importieren").click()
    await expect(page.get_by_role("status")).to_contain_text("1 Haushalt ist importiert.")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import von Zuweisungsliste.csv"
    )
    await check_axe(page, axe_report, "intake allocation list report (caseworker)")
