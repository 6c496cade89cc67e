"""The FastAPI application every service builds on."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

import structlog
from aio_pika.abc import AbstractRobustConnection
from fastapi import APIRouter, FastAPI, Path
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teilhabe.api.docs import DOCS_ASSETS_PATH, docs_router
from teilhabe.api.guard import RequestGuard
from teilhabe.api.health import ReadinessCheck, health_router
from teilhabe.api.pool import install_pool_exhaustion_handler
from teilhabe.api.problems import NotFound, install_problem_handlers
from teilhabe.api.security import SecurityHeaders, install_internal_error_handler
from teilhabe.audit.router import audit_router
from teilhabe.auth import install_auth, public_endpoint
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.asyncapi import published_document
from teilhabe.events.catalogue import SCHEMA_PATH, lookup_payload_model, set_schema_base_url
from teilhabe.events.tracing import TraceContext, current_trace
from teilhabe.messaging.connection import connect_broker
from teilhabe.ui.assets import SWAGGER_UI_DIR


def create_service_app(
    settings: ServiceSettings, *, title: str, description: str, routers: Sequence[APIRouter]
) -> FastAPI:
    """An app with its database sessions, auth, problem responses, tracing and health."""
    if settings.audit_key is None:
        raise RuntimeError("AUDIT_KEY is not set: the API cannot seal its audit trail")
    audit_key = settings.audit_key.get_secret_value()
    set_schema_base_url(settings.event_schema_base_url)
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_seconds,
    )
    broker = _BrokerStatus(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.sessions = create_session_factory(engine, audit_key=audit_key)
        broker.start()
        try:
            yield
        finally:
            await broker.stop()
            await engine.dispose()

    # /docs is served below from the kept Swagger UI files, not from a CDN; no ReDoc.
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    install_internal_error_handler(app)
    install_pool_exhaustion_handler(app, settings.service_name)
    install_auth(app, settings)
    app.add_middleware(_TraceContextMiddleware)
    app.add_middleware(SecurityHeaders)
    # Outermost: oversized or unstorable input is refused before any other work.
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_request_body_bytes)
    app.include_router(
        health_router(
            [
                ReadinessCheck("database", lambda: database_ok(engine)),
                ReadinessCheck("broker", broker.connected, required=False),
            ],
            process=f"{settings.service_name} api",
        )
    )
    app.include_router(_contract_router())
    app.include_router(docs_router(title))
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_DIR, check_dir=False))
    app.include_router(audit_router())
    for router in routers:
        app.include_router(router)
    return app


SCHEMA_MEDIA_TYPE = "application/schema+json"


def _contract_router() -> APIRouter:
    router = APIRouter(tags=["contract"], dependencies=[public_endpoint()])

    @router.get("/asyncapi.json", summary="AsyncAPI 3.0 document of every domain event")
    async def asyncapi() -> dict[str, Any]:
        return _ASYNCAPI_DOCUMENT()

    # What an event's `dataschema` points to: public, like the document naming it.
    @router.get(
        SCHEMA_PATH + "/{event_type}/{version}",
        summary="JSON Schema of one event type's payload in one version",
        response_class=JSONResponse,
        responses={200: {"content": {SCHEMA_MEDIA_TYPE: {}}}, 404: {}},
    )
    async def event_schema(
        event_type: Annotated[str, Path(max_length=200, pattern=r"^[a-z_]+(\.[a-z_]+)+$")],
        version: Annotated[int, Path(ge=1, le=1000)],
    ) -> JSONResponse:
        model = lookup_payload_model(event_type, version)
        if model is None:
            raise NotFound(f"event {event_type} in version {version}")
        return JSONResponse(
            model.json_schema(),
            media_type=SCHEMA_MEDIA_TYPE,
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router


@functools.cache
def _ASYNCAPI_DOCUMENT() -> dict[str, Any]:  # noqa: N802 - a cached constant
    return published_document()


async def database_ok(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True


class _BrokerStatus:
    """A connection kept only to report the broker's reachability; the API never publishes."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._connection: AbstractRobustConnection | None = None
        self._connecting: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._connecting = asyncio.create_task(self._connect())

    async def _connect(self) -> None:
        self._connection = await connect_broker(
            self._settings.amqp_url, heartbeat=self._settings.amqp_heartbeat_seconds
        )

    async def connected(self) -> bool:
        return self._connection is not None and self._connection.connected.is_set()

    async def stop(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connecting
        if self._connection is not None:
            await self._connection.close()


class _TraceContextMiddleware:
    """Continue the caller's W3C trace (or start one) for the events a request stages.

    Plain ASGI rather than BaseHTTPMiddleware: it runs on every request and should cost
    next to nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        parent = TraceContext.parse(Headers(scope=scope).get("traceparent"))
        trace = parent.child() if parent else TraceContext.new()
        token = current_trace.set(trace)
        structlog.contextvars.bind_contextvars(trace_id=trace.trace_id)

        async def send_with_trace(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("traceparent", trace.traceparent)
            await send(message)

        try:
            await self._app(scope, receive, send_with_trace)
        finally:
            current_trace.reset(token)
            structlog.contextvars.unbind_contextvars("trace_id")
