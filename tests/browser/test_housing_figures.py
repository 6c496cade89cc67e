"""Housing's figures page in Chromium: charts with a text alternative and a table each,
no axe violation (WCAG 2.1 AA), and the downloads it offers; the person search too."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from tests.browser.helpers import SCREENSHOTS, AxeReport, PageChecks, signed_in
from tests.support import System, provisioned_system

pytestmark = [pytest.mark.system]

# Where a copy of the page's screenshot goes besides the artifacts, if set.
SCREENSHOT_COPY = os.environ.get("FIGURES_SCREENSHOT")


@pytest.fixture
async def housing(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path, ui_assets: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["housing"]) as system:
        system.start("housing", "api")
        yield system


async def a_year_of_housing(system: System) -> None:
    """Two sites and a year of allocations, move-ins, arrivals and departures."""
    officer = system.headers(Role.HOUSING_OFFICER, "ho-figures")
    months_back = [date(today().year, today().month, 1)]
    for _ in range(11):
        months_back.append((months_back[-1] - timedelta(days=1)).replace(day=1))
    async with httpx.AsyncClient(base_url=system.api("housing").url, headers=officer) as api:
        units = []
        for name, beds in (("Übergangswohnheim Nord", 20), ("Notunterkunft Süd", 12)):
            site = await api.post(
                "/sites",
                json={
                    "name": name,
                    "kind": "communal_housing",
                    "address": "Marktplatz 1, 48249 Dülmen",
                    "units": [{"name": "A", "beds": beds // 2}, {"name": "B", "beds": beds // 2}],
                },
            )
            assert site.status_code == 201, site.text
            units += [unit["id"] for unit in site.json()["units"]]
        for n, first in enumerate(reversed(months_back[1:])):
            household = uuid.uuid4()
            size = 1 + n % 3
            await system.query(
                "housing",
                "INSERT INTO waiting_household (household_id, allocation_notice_number, "
                "allocated_on, member_count, minor_count, needs_accessible_housing, status) "
                "VALUES ($1, $2, $3, $4, 0, false, 'awaiting')",
                household,
                f"BRA-2026-F{n:03d}",
                first + timedelta(days=2),
                size,
            )
            moved_in = first + timedelta(days=10 + 3 * n)
            placed = await api.post(
                "/placements",
                json={
                    "household_id": str(household),
                    "unit_id": units[n % len(units)],
                    "moved_in_on": str(min(moved_in, today())),
                },
            )
            assert placed.status_code == 201, placed.text
            arrived = await api.post(
                f"/households/{household}/arrival",
                json={"arrived_on": str(min(moved_in, today())), "person_count": size},
            )
            assert arrived.status_code == 201, arrived.text
            await system.query(
                "housing",
                "INSERT INTO household_member (member_id, household_id, age_group) "
                "VALUES ($1, $2, 'adult')",
                uuid.uuid4(),
                household,
            )
            if n in (8, 10):
                left = await api.post(
                    f"/placements/{placed.json()['id']}/move-out",
                    json={"moved_out_on": str(today()), "reason": "private_housing"},
                )
                assert left.status_code == 200, left.text
        for n in range(3):  # still waiting
            await system.query(
                "housing",
                "INSERT INTO waiting_household (household_id, allocation_notice_number, "
                "allocated_on, member_count, minor_count, needs_accessible_housing, status) "
                "VALUES ($1, $2, $3, 2, 0, false, 'awaiting')",
                uuid.uuid4(),
                f"BRA-2026-W{n:03d}",
                today() - timedelta(days=5 + 40 * n),
            )


async def test_the_figures_page_shows_charts_with_tables_and_passes_axe(
    housing: System, new_context: Callable[[], Any], axe_report: AxeReport
) -> None:
    await a_year_of_housing(housing)
    base = housing.api("housing").url
    page = await signed_in(
        new_context, f"{base}/ui/kennzahlen", subject="lea", roles=[Role.HOUSING_OFFICER]
    )
    checks = PageChecks(axe_report, base=base)
    await checks.visit(page, "/ui/kennzahlen", "housing-figures")
    if SCREENSHOT_COPY:
        shutil.copyfile(SCREENSHOTS / "housing-figures.png", SCREENSHOT_COPY)

    charts = page.get_by_role("img")
    await expect(charts).to_have_count(3)
    await expect(
        page.get_by_role("img", name="Belegung im Zeitverlauf je Standort")
    ).to_be_visible()
    for chart in ("chart-occupancy", "chart-monthly", "chart-waiting"):
        description = await page.locator(f"#{chart}-desc").text_content()
        assert description, f"{chart} has a text alternative"
        table = page.locator(f'[data-chart="{chart}"] table')
        await expect(table).to_have_count(1)
        assert await table.locator("tbody tr").count() >= 6
    occupancy = page.get_by_role("table", name="Belegung im Zeitverlauf je Standort")
    await expect(
        occupancy.get_by_role("columnheader", name="Übergangswohnheim Nord")
    ).to_be_visible()
    links = page.get_by_role("link", name="Als CSV herunterladen")
    await expect(links).to_have_count(3)

    async with page.expect_download() as started:
        await (
            page.locator('[data-chart="chart-monthly"]')
            .get_by_role("link", name="Als Excel herunterladen")
            .click()
        )
    download = await started.value
    assert download.suggested_filename == f"quote-{today().isoformat()}.xlsx"

    # Where does a person live: the search across sites.
    await checks.visit(page, "/ui/personen?q=BRA-2026-F000", "housing-person-search")
    await expect(page.get_by_role("table", name="1 Person gefunden")).to_be_visible()
