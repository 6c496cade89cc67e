"""Taking delivered messages in batches: those waiting, up to a size, after a short linger."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aio_pika.abc import AbstractIncomingMessage


class MessageBatcher:
    """Collects deliveries (the queue's consumer callback is `put`) into batches."""

    def __init__(self, *, batch_size: int, linger_seconds: float) -> None:
        self._batch_size = batch_size
        self._linger = linger_seconds
        self._incoming: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()

    async def put(self, message: AbstractIncomingMessage) -> None:
        await self._incoming.put(message)

    async def next_batch(self, stopping: asyncio.Future[Any]) -> list[AbstractIncomingMessage]:
        """The next batch, in delivery order; empty once `stopping` is done."""
        first = asyncio.ensure_future(self._incoming.get())
        done, _ = await asyncio.wait({first, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if first not in done:
            first.cancel()
            return []
        batch = [first.result()]
        deadline = time.monotonic() + self._linger
        while len(batch) < self._batch_size:
            if not self._incoming.empty():
                batch.append(self._incoming.get_nowait())
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._incoming.get(), remaining))
            except TimeoutError:
                break
        return batch
