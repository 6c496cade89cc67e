"""Refuse what no route could handle before any work is done on it.

`RequestGuard` is plain ASGI and sits outside routing, authentication and parsing:

- a body over the configured size answers 413 (also for chunked bodies without a
  Content-Length, which are read up to the limit and no further);
- a NUL character in the path, the query, a JSON body or a form answers 422 naming the
  field (PostgreSQL cannot store NUL in text, so it would otherwise end in a 500);
- a whole number beyond PostgreSQL's bigint in the query or a JSON body answers 422 naming
  the field (an `offset` of 10**30 would otherwise end in a 500 as well).

Its answers are problem documents like every other refusal of the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teilhabe.api.problems import PROBLEM_CONTENT_TYPE
from teilhabe.api.security import SECURITY_HEADERS

BIGINT_MAX = 2**63 - 1
BIGINT_MIN = -(2**63)
_NUL_ESCAPE = b"\\u0000"
_LONG_NUMBER = re.compile(rb"\d{19,}")
_INTEGER = re.compile(r"[+-]?\d+")


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self._app = app
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body_bytes:
            await _too_large(scope, send, self._max_body_bytes)
            return
        body: bytes | None = None
        if declared not in (None, "0") or "transfer-encoding" in headers:
            body = await _read_body(receive, self._max_body_bytes)
            if body is None:
                await _too_large(scope, send, self._max_body_bytes)
                return
        invalid = _invalid_fields(scope, headers.get("content-type", ""), body or b"")
        if invalid:
            await _unprocessable(scope, send, invalid)
            return
        if body is None:
            await self._app(scope, receive, send)
        else:
            await self._app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows beyond `limit`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # disconnected: nothing left to answer
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # http.disconnect, when the client goes away

    return replayed


def _invalid_fields(scope: Scope, content_type: str, body: bytes) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if b"\x00" in raw_path or b"%00" in raw_path.lower() or "\x00" in scope["path"]:
        errors.append(_nul("path"))
    query = scope.get("query_string", b"").decode("latin-1")
    errors.extend(_check_pairs(parse_qsl(query, keep_blank_values=True)))
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded" and body:
        errors.extend(_check_pairs(parse_qsl(body.decode("latin-1"), keep_blank_values=True)))
    elif media_type.endswith("json") and (_NUL_ESCAPE in body or _LONG_NUMBER.search(body)):
        try:
            document = json.loads(body)
        except ValueError:
            return errors  # malformed JSON is the app's to answer, with its own message
        errors.extend(_check_json(document, ""))
    return errors


def _check_pairs(pairs: list[tuple[str, str]]) -> Iterator[dict[str, str]]:
    for key, value in pairs:
        name = unquote(key).replace("\x00", "") or "(query)"
        if "\x00" in key or "\x00" in value:
            yield _nul(name)
        elif _INTEGER.fullmatch(value.strip()) and not _fits_bigint(int(value)):
            yield _too_big(name)


def _check_json(value: Any, path: str) -> Iterator[dict[str, str]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield _nul(path or "(body)")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not _fits_bigint(value):
            yield _too_big(path or "(body)")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _check_json(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = key.replace("\x00", "")
            if "\x00" in key:
                yield _nul(f"{path}.{name}" if path else name)
            yield from _check_json(item, f"{path}.{name}" if path else name)


def _fits_bigint(number: int) -> bool:
    return BIGINT_MIN <= number <= BIGINT_MAX


def _nul(field: str) -> dict[str, str]:
    return {"field": field, "message": "must not contain a NUL character", "type": "nul"}


def _too_big(field: str) -> dict[str, str]:
    return {
        "field": field,
        "message": f"must be a whole number between {BIGINT_MIN} and {BIGINT_MAX}",
        "type": "out_of_range",
    }


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    await _problem(
        scope,
        send,
        413,
        "Content Too Large",
        f"the request body is larger than {limit} bytes",
        code="too-large",
    )


async def _unprocessable(scope: Scope, send: Send, errors: list[dict[str, str]]) -> None:
    fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
    await _problem(
        scope,
        send,
        422,
        "Unprocessable Content",
        f"invalid fields: {fields}",
        code="validation",
        errors=errors,
    )


async def _problem(
    scope: Scope, send: Send, status: int, title: str, detail: str, *, code: str, **extra: Any
) -> None:
    body = json.dumps(
        {
            "type": f"urn:teilhabe:problem:{code}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("root_path", "") + scope["path"].replace("\x00", ""),
            **extra,
        }
    ).encode("utf-8")
    headers = [
        (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
    ]
    if status == 413:
        # The rest of the body is not read: the connection cannot carry another request.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
