"""RFC 9457 problem responses for every error a service's API returns."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from teilhabe.refusal import Refusal

PROBLEM_CONTENT_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ProblemError(Exception):
    """A domain refusal or missing resource, answered as a problem document."""

    def __init__(
        self, status: int, detail: str, *, code: str | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.extensions = extensions


class NotFound(ProblemError):
    def __init__(self, what: str) -> None:
        super().__init__(404, f"{what} not found", code="not-found")


class Conflict(ProblemError):
    def __init__(self, detail: str, *, code: str = "conflict", **extensions: Any) -> None:
        super().__init__(409, detail, code=code, **extensions)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:teilhabe:problem:{code}" if code else "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_CONTENT_TYPE)


def field_path(location: tuple[int | str, ...]) -> str:
    """`("body", "members", 0, "date_of_birth")` → `members[0].date_of_birth`."""
    parts = list(
        location[1:] if location and location[0] in {"body", "query", "path"} else location
    )
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(body)"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_failed(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": field_path(tuple(item["loc"])), "message": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        fields = ", ".join(dict.fromkeys(item["field"] for item in errors))
        return problem_response(
            request, 422, f"invalid fields: {fields}", code="validation", errors=errors
        )

    @app.exception_handler(ProblemError)
    async def domain_problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(
            request, error.status, error.detail, code=error.code, **error.extensions
        )

    @app.exception_handler(DataError)
    async def value_out_of_range(request: Request, error: DataError) -> JSONResponse:
        # What the schema let through but a column cannot hold (a number beyond its type):
        # the request was wrong, not the server. The guard names such fields where it can.
        return problem_response(
            request,
            422,
            "a value is outside what the system can store",
            code="validation",
            errors=[{"field": "(body)", "message": "value out of range", "type": "out_of_range"}],
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            request, error.status_code, str(error.detail), headers=dict(error.headers or {}) or None
        )


class InvalidFields(ProblemError):
    """Input that is well-formed but breaks a rule; answered like a validation error."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(
            422,
            f"invalid fields: {', '.join(problems)}",
            code="validation",
            errors=[
                {"field": field, "message": message, "type": "rule"}
                for field, message in problems.items()
            ],
        )


def raise_refusal(refusal: Refusal) -> NoReturn:
    """A refusal naming a field is bad input (422), any other a conflict with the state (409)."""
    if refusal.field is not None:
        raise InvalidFields({refusal.field: refusal.reason})
    raise Conflict(refusal.reason, code=refusal.code)
