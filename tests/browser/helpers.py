"""What the browser tests do on a page: sign in, check with axe, screenshot, move by Tab."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Locator, Page, expect
from teilhabe.auth import Role
from teilhabe.ui.assets import AXE_SCRIPT
from teilhabe_dev.devprovider.authorize import DEV_TEAMS, ROLE_LABELS
from teilhabe_dev.testing.identity import TEST_TEAM
from teilhabe_dev.testing.processes import ServiceProcess

from tests.mail import Mailbox
from tests.support import System

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class AxeReport:
    """Every page checked in this session, written to artifacts/axe-report.json."""

    checks: list[dict[str, Any]] = field(default_factory=list)

    def write(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        summary = {
            "tags": AXE_TAGS,
            "pages_checked": len(self.checks),
            "violations": sum(len(check["violations"]) for check in self.checks),
            "checks": self.checks,
        }
        (ARTIFACTS / "axe-report.json").write_text(json.dumps(summary, indent=2) + "\n")


@dataclass
class Tools:
    """The five services as real processes: their APIs (which serve the tools) by name."""

    system: System
    intake: ServiceProcess
    housing: ServiceProcess
    courses: ServiceProcess
    volunteers: ServiceProcess
    notifications: ServiceProcess
    mailbox: Mailbox


def notice() -> str:
    """A new allocation notice number: the services are shared by every test of the session."""
    return f"BRA-2026-{uuid.uuid4().hex[:6].upper()}"


async def sign_in(
    page: Page,
    url: str,
    *,
    subject: str,
    roles: Sequence[Role],
    teams: Sequence[str] = (TEST_TEAM,),
) -> None:
    """Open `url`, which sends the browser to the provider's sign-in page; sign in there."""
    await page.goto(url)
    await page.get_by_label("Kennung").fill(subject)
    for role in roles:
        await page.get_by_label(ROLE_LABELS[role], exact=True).check()
    for team in teams:
        await page.get_by_label(team, exact=True).check()
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(re.compile(re.escape(url.split("/ui/")[0]) + "/ui/.*"))


async def signed_in(
    new_context: Callable[[], Awaitable[BrowserContext]],
    url: str,
    *,
    subject: str,
    roles: Sequence[Role],
) -> Page:
    """A page in a browser of its own (own cookies), signed in at `url`."""
    page = await (await new_context()).new_page()
    await sign_in(page, url, subject=subject, roles=roles)
    return page


async def keyboard_sign_in(page: Page, url: str, subject: str, role: Role) -> None:
    """Sign in at `url` with the keyboard alone, as `subject` holding `role`."""
    await page.goto(url)
    await tab_to(page, by_id("subject"))
    await page.keyboard.type(subject)
    await tab_to(page, by_id(f"role-{role.value}"))
    await page.keyboard.press("Space")
    await tab_to(page, by_id(f"team-{DEV_TEAMS.index(TEST_TEAM) + 1}"))
    await page.keyboard.press("Space")
    await tab_to(page, by_text("Anmelden"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(re.escape(url) + ".*"))


def sections(page: Page) -> Locator:
    """The navigation of the tool's own pages."""
    return page.get_by_role("navigation", name="Seiten dieses Werkzeugs")


async def check_axe(page: Page, report: AxeReport, label: str) -> None:
    """No axe-core violation of WCAG 2.1 A/AA on the page as it is now."""
    await page.add_script_tag(path=str(AXE_SCRIPT))
    result = await page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {
                violations: r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary),
                })),
                passes: r.passes.length,
                incomplete: r.incomplete.map(v => v.id),
            };
        }""",
        AXE_TAGS,
    )
    report.checks.append({"page": label, "url": page.url, **result})
    assert result["violations"] == [], f"axe violations on {label} ({page.url}):\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in result["violations"]
    )


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@dataclass
class PageChecks:
    """The pages one test checks, each by name: no axe violation, and a screenshot."""

    report: AxeReport
    base: str = ""  # put before the addresses given to `visit`
    checked: list[str] = field(default_factory=list)

    async def visit(self, page: Page, url: str, name: str, *, status: int = 200) -> None:
        """Open `url`, which must answer `status`, and check what it shows."""
        response = await page.goto(self.base + url)
        assert response is not None
        assert response.status == status, f"{url}: {response.status}"
        await self.check(page, name)

    async def check(self, page: Page, name: str) -> None:
        """Check the page as it is now."""
        await check_axe(page, self.report, name)
        await screenshot(page, name)
        self.checked.append(name)

    async def submit_with_errors(self, page: Page, button: str, name: str) -> None:
        """Press `button` of a form that is refused, and check the errors shown."""
        await page.get_by_role("button", name=button, exact=True).click()
        await self.refused(page, name)

    async def refused(self, page: Page, name: str) -> None:
        """After a refused form: the error summary has the focus; check the page."""
        await expect(page.locator("[data-error-summary]")).to_be_focused()
        await self.check(page, name)


async def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: tag, id, name, value and its accessible text."""
    description: dict[str, str] = await page.evaluate(
        r"""() => {
            const e = document.activeElement;
            if (!e) return {};
            const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
            return {tag: e.tagName.toLowerCase(), id: e.id || '', name: e.name || '',
                    value: e.value || '',
                    text: (e.innerText || label || '').replace(/\s+/g, ' ').trim()};
        }"""
    )
    return description


async def tab_to(
    page: Page, wanted: Callable[[dict[str, str]], bool], *, limit: int = 120
) -> dict[str, str]:
    """Press Tab until the focused element is `wanted`; fails if it never comes."""
    seen = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        current = await focused(page)
        if wanted(current):
            return current
        seen.append(current.get("id") or current.get("text", "")[:30])
    raise AssertionError(f"not reachable by Tab within {limit} presses; passed: {seen}")


def by_id(element_id: str) -> Callable[[dict[str, str]], bool]:
    return lambda current: current.get("id") == element_id


def by_text(text: str) -> Callable[[dict[str, str]], bool]:
    return lambda current: current.get("text", "").startswith(text)
