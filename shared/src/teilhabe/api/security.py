"""Security headers on every response, and the 500 that carries them too.

An unexpected error is answered by Starlette's outermost middleware, outside every other
middleware of the app: the headers are set on that answer here, not left to them.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teilhabe.api.problems import problem_response

# Responses may hold personal data: not kept by a browser or a proxy, not framed, not
# sniffed into another type. Pages add their own Content-Security-Policy for scripts and
# styles; this one is what an answer without a page needs.
SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# /docs is a page with Swagger UI's script and styles, served by the app itself.
_DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        docs = scope["path"].startswith(_DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if docs and name == "Content-Security-Policy":
                        continue
                    headers.setdefault(name, value)
            await send(message)

        await self._app(scope, receive, send_with_headers)


def install_internal_error_handler(app: FastAPI) -> None:
    """Answer any unhandled exception as a problem document with the security headers."""

    async def internal_error(request: Request, error: Exception) -> Response:
        # Starlette re-raises `error` after this answer: the server logs it with its trace.
        response: JSONResponse = problem_response(
            request, 500, "the server could not complete the request", code="internal"
        )
        response.headers.update(SECURITY_HEADERS)
        return response

    app.add_exception_handler(Exception, internal_error)
