"""Server-side sessions for the staff tools, in place of a signed cookie.

`request.session` behaves as with Starlette's SessionMiddleware (Authlib and the pages use
it unchanged), but the cookie carries only a random id and the data stays in the
service's database (`teilhabe.staff_sessions`). Clearing the session ends it: its row is
deleted, and whatever is put into the session afterwards gets a new id (sign-in after
sign-out, or a fixated id, never carries over).

The session is read before the app runs and written when the response starts, both
outside the app's exception handlers: when no database connection comes free in time
(`sqlalchemy.exc.TimeoutError`), or the server takes none, this middleware answers with
`database_busy` itself, a 503 page, rather than letting the error become a 500.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teilhabe import staff_sessions
from teilhabe.api.pool import CONNECTION_ERRORS, database_unavailable

SessionFactory = Callable[[], AsyncSession]
# The answer when the pool has no connection free: counted, 503, Retry-After.
BusyResponse = Callable[[Request], Awaitable[Response]]
_PRUNE_ONE_IN = 100


class _Session(dict[str, Any]):
    """A session's data that remembers being cleared."""

    cleared = False

    def clear(self) -> None:
        self.cleared = True
        super().clear()


class ServerSideSessions:
    def __init__(
        self,
        app: ASGIApp,
        *,
        state: Any,
        cookie_name: str,
        max_age: int,
        https_only: bool,
        database_busy: BusyResponse,
    ) -> None:
        self._app = app
        self._database_busy = database_busy
        self._state = state  # holds `sessions`, the database session factory, once started
        self._cookie_name = cookie_name
        self._max_age = max_age
        flags = f"path=/; Max-Age={max_age}; httponly; samesite=lax"
        self._flags = flags + ("; secure" if https_only else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        session_id = _cookie(scope, self._cookie_name)
        stored: dict[str, Any] | None = None
        if session_id:
            try:
                async with self._db() as db:
                    stored = await staff_sessions.load(db, session_id)
            except CONNECTION_ERRORS as error:
                if not database_unavailable(error):
                    raise
                # Refused before the app runs: the page is shown as to someone signed out,
                # the session stays as it is.
                scope["session"] = _Session()
                await self._refuse(scope, receive, send)
                return
        session = _Session(stored or {})
        scope["session"] = session
        refused = False

        async def send_with_cookie(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the rest of the app's response, replaced by the 503
            if message["type"] == "http.response.start":
                live_id = session_id if stored is not None else None
                try:
                    cookie = await self._persist(live_id, stored, session)
                except CONNECTION_ERRORS as error:
                    if not database_unavailable(error):
                        raise
                    # Not a 500 after all: what the session was to become (signed in,
                    # signed out, a message for the next page) was not kept.
                    refused = True
                    await self._refuse(scope, receive, send)
                    return
                if cookie:
                    MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self._app(scope, receive, send_with_cookie)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._database_busy(Request(scope, receive))
        await response(scope, receive, send)

    async def _persist(
        self, live_id: str | None, stored: dict[str, Any] | None, session: _Session
    ) -> str | None:
        """Write what changed; the Set-Cookie value when the browser must learn of it."""
        data = dict(session)
        if live_id is not None and not session.cleared:
            if _same(data, stored):
                return None
            if data:
                async with self._db() as db, db.begin():
                    await staff_sessions.save(db, live_id, data, max_age=self._max_age, new=False)
                return None
        if live_id is None and not data:
            return None
        async with self._db() as db, db.begin():
            if live_id is not None:
                await staff_sessions.end(db, live_id)
            if not data:
                return f"{self._cookie_name}=; path=/; Max-Age=0; httponly; samesite=lax"
            new_id = staff_sessions.new_session_id()
            await staff_sessions.save(db, new_id, data, max_age=self._max_age, new=True)
            if secrets.randbelow(_PRUNE_ONE_IN) == 0:
                await staff_sessions.prune_expired(db)
        return f"{self._cookie_name}={new_id}; {self._flags}"

    def _db(self) -> AsyncSession:
        factory: SessionFactory = self._state.sessions
        return factory()


def _same(data: dict[str, Any], stored: dict[str, Any] | None) -> bool:
    return json.dumps(data, sort_keys=True) == json.dumps(stored, sort_keys=True)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found:
                return found
    return None
