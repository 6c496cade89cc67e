"""Browser tests of the staff tools: Chromium driven by Playwright against real processes.

Needs /usr/bin/chromium (CI installs it with apt; Playwright's own browser download is
not used) and the UI assets (KERN stylesheet, axe-core), which `make ui-assets` installs
from the committed package-lock.json; the session runs it when they are missing.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright, expect
from teilhabe.ui.assets import AXE_SCRIPT, vendor_ready
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from tests.browser.helpers import REPO, AxeReport, Tools
from tests.mail import Mailbox, smtp_env, smtp_server
from tests.support import SERVICES, provisioned_system

CHROMIUM = Path("/usr/bin/chromium")
# What a person waits for (a saved form's next page, a status line) gets as long as an
# action does: on a busy 2-core machine a registration's round trip has taken over the
# assertions' default of 5 s.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_installed() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed (CI installs Debian's chromium with apt; "
            "Playwright's browser download is not used)"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def ui_assets(chromium_installed: Path) -> Path:
    """axe-core and the KERN stylesheet; installed through the Makefile when missing."""
    if not (AXE_SCRIPT.is_file() and vendor_ready()):
        subprocess.run(["make", "-s", "ui-assets"], cwd=REPO, check=True)
    assert AXE_SCRIPT.is_file(), "make ui-assets did not install axe-core"
    assert vendor_ready(), "make ui-assets did not copy the KERN stylesheet"
    return AXE_SCRIPT


@pytest.fixture(scope="session")
async def chromium(chromium_installed: Path, ui_assets: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium_installed), args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture(scope="session")
def axe_report() -> Iterator[AxeReport]:
    report = AxeReport()
    yield report
    report.write()


@pytest.fixture(scope="package")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture(scope="package")
async def tools(
    infra: Infrastructure,
    identity: RunningDevProvider,
    log_dir: Path,
    mailbox: tuple[Mailbox, int],
    ui_assets: Path,
) -> AsyncIterator[Tools]:
    """All five services (API, relay, consumer) once for the browser tests.

    The tests share them: each makes its own records (notice numbers, sites, courses and
    volunteers with fresh names), so that none depends on what another left behind. They
    stop when the browser tests are done, before the other system tests start their own.
    """
    async with provisioned_system(infra, identity, log_dir, list(SERVICES)) as system:
        system.extra_env = smtp_env(mailbox[1])
        await asyncio.to_thread(system.start_all, list(SERVICES))
        yield Tools(
            system,
            intake=system.api("intake"),
            housing=system.api("housing"),
            courses=system.api("courses"),
            volunteers=system.api("volunteers"),
            notifications=system.api("notifications"),
            mailbox=mailbox[0],
        )


@pytest.fixture
async def new_context(chromium: Browser) -> AsyncIterator[Callable[[], Any]]:
    """Fresh browser contexts (own cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    async def make() -> BrowserContext:
        # bypass_csp: axe is injected as an inline script, which the pages' policy forbids.
        context = await chromium.new_context(
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()
