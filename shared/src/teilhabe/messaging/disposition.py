"""Where a message goes that was not handled: a delay queue for another try, or the dead letters.

A message that can never be handled is published to `<queue>.dlq` with its reason (the
words for people, the kind for metrics and tools), then acked. Any other failure is
taken as transient: the message goes to the next delay queue and is acked; after the
last delay step it is dead-lettered too. Each copy is published with a confirm before
the original is acked, so a crash in between delivers it twice, which the inbox absorbs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage

from teilhabe.messaging.topology import (
    RETRY_DELAYS_SECONDS,
    dead_letter_queue_name,
    retry_queue_name,
)
from teilhabe.metrics import EVENTS_CONSUMED, EVENTS_DEAD_LETTERED

log = structlog.get_logger(__name__)

RETRY_ATTEMPT_HEADER = "x-retry-attempt"
LAST_ERROR_HEADER = "x-last-error"
REASON_HEADER = "x-dead-letter-reason"
REASON_KIND_HEADER = "x-dead-letter-kind"


class DeadLetterKind(StrEnum):
    """Why a message can never be handled: a fixed set, for metric labels and tools."""

    NOT_JSON = "not_json"
    INVALID_ENVELOPE = "invalid_envelope"
    INVALID_PAYLOAD = "invalid_payload"
    NO_HANDLER = "no_handler"
    FOREIGN_SOURCE = "foreign_source"
    REFUSED = "refused"
    RETRIES_EXHAUSTED = "retries_exhausted"


class BrokerUnavailable(Exception):
    """A retry or dead-letter copy could not be published with a confirm."""


class Disposition:
    """Sends unhandled messages of one queue on to its delay queues or its dead letters."""

    def __init__(
        self,
        redelivery: AbstractExchange,
        *,
        service_name: str,
        queue_name: str,
        publish_timeout_seconds: float,
    ) -> None:
        # The queue's own redelivery exchange: its delay queues and dead letters only.
        self._redelivery = redelivery
        self._service = service_name
        self._queue = queue_name
        self._timeout = publish_timeout_seconds

    async def retry(self, message: AbstractIncomingMessage, error: Exception) -> None:
        attempt = attempts_so_far(message) + 1
        if attempt > len(RETRY_DELAYS_SECONDS):
            await self.dead_letter(
                message,
                DeadLetterKind.RETRIES_EXHAUSTED,
                f"retries exhausted, last error: {error!r}"[:1000],
            )
            return
        log.warning("transient failure, retrying later", attempt=attempt, error=repr(error)[:300])
        await self._republish(
            message,
            retry_queue_name(self._queue, attempt),
            {RETRY_ATTEMPT_HEADER: attempt, LAST_ERROR_HEADER: repr(error)[:500]},
        )
        EVENTS_CONSUMED.labels(self._service, self._queue, event_type_of(message), "retried").inc()

    async def dead_letter(
        self, message: AbstractIncomingMessage, kind: DeadLetterKind, reason: str
    ) -> None:
        log.error(
            "dead-lettering message", kind=kind.value, reason=reason, message_id=message.message_id
        )
        await self._republish(
            message,
            dead_letter_queue_name(self._queue),
            {
                REASON_HEADER: reason,
                REASON_KIND_HEADER: kind.value,
                "x-dead-lettered-at": datetime.now(UTC).isoformat(),
                "x-dead-lettered-by": self._service,
            },
        )
        EVENTS_DEAD_LETTERED.labels(self._service, kind.value).inc()
        EVENTS_CONSUMED.labels(
            self._service, self._queue, event_type_of(message), "dead_lettered"
        ).inc()

    async def _republish(
        self, message: AbstractIncomingMessage, queue: str, extra_headers: dict[str, Any]
    ) -> None:
        headers: dict[str, Any] = dict(message.headers or {})
        headers.setdefault("x-event-type", message.routing_key or "")
        headers.update(extra_headers)
        copy = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            type=message.type,
            app_id=message.app_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            await self._redelivery.publish(copy, routing_key=queue, timeout=self._timeout)
        except Exception as error:
            raise BrokerUnavailable(repr(error)) from error


def attempts_so_far(message: AbstractIncomingMessage) -> int:
    """Delay steps taken; a header not ours (or mangled) counts as none."""
    try:
        return max(int(str((message.headers or {}).get(RETRY_ATTEMPT_HEADER, 0))), 0)
    except ValueError:
        return 0


def event_type_of(message: AbstractIncomingMessage) -> str:
    return str((message.headers or {}).get("x-event-type") or message.routing_key or "unknown")
