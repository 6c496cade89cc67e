"""The staff tools' server-side sessions against a real PostgreSQL, in a database of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from teilhabe.db import create_session_factory
from teilhabe.staff_sessions import create_staff_session_table, define_staff_session_table
from teilhabe.ui.sessions import ServerSideSessions

COOKIE = "teilhabe_session"
table = define_staff_session_table(MetaData())


def tool(engine: AsyncEngine) -> Starlette:
    """A tool whose routes put into, read and clear its session."""

    async def put(request: Request) -> JSONResponse:
        request.session.update(await request.json())
        return JSONResponse(dict(request.session))

    async def read(request: Request) -> JSONResponse:
        return JSONResponse(dict(request.session))

    async def sign_out(request: Request) -> JSONResponse:
        request.session.clear()
        if "then" in request.query_params:
            request.session["note"] = request.query_params["then"]
        return JSONResponse(dict(request.session))

    app = Starlette(
        routes=[
            Route("/put", put, methods=["POST"]),
            Route("/read", read),
            Route("/sign-out", sign_out, methods=["POST"]),
        ]
    )
    state = SimpleNamespace(sessions=create_session_factory(engine))

    async def database_busy(_: Request) -> Response:
        return PlainTextResponse("busy", status_code=503)

    app.add_middleware(
        ServerSideSessions,
        state=state,
        cookie_name=COOKIE,
        max_age=600,
        https_only=True,
        database_busy=database_busy,
    )
    return app


@pytest.fixture
async def browser(own_backbone_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with own_backbone_engine.begin() as connection:
        await connection.run_sync(create_staff_session_table)
    transport = httpx.ASGITransport(app=tool(own_backbone_engine))
    async with httpx.AsyncClient(transport=transport, base_url="https://tool.test") as client:
        yield client


async def rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(select(table)))


async def test_the_cookie_carries_a_random_id_and_the_data_stays_in_the_database(
    browser: httpx.AsyncClient, own_backbone_engine: AsyncEngine
) -> None:
    answer = await browser.post("/put", json={"subject": "cw-anna", "token": "secret"})
    cookie = answer.headers["set-cookie"]
    session_id = browser.cookies[COOKIE]
    assert "secret" not in cookie
    assert "cw-anna" not in cookie
    assert all(flag in cookie.lower() for flag in ("httponly", "secure", "samesite=lax"))
    (row,) = await rows(own_backbone_engine)
    assert row.id_hash != session_id, "the table holds a hash of the id, never the id"
    assert row.data == {"subject": "cw-anna", "token": "secret"}
    assert row.subject == "cw-anna"

    again = await browser.get("/read")
    assert again.json() == {"subject": "cw-anna", "token": "secret"}
    assert "set-cookie" not in again.headers, "an unchanged session is not written again"


async def test_an_unknown_or_forged_id_is_an_empty_session(
    browser: httpx.AsyncClient, own_backbone_engine: AsyncEngine
) -> None:
    browser.cookies.set(COOKIE, "made-up")
    assert (await browser.get("/read")).json() == {}
    assert await rows(own_backbone_engine) == []


async def test_clearing_ends_the_session_and_what_follows_gets_a_new_id(
    browser: httpx.AsyncClient, own_backbone_engine: AsyncEngine
) -> None:
    await browser.post("/put", json={"subject": "cw-anna"})
    old_id = browser.cookies[COOKIE]
    answer = await browser.post("/sign-out", params={"then": "signed out"})
    assert answer.json() == {"note": "signed out"}
    new_id = browser.cookies[COOKIE]
    assert new_id != old_id, "data put after clearing never carries the old id"
    browser.cookies.set(COOKIE, old_id)
    assert (await browser.get("/read")).json() == {}, "a copy of the old cookie is worthless"
    async with own_backbone_engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(table)) == 1


async def test_clearing_with_nothing_after_removes_the_cookie(
    browser: httpx.AsyncClient, own_backbone_engine: AsyncEngine
) -> None:
    await browser.post("/put", json={"subject": "cw-anna"})
    answer = await browser.post("/sign-out")
    assert "max-age=0" in answer.headers["set-cookie"].lower()
    assert await rows(own_backbone_engine) == []
