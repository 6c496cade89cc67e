"""Sleeping until a committed transaction says there is work: PostgreSQL LISTEN/NOTIFY.

A worker that polls a table (the relay, the e-mail sender, the timer worker) listens on
a channel that the writing transaction notifies; PostgreSQL delivers the notification
only on commit, so the worker wakes for committed rows alone. A poll with a timeout is
the fallback for a lost notification or a lost listening connection, which is opened
again on the next round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import structlog

log = structlog.get_logger(__name__)


class Wakeup:
    def __init__(
        self, dsn: str, channel: str, *, wanted: Callable[[str], bool] | None = None
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        # Asked of each notification's payload: False lets the sleeper sleep on.
        self._wanted = wanted
        self._event = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        # Notifications that woke (or would have woken) a sleeper, since the start.
        self.received = 0

    async def arm(self) -> None:
        """Listen (again, if the connection was lost) and forget earlier notifications.

        Call it before looking for work: a commit while looking wakes the next sleep.
        """
        async with self._lock:
            if self._listener is None or self._listener.is_closed():
                await self._listen()
        self._event.clear()

    async def sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Until a notification, `stop`, or `seconds` have passed."""
        waiters = [asyncio.ensure_future(self._event.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def wake(self) -> None:
        self._event.set()

    def _notified(
        self,
        _connection: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
        _pid: int,
        _channel: str,
        payload: object,
    ) -> None:
        if self._wanted is None or self._wanted(str(payload)):
            self.received += 1
            self._event.set()

    async def close(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        self._listener = None

    async def _listen(self) -> None:
        try:
            self._listener = await asyncpg.connect(self._dsn)
            await self._listener.add_listener(self._channel, self._notified)
        except (OSError, asyncpg.PostgresError) as error:
            self._listener = None
            log.warning("cannot listen, polling", channel=self._channel, error=repr(error)[:300])
