"""Every page a member of staff can reach by following links, in each tool, in Chromium.

The scripted browser tests check the pages their stories pass through; this one walks
each tool as someone would who clicks everything: from the start page, every link to a
page of the same tool, breadth first. Each page must answer without an error and pass
axe-core (WCAG 2.1 A/AA). Addresses of the same shape (the same path with other record
ids) are visited twice at most, so the walk stays bounded as data grows. It runs after
the other browser tests of the package, on the records they left, and adds a few of its
own so that it finds record pages when run alone.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest
from playwright.async_api import BrowserContext, Page
from teilhabe.auth import Role

from tests.browser.helpers import AxeReport, Tools, check_axe, notice, sign_in
from tests.support import register_households

pytestmark = [pytest.mark.system, pytest.mark.broker]

STAFF_ROLES = (
    Role.CASEWORKER,
    Role.HOUSING_OFFICER,
    Role.COURSE_COORDINATOR,
    Role.VOLUNTEER_COORDINATOR,
    Role.TEAM_LEAD,
    Role.DATA_PROTECTION,
    Role.ADMIN,
)
SAME_SHAPE_AT_MOST = 2
PAGES_PER_TOOL_AT_MOST = 80
# Links that end the session or hand over a file rather than a page.
NOT_A_PAGE = re.compile(r"abmelden|logout|sign-out|\.(csv|xlsx|pdf|ics|zip|json)$|/docs\b")
RECORD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


def shape(url: str) -> str:
    """The address with record ids and query values blanked: pages of one kind."""
    parts = urlsplit(url)
    keys = sorted(pair.split("=")[0] for pair in parts.query.split("&") if pair)
    return RECORD_ID.sub("{id}", parts.path) + "?" + "&".join(keys)


@dataclass
class Walk:
    """The pages of one tool reached so far, and what was wrong on them."""

    tool_root: str
    report: AxeReport
    label: str
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _shapes: Counter[str] = field(default_factory=Counter)
    _seen: set[str] = field(default_factory=set)

    def admits(self, url: str) -> bool:
        if not url.startswith(self.tool_root) or NOT_A_PAGE.search(urlsplit(url).path):
            return False
        if url in self._seen or self._shapes[shape(url)] >= SAME_SHAPE_AT_MOST:
            return False
        self._seen.add(url)
        self._shapes[shape(url)] += 1
        return True

    async def run(self, page: Page, start: str) -> None:
        queue: deque[tuple[str, str]] = deque([(start, "(start)")])
        self.admits(start)
        while queue and len(self.visited) < PAGES_PER_TOOL_AT_MOST:
            url, came_from = queue.popleft()
            for link in await self.visit(page, url, came_from):
                if self.admits(link):
                    queue.append((link, url))

    async def visit(self, page: Page, url: str, came_from: str) -> list[str]:
        answer = await page.context.request.get(url, max_redirects=5)
        kind = answer.headers.get("content-type", "")
        if answer.status >= 400:
            self.problems.append(f"{answer.status} {url} (linked from {came_from})")
            return []
        if not kind.startswith("text/html"):
            return []
        await page.goto(url)
        self.visited.append(url)
        try:
            await check_axe(page, self.report, f"{self.label} {urlsplit(url).path}")
        except AssertionError as violations:
            self.problems.append(f"{violations} (linked from {came_from})")
        hrefs: list[str] = await page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
        )
        return [urldefrag(urljoin(page.url, href))[0] for href in hrefs]


@pytest.fixture(scope="module")
async def seeded(tools: Tools) -> Tools:
    """A household, a site and a course, so that each tool has record pages to link to."""
    caseworker = tools.system.headers(Role.CASEWORKER)
    await register_households(tools.intake, caseworker, [notice()])
    async with httpx.AsyncClient(base_url=tools.housing.url) as housing:
        site = await housing.post(
            "/sites",
            json={
                "name": f"Übergangswohnheim West {uuid.uuid4().hex[:4]}",
                "kind": "communal_housing",
                "address": "Halterner Straße 5, 48249 Dülmen",
                "units": [{"name": "W1", "beds": 2}],
            },
            headers=tools.system.headers(Role.HOUSING_OFFICER),
        )
        assert site.status_code == 201, site.text
    async with httpx.AsyncClient(base_url=tools.courses.url) as courses:
        course = await courses.post(
            "/courses",
            json={
                "kind": "integration_course",
                "provider": "VHS Dülmen-Haltern am See-Havixbeck",
                "title": f"Deutsch im Alltag {uuid.uuid4().hex[:4]}",
                "level": "A1",
                "starts_on": "2027-02-01",
                "ends_on": "2027-05-31",
                "weekly_times": "Di und Do 17:00–19:00",
                "place": "Bildungszentrum, Königswall 1, 48249 Dülmen",
                "seats": 12,
            },
            headers=tools.system.headers(Role.COURSE_COORDINATOR),
        )
        assert course.status_code == 201, course.text
    return tools


@pytest.mark.parametrize("tool", ["intake", "housing", "courses", "volunteers", "notifications"])
async def test_every_page_reached_by_a_link_answers_and_passes_axe(
    tool: str,
    seeded: Tools,
    new_context: Callable[[], Awaitable[BrowserContext]],
    axe_report: AxeReport,
) -> None:
    root = getattr(seeded, tool).url + "/ui/"
    page = await (await new_context()).new_page()
    await sign_in(page, root, subject=f"crawl-{tool}", roles=STAFF_ROLES)
    walk = Walk(root, axe_report, f"walk {tool}")
    await walk.run(page, page.url)
    assert len(walk.visited) > 3, f"{tool}: the walk found only {walk.visited}"
    assert walk.problems == [], f"{tool}, {len(walk.visited)} pages:\n" + "\n".join(walk.problems)
