"""Connecting to the broker at start-up, when it may not be up yet."""

from __future__ import annotations

import asyncio

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection

log = structlog.get_logger(__name__)


async def connect_broker(
    url: str, *, heartbeat: int, attempt_seconds: float = 15.0
) -> AbstractRobustConnection:
    """Connect with backoff; once connected, aio-pika's robust connection reconnects itself.

    Each attempt has a timeout: a broker address that swallows packets must not hang the
    start of a process.
    """
    delay = 0.5
    while True:
        try:
            return await aio_pika.connect_robust(url, heartbeat=heartbeat, timeout=attempt_seconds)
        except (OSError, TimeoutError, aio_pika.exceptions.AMQPError) as error:
            log.warning("broker unreachable, retrying", error=repr(error), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
