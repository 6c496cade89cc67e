"""One log line for every refused request: failed sign-ins, 401 and 403, API and tools.

What a security review needs (which route, why, and who when known), never anything of
the token itself.
"""

from __future__ import annotations

import structlog
from starlette.requests import HTTPConnection

log = structlog.get_logger("teilhabe.access")


def route_of(request: HTTPConnection) -> str:
    """The route's template (/households/{household_id}), else the path."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path
    return f"{request.scope.get('root_path', '')}{path}"


def log_refusal(
    request: HTTPConnection, *, status: int, reason: str, subject: str | None = None
) -> None:
    log.warning(
        "access_refused",
        status=status,
        method=request.scope.get("method"),
        route=route_of(request),
        reason=reason,
        subject=subject,
    )
