"""A tool's pages in tests: an in-process client, signed in as a browser would be, and
what a test reads off its pages (the form token, the errors next to fields)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
from fastapi import FastAPI
from teilhabe.auth import Role
from teilhabe.ui.forms import CSRF_FIELD

from teilhabe_dev.testing.identity import TEST_TEAM


@asynccontextmanager
async def tool_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client with cookies of its own against `app` in-process: one browser, not signed in."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def sign_in(
    client: httpx.AsyncClient,
    *,
    subject: str,
    roles: Iterable[Role | str],
    name: str | None = None,
    next_path: str = "/ui/",
    teams: Iterable[str] = (TEST_TEAM,),
) -> httpx.Response:
    """Run the code flow as a browser would; returns the page the tool then shows.

    `client` talks to the tool (in-process is fine); the provider is reached over HTTP at
    the address the tool's discovery document names.
    """
    start = await client.get("/ui/anmelden", params={"next": next_path})
    if start.status_code != 302:
        raise RuntimeError(f"sign-in did not redirect to the provider: {start.status_code}")
    authorize = urlsplit(start.headers["location"])
    request = dict(parse_qsl(authorize.query))
    async with httpx.AsyncClient() as provider:
        answer = await provider.post(
            urlunsplit(authorize._replace(query="")),
            data={
                **request,
                "subject": subject,
                "name": name or "",
                "roles": [str(role) for role in roles],
                "teams": list(teams),
                "action": "sign-in",
            },
        )
    if answer.status_code != 303:
        raise RuntimeError(f"the provider refused the sign-in: {answer.status_code} {answer.text}")
    callback = await client.get(answer.headers["location"])
    if callback.status_code != 303:
        raise RuntimeError(f"the tool refused the sign-in: {callback.status_code} {callback.text}")
    return await client.get(callback.headers["location"])


def form_token(page: httpx.Response) -> str:
    """The session's form token in `page`, which a form posted from it must carry."""
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


def error_next_to(page: httpx.Response, field: str) -> str:
    """The error text shown with `field`, as staff read it.

    The field must point at it with aria-describedby and be marked invalid, so that a
    screen reader says it too; a group of radio buttons says it once, on its fieldset.
    """
    key = re.escape(field)
    found = re.search(
        rf'<p class="kern-error" id="{key}-error">.*?<span class="kern-sr-only">'
        r"[^<]*</span>([^<]+)</span>",
        page.text,
        re.S,
    )
    assert found, f"no error shown for {field}"
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{key}"[^>]*>', page.text)
    assert tag, f"no field {field}"
    if 'type="radio"' in tag.group(0):
        groups = re.findall(r"<fieldset\b[^>]*>", page.text[: tag.start()])
        assert groups, f"the radio buttons of {field} are in no fieldset"
        assert f"{field}-error" in groups[-1], f"{field}'s group is not described by its error"
    else:
        assert f"{field}-error" in tag.group(0), f"{field} is not described by its error"
        assert 'aria-invalid="true"' in tag.group(0), f"{field} is not marked invalid"
    return html.unescape(found.group(1).strip())
