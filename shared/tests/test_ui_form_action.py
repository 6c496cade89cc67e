"""The staff pages' one form action, on a real page of a real app over a real database.

The page below is written as a service's page is: read the form, check what was typed,
build the request model, call a use case that writes and commits (or refuses after it
wrote), and answer. What a test then sees is what staff see: the redirect and its
confirmation, or the page again with every error at its field and nothing stored.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.middleware.sessions import SessionMiddleware
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, install_problem_handlers
from teilhabe.db import create_session_factory
from teilhabe.ui.forms import CSRF_FIELD, FORM, csrf_token
from teilhabe.ui.rendering import STATE_ATTRIBUTE, PageRenderer
from teilhabe_dev.testing.ui import tool_client

from .conftest import effects

FIELDS = ("name", "seats", "starts_on")
CONFLICTS = {"duplicate": ("name", ui.N_("Please check this entry."))}
# The page shows its errors (in order), what was typed and the confirmations as JSON.
PAGE = (
    '{{ {"errors": errors, "order": errors | list, "values": values,'
    ' "flashes": flashes} | tojson }}'
)


class ThingIn(BaseModel):
    name: str = Field(min_length=1, pattern=r"^[A-Z]")
    seats: int = Field(ge=1)
    starts_on: date


async def record_thing(session: AsyncSession, thing: ThingIn, key: str) -> str:
    """A use case: it writes first and refuses afterwards, so a refusal must be undone."""
    await session.execute(effects.insert().values(event_id=thing.name, key=key))
    await session.flush()
    if thing.name == "Taken":
        raise Conflict("a thing of this name exists", code="duplicate")
    if thing.name == "Gone":
        raise NotFound("thing")
    if thing.seats > 1000:
        raise InvalidFields({"seats": "at most 1000 seats"})
    await session.commit()
    return thing.name


def staff_app(templates: Path, engine: AsyncEngine) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)  # a tool shows its 404 page; here the API's answer
    app.state.sessions = create_session_factory(engine)
    setattr(
        app.state, STATE_ATTRIBUTE, PageRenderer(ui.StaffTool("intake", templates), ui.UiSettings())
    )

    @app.get("/", name="ui_home")
    async def home(request: Request) -> Response:
        return await ui.render(request, "thing.html", {"values": {}})

    @app.get("/sprache/{language}", name="ui_language")
    async def language(language: str) -> Response:
        return PlainTextResponse(language)

    @app.get("/token")
    async def token(request: Request) -> Response:
        return PlainTextResponse(csrf_token(request))

    @app.post("/dinge/{key}")
    async def create(request: Request, key: str, session: DbSession) -> Response:
        form = await ui.FormAction.read(request, session, fields=FIELDS, conflicts=CONFLICTS)
        values = form.values(FIELDS)
        if form.text("action") == "preview":  # a step of the form: nothing is called
            return await ui.render(request, "thing.html", {"values": values})
        data: dict[str, Any] = {"name": values["name"]}
        form.put_whole_number(data, "seats", values["seats"])
        form.put_date(data, "starts_on", values["starts_on"])
        if values["name"] == "Reserved":  # a check before the call, beside the others
            form.refuse("name", ui.CHOOSE)
        thing = form.model(ThingIn, data)
        if thing is not None:
            recorded = await form.call(record_thing(session, thing, key))
            if recorded is not None:
                return form.done(ui.page_path(request, "ui_home"), f"{recorded} is recorded.")
        return await form.again(
            lambda errors: ui.render(request, "thing.html", {"values": values}, errors=errors)
        )

    @app.post("/knopf/{key}")
    async def button(request: Request, key: str, session: DbSession) -> Response:
        # A button has no fields: a refusal is the form's own error, and a conflict (409).
        form = await ui.FormAction.read(request, session, status=409)
        await form.call(
            record_thing(session, ThingIn(name="Taken", seats=1, starts_on=date.today()), key)
        )
        return await form.again(
            lambda errors: ui.render(request, "thing.html", {"values": {}}, errors=errors)
        )

    return SessionMiddleware(app, secret_key="test")  # type: ignore[return-value]


@pytest.fixture
async def client(tmp_path: Path, backbone_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    (tmp_path / "thing.html").write_text(PAGE, encoding="utf-8")
    async with tool_client(staff_app(tmp_path, backbone_engine)) as found:  # type: ignore[arg-type]
        yield found


async def post(client: httpx.AsyncClient, key: str, **fields: str) -> httpx.Response:
    token = (await client.get("/token")).text
    return await client.post(f"/dinge/{key}", data={CSRF_FIELD: token, **fields})


def page(response: httpx.Response) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(response.text)
    return found


async def stored(engine: AsyncEngine, key: str) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(effects).where(effects.c.key == key)
        )
    return int(count or 0)


def new_key() -> str:
    return uuid.uuid4().hex


async def test_an_accepted_form_is_stored_confirmed_and_the_browser_sent_on(
    client: httpx.AsyncClient, backbone_engine: AsyncEngine
) -> None:
    key = new_key()
    answer = await post(client, key, name="Kurs", seats="1.000", starts_on="20.11.2026")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert page(await client.get("/"))["flashes"] == ["Kurs is recorded."]
    assert await stored(backbone_engine, key) == 1


async def test_every_error_of_the_form_comes_at_once_in_field_order_with_the_values_kept(
    client: httpx.AsyncClient, backbone_engine: AsyncEngine
) -> None:
    key = new_key()
    answer = await post(client, key, name="Reserved", seats="1,5", starts_on="31.02.2026")
    assert answer.status_code == 422
    shown = page(answer)
    assert shown["order"] == ["name", "seats", "starts_on"]
    assert (
        shown["errors"]["seats"]
        == "Bitte geben Sie eine ganze Zahl ein, zum Beispiel 12 oder 1.000."
    )
    assert shown["errors"]["starts_on"].startswith("Dieses Datum gibt es nicht")
    assert shown["values"] == {"name": "Reserved", "seats": "1,5", "starts_on": "31.02.2026"}
    assert await stored(backbone_engine, key) == 0


async def test_what_the_page_found_itself_wins_over_the_models_missing(
    client: httpx.AsyncClient,
) -> None:
    answer = await post(client, new_key(), name="lower", seats="", starts_on="1.1.26x")
    assert answer.status_code == 422
    errors = page(answer)["errors"]
    assert errors["name"] == "Bitte prüfen Sie das Format dieser Angabe."  # the model's pattern
    assert errors["seats"] == "Bitte füllen Sie dieses Feld aus."  # the model's "missing"
    assert errors["starts_on"].startswith("Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein")


@pytest.mark.parametrize(
    ("name", "seats", "field"),
    [("Taken", "3", "name"), ("Many", "2.000", "seats")],
    ids=["a conflict named by its code", "a rule naming its field"],
)
async def test_a_refusal_of_the_use_case_is_undone_and_shown_at_its_field(
    client: httpx.AsyncClient, backbone_engine: AsyncEngine, name: str, seats: str, field: str
) -> None:
    key = new_key()
    answer = await post(client, key, name=name, seats=seats, starts_on="20.11.2026")
    assert answer.status_code == 422
    assert list(page(answer)["errors"]) == [field]
    assert await stored(backbone_engine, key) == 0  # written by the use case, rolled back


async def test_not_found_is_no_refusal_of_the_form_but_the_tools_404(
    client: httpx.AsyncClient, backbone_engine: AsyncEngine
) -> None:
    key = new_key()
    answer = await post(client, key, name="Gone", seats="1", starts_on="20.11.2026")
    assert answer.status_code == 404
    assert await stored(backbone_engine, key) == 0


async def test_a_step_of_a_form_answers_without_calling_the_use_case(
    client: httpx.AsyncClient, backbone_engine: AsyncEngine
) -> None:
    key = new_key()
    answer = await post(client, key, name="Kurs", seats="1", starts_on="x", action="preview")
    assert answer.status_code == 200
    assert page(answer)["errors"] == {}
    assert await stored(backbone_engine, key) == 0


async def test_a_form_without_its_sessions_token_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post(f"/dinge/{new_key()}", data={"name": "Kurs"})
    assert answer.status_code == 400


async def test_a_refused_button_shows_its_page_again_with_the_forms_own_error_as_409(
    client: httpx.AsyncClient, backbone_engine: AsyncEngine
) -> None:
    key = new_key()
    token = (await client.get("/token")).text
    answer = await client.post(f"/knopf/{key}", data={CSRF_FIELD: token})
    assert answer.status_code == 409
    assert page(answer)["errors"] == {FORM: "Bitte prüfen Sie diese Angabe."}
    assert await stored(backbone_engine, key) == 0
