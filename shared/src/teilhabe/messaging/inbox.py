"""Decoding received messages and recording which events were handled."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError
from sqlalchemy import Table, column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.events.catalogue import EventPayload, lookup_payload_model
from teilhabe.events.envelope import CloudEvent

P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class ReceivedEvent(Generic[P]):
    envelope: CloudEvent
    payload: P

    @property
    def id(self) -> str:
        return self.envelope.id


Handler = Callable[[AsyncSession, ReceivedEvent[Any]], Awaitable[None]]
HandlerMap = Mapping[type[EventPayload], Handler]


class PoisonMessage(Exception):
    """A message that can never be handled: it goes to the dead-letter queue."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermanentError(PoisonMessage):
    """Raised by a handler for an event it must refuse whatever the retry."""


def decode(body: bytes, handlers: HandlerMap) -> ReceivedEvent[EventPayload]:
    """Validate a message as a CloudEvent with a known payload this consumer handles."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PoisonMessage(f"body is not JSON: {error}") from error
    try:
        envelope = CloudEvent.model_validate(raw)
    except ValidationError as error:
        raise PoisonMessage(f"invalid CloudEvent envelope: {_describe(error)}") from error
    model = lookup_payload_model(envelope.type, int(envelope.dataversion))
    if model is None or model not in handlers:
        raise PoisonMessage(
            f"no handler for event type {envelope.type!r} version {envelope.dataversion}"
        )
    try:
        payload = model.model_validate(envelope.data)
    except ValidationError as error:
        raise PoisonMessage(f"invalid {envelope.type} payload: {_describe(error)}") from error
    return ReceivedEvent(envelope=envelope, payload=payload)


async def claim_new(
    session: AsyncSession, inbox: Table, events: list[ReceivedEvent[EventPayload]]
) -> set[str]:
    """Record the events in the inbox; returns the ids not handled before."""
    rows = {event.id: event.envelope.type for event in events}
    statement: Any = (
        insert(inbox)
        .values([{"event_id": id_, "event_type": type_} for id_, type_ in rows.items()])
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(column("event_id"))
    )
    result = await session.execute(statement)
    return {row[0] for row in result}


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(part) for part in item["loc"]) or "(root)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)
