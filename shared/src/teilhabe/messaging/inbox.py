"""Decoding received messages and recording which events were handled."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError
from sqlalchemy import Table, TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.events.catalogue import EventPayload, lookup_payload_model, may_publish
from teilhabe.events.envelope import CloudEvent, EnvelopeAttributes, TypedCloudEvent
from teilhabe.messaging.disposition import DeadLetterKind

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class ReceivedEvent(Generic[P]):
    envelope: EnvelopeAttributes
    payload: P

    @property
    def id(self) -> str:
        return self.envelope.id


# A handler receives a run of consecutive new events of its type (often one), in order,
# inside the transaction that also records them in the inbox.
Handler = Callable[[AsyncSession, Sequence[ReceivedEvent[Any]]], Awaitable[None]]
HandlerMap = Mapping[type[EventPayload], Handler]


_HANDLED_LAST: set[Handler] = set()
_WHOLE_BATCH: set[Handler] = set()


def handled_last(handler: Handler) -> Handler:
    """Mark a handler whose events build on others that are staged after them upstream
    (in the same transaction): in a batch, its runs come after the other handlers' runs,
    instead of failing with `NotYet` first and being tried again."""
    _HANDLED_LAST.add(handler)
    return handler


def whole_batch(handler: Handler) -> Handler:
    """Mark a handler that takes all its new events of a type in a batch as one run,
    whatever their traces and whatever came between them: one statement for the lot.

    Only for a handler that stages no events, audits nothing and gives each timer it
    schedules its own event's trace (so that what it writes carries the right trace; its
    log lines carry the first event's), and whose effect does not depend on the order of
    its events and those of other types.
    """
    _WHOLE_BATCH.add(handler)
    return handler


def is_handled_last(handler: Handler) -> bool:
    return handler in _HANDLED_LAST


def takes_whole_batch(handler: Handler) -> bool:
    return handler in _WHOLE_BATCH


class PoisonMessage(Exception):
    """A message that can never be handled: it goes to the dead-letter queue."""

    def __init__(self, kind: DeadLetterKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class NotYet(LookupError):
    """Raised by a handler, before it wrote anything, for events that need another event
    handled first (events may arrive in another order than they were staged).

    The consumer first handles the rest of the batch and then tries the run once more; what
    still waits is forgotten by the inbox and goes to a delay queue, as any failure.
    """


class PermanentError(PoisonMessage):
    """Raised by a handler for an event it must refuse whatever the retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(DeadLetterKind.REFUSED, reason)


def decode(
    body: bytes,
    handlers: HandlerMap,
    type_hint: str | None = None,
    *,
    check_source: bool = True,
) -> ReceivedEvent[EventPayload]:
    """Validate a message as a CloudEvent with a known payload this consumer handles,
    from a source that owns its type (unless `check_source` is False: a consumer of
    events from outside, which checks their sender itself).

    `type_hint` (the message's AMQP type) picks the one payload model this consumer
    handles for that type, so envelope and payload are validated from the bytes in one
    pass; anything unexpected takes the careful path, which names what is wrong.
    """
    expected = _single_model_for(type_hint, handlers)
    if expected is not None:
        try:
            typed = _typed_envelope(expected).model_validate_json(body)
        except ValidationError:
            pass
        else:
            if typed.type == type_hint and typed.dataversion == str(expected.event_version):
                if check_source:
                    _check_source(expected, typed)
                return ReceivedEvent(envelope=typed, payload=typed.data)
    try:
        envelope = CloudEvent.model_validate_json(body)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise PoisonMessage(
                DeadLetterKind.NOT_JSON, f"body is not JSON: {_describe(error)}"
            ) from error
        raise PoisonMessage(
            DeadLetterKind.INVALID_ENVELOPE, f"invalid CloudEvent envelope: {_describe(error)}"
        ) from error
    model = lookup_payload_model(envelope.type, int(envelope.dataversion))
    if model is None or model not in handlers:
        raise PoisonMessage(
            DeadLetterKind.NO_HANDLER,
            f"no handler for event type {envelope.type!r} version {envelope.dataversion}",
        )
    if check_source:
        _check_source(model, envelope)
    try:
        payload = model.model_validate(envelope.data)
    except ValidationError as error:
        raise PoisonMessage(
            DeadLetterKind.INVALID_PAYLOAD, f"invalid {envelope.type} payload: {_describe(error)}"
        ) from error
    return ReceivedEvent(envelope=envelope, payload=payload)


def _check_source(model: type[EventPayload], envelope: EnvelopeAttributes) -> None:
    if not may_publish(model, envelope.source):
        owners = ", ".join(sorted(model.published_by))
        raise PoisonMessage(
            DeadLetterKind.FOREIGN_SOURCE,
            f"source does not own event type: {envelope.source!r} sent {envelope.type!r}, "
            f"which only {owners} may publish",
        )


async def claim_new(
    session: AsyncSession, inbox: Table, events: list[ReceivedEvent[EventPayload]]
) -> set[str]:
    """Record the events in the inbox; returns the ids not handled before."""
    rows = {event.id: event.envelope.type for event in events}
    # One statement of fixed shape whatever the batch size: prepared once per connection.
    result = await session.execute(
        _claim_statement(inbox),
        {"ids": list(rows), "types": list(rows.values())},
    )
    return {row[0] for row in result}


async def forget(session: AsyncSession, inbox: Table, event_ids: list[str]) -> None:
    """Take events out of the inbox again in this transaction: they were not handled."""
    await session.execute(_forget_statement(inbox), {"ids": event_ids})


@functools.cache
def _forget_statement(inbox: Table) -> TextClause:
    return text(
        f"DELETE FROM {inbox.name} WHERE event_id = ANY(CAST(:ids AS varchar[]))"  # noqa: S608
    )


@functools.cache
def _claim_statement(inbox: Table) -> TextClause:
    return text(
        f"INSERT INTO {inbox.name} (event_id, event_type) "  # noqa: S608 - a table name
        "SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:types AS varchar[])) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )


def _single_model_for(event_type: str | None, handlers: HandlerMap) -> type[EventPayload] | None:
    if not event_type:
        return None
    models = [model for model in handlers if model.event_type == event_type]
    return models[0] if len(models) == 1 else None


@functools.cache
def _typed_envelope(model: type[EventPayload]) -> type[TypedCloudEvent[Any]]:
    return TypedCloudEvent[model]  # type: ignore[valid-type]


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(part) for part in item["loc"]) or "(root)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)
