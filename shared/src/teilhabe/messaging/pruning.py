"""Forgetting handled event ids once no redelivery can come any more."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = structlog.get_logger(__name__)

# Retries end within minutes and redrives within days; a month leaves a wide margin.
INBOX_RETENTION = timedelta(days=30)
_SLICE = 10_000


class InboxPruner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        *,
        retention: timedelta = INBOX_RETENTION,
        interval_seconds: float = 3600,
    ) -> None:
        self._sessions = sessions
        self._retention = retention
        self._interval = interval_seconds
        self._statement = text(
            f"DELETE FROM {inbox.name} WHERE event_id IN (SELECT event_id "  # noqa: S608
            f"FROM {inbox.name} "
            "WHERE handled_at < now() - CAST(:retention AS interval) LIMIT :limit)"
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.prune(stop)
            except Exception as error:  # noqa: BLE001 - housekeeping must not stop consuming
                log.warning("inbox pruning failed", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval)

    async def prune(self, stop: asyncio.Event | None = None) -> int:
        """Delete every id past the retention, in slices so no transaction grows large."""
        total, deleted = 0, _SLICE
        while deleted == _SLICE and not (stop and stop.is_set()):
            async with self._sessions() as session, session.begin():
                result = await session.execute(
                    self._statement, {"retention": self._retention, "limit": _SLICE}
                )
            deleted = getattr(result, "rowcount", 0)
            total += deleted
        return total
