"""An exhausted connection pool answers 503 with Retry-After, never 500, and is counted.

Each process may hold only its share of the database server's connections (see the
connection budget in deploy/README.md). When every one of them is busy for longer than
`database_pool_timeout_seconds`, the request is refused as temporarily unavailable: the
client may retry, nothing was changed.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from teilhabe.api.problems import problem_response
from teilhabe.metrics import DATABASE_POOL_EXHAUSTED

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 2


def count_pool_exhausted(service: str, path: str) -> None:
    DATABASE_POOL_EXHAUSTED.labels(service=service).inc()
    log.warning("database_pool_exhausted", path=path)


def install_pool_exhaustion_handler(app: FastAPI, service: str) -> None:
    @app.exception_handler(PoolTimeoutError)
    async def pool_exhausted(request: Request, _: PoolTimeoutError) -> JSONResponse:
        count_pool_exhausted(service, request.url.path)
        return problem_response(
            request,
            503,
            "every database connection of this process is busy, retry later",
            code="database-busy",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
