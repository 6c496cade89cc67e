"""Signing a test client in to a staff tool through the development provider."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from teilhabe.auth import Role


async def sign_in(
    client: httpx.AsyncClient,
    *,
    subject: str,
    roles: Iterable[Role | str],
    name: str | None = None,
    next_path: str = "/ui/",
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
                "action": "sign-in",
            },
        )
    if answer.status_code != 303:
        raise RuntimeError(f"the provider refused the sign-in: {answer.status_code} {answer.text}")
    callback = await client.get(answer.headers["location"])
    if callback.status_code != 303:
        raise RuntimeError(f"the tool refused the sign-in: {callback.status_code} {callback.text}")
    return await client.get(callback.headers["location"])
