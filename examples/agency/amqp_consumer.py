"""An agency's consumer of its own queue on the city's broker (AMQP 0-9-1 over TLS).

Run it (Python 3.11+, `pip install aio-pika`), with the user and password the city gave:

    AMQP_URL='amqps://jobcenter-coesfeld:PASSWORD@broker.teilhabe.stadt.example:5671/teilhabe' \
        python amqp_consumer.py --agency jobcenter-coesfeld

The queue is `agency.<agency>`: it exists already (the city declares it), and the agency's
user may read it and nothing else, so this consumer declares nothing. Each message is a
CloudEvent (structured JSON); an event is processed once by its `id` (a redelivery after
a lost ack carries the same id), and acknowledged only after it was handled. A message
that is no CloudEvent is rejected without requeueing, so it cannot block the queue.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

REQUIRED = ("specversion", "id", "source", "type", "time", "data")
MAX_REMEMBERED = 1_000_000

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class AgencyConsumer:
    def __init__(self, amqp_url: str, agency: str, handle: Handler, prefetch: int = 50) -> None:
        self._url = amqp_url
        self._queue = f"agency.{agency}"
        self._handle = handle
        self._prefetch = prefetch
        # In production: the ids of handled events in the agency's own database, written
        # in the transaction that handles the event.
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def run(self, stop: asyncio.Event) -> None:
        connection = await aio_pika.connect_robust(self._url)
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._prefetch)
            # passive: the queue is the city's; this user may not declare anything.
            queue = await channel.get_queue(self._queue, ensure=True)
            tag = await queue.consume(self._on_message)
            await stop.wait()
            await queue.cancel(tag)
        finally:
            await connection.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = json.loads(message.body)
            if not isinstance(event, dict) or any(name not in event for name in REQUIRED):
                raise ValueError("not a CloudEvent")
        except ValueError:
            await message.reject(requeue=False)
            return
        if event["id"] not in self._seen:
            await self._handle(event)  # an exception leaves the message unacked: redelivered
            self._seen[event["id"]] = None
            if len(self._seen) > MAX_REMEMBERED:
                self._seen.popitem(last=False)
        await message.ack()


async def _print(event: dict[str, Any]) -> None:
    print(json.dumps({k: event.get(k) for k in ("id", "type", "time", "subject")}), flush=True)


async def _main(agency: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await AgencyConsumer(os.environ["AMQP_URL"], agency, _print).run(stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agency", required=True)
    asyncio.run(_main(parser.parse_args().agency))
