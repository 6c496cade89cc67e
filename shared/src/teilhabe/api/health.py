"""Liveness, readiness and metrics endpoints, for APIs and workers alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from teilhabe.auth import public_endpoint


@dataclass(frozen=True)
class ReadinessCheck:
    name: str
    check: Callable[[], Awaitable[bool]]
    # An API needs its database to serve, but not the broker: the outbox keeps its events
    # while the broker is away, so the broker is reported there without failing readiness.
    required: bool = True


def health_router(checks: Sequence[ReadinessCheck], *, process: str) -> APIRouter:
    """`process` names what answers (`housing api`, `housing relay`): whoever probes a port
    can tell that the process they started is the one listening there."""
    router = APIRouter(tags=["operations"], dependencies=[public_endpoint()])

    @router.get("/health/live", summary="Process is alive")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Dependencies are reachable")
    async def ready(response: Response) -> dict[str, object]:
        results = {check.name: await check.check() for check in checks}
        ok = all(results[check.name] for check in checks if check.required)
        response.status_code = 200 if ok else 503
        return {"status": "ok" if ok else "unavailable", "process": process, "checks": results}

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
