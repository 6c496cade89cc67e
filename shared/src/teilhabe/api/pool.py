"""An exhausted connection pool answers 503 with Retry-After, never 500, and is counted.

Each process may hold only its share of the database server's connections (see the
connection budget in deploy/README.md). When every one of them is busy for longer than
`database_pool_timeout_seconds`, the request is refused as temporarily unavailable: the
client may retry, nothing was changed. So is a request for which the server took no new
connection (its slots full, or it is starting or stopping) or lost the one it had.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from teilhabe.api.problems import problem_response
from teilhabe.metrics import DATABASE_POOL_EXHAUSTED

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 2
# SQLSTATEs of a server that takes no new connection now: too many connections (for the
# server or the role), cannot connect now (starting or shutting down).
_REFUSED_STATES = frozenset({"53300", "57P03"})


# The errors `database_unavailable` sorts: every pool timeout, and those driver errors that
# are about the connection rather than the statement.
CONNECTION_ERRORS = (PoolTimeoutError, DBAPIError)


def database_unavailable(error: BaseException) -> bool:
    """No connection to work with, for the moment: retrying later may succeed."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None) or ""
    # Class 08: the connection failed or broke; the transaction was rolled back.
    return error.connection_invalidated or state in _REFUSED_STATES or state.startswith("08")


def count_pool_exhausted(service: str, path: str) -> None:
    DATABASE_POOL_EXHAUSTED.labels(service=service).inc()
    log.warning("database_pool_exhausted", path=path)


def install_pool_exhaustion_handler(app: FastAPI, service: str) -> None:
    async def pool_exhausted(request: Request, error: Exception) -> JSONResponse:
        if not database_unavailable(error):
            raise error  # any other database error stays a 500, logged with its trace
        count_pool_exhausted(service, request.url.path)
        return problem_response(
            request,
            503,
            "every database connection of this process is busy, retry later",
            code="database-busy",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for error_class in CONNECTION_ERRORS:
        app.add_exception_handler(error_class, pool_exhausted)
