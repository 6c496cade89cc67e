"""The consumer of events partner agencies send in, as every owning service runs it.

A service owning inbound types (`inbound = True` in the catalogue) runs a second
consumer on its queue `<service>.inbound` (teilhabe.messaging.agencies), beside the
consumer of the services' events, with an inbox of its own. An event is admitted only
from an agency the setting `INBOUND_SENDERS` names for its type, and only with a
`source` of `/agencies/<sender>`, where the sender is the broker user the broker vouches
for in `user_id`; anything else goes to `<service>.inbound.dlq` with the reason, as does
what the handler refuses (`PermanentError`), e.g. an event the service's rules would
refuse from its staff too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from pydantic import Field
from sqlalchemy import Table

from teilhabe.auth import Principal, Role
from teilhabe.config import ServiceSettings
from teilhabe.events.catalogue import AGENCY_SOURCE_PREFIX, EventPayload
from teilhabe.messaging.agencies import inbound_queue_name
from teilhabe.messaging.consumer import Admission, EventConsumer
from teilhabe.messaging.disposition import DeadLetterKind
from teilhabe.messaging.inbox import HandlerMap, PoisonMessage, ReceivedEvent


class InboundSettings(ServiceSettings):
    """The settings of a service that receives events from agencies."""

    inbound_senders: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Which partner agencies (their broker users) may send which inbound "
        'event type, e.g. {"allocation.notified": ["bezirksregierung-arnsberg"]}; the '
        "broker's topic permissions say the same (teilhabe-broker agency add --sends).",
    )


def admission(senders: Mapping[str, Sequence[str]]) -> Admission:
    """Admit an event only from an agency allowed to send its type, speaking as itself."""

    def admit(message: AbstractIncomingMessage, event: ReceivedEvent[EventPayload]) -> None:
        sender, envelope = message.user_id, event.envelope
        if not sender:
            raise PoisonMessage(DeadLetterKind.FOREIGN_SOURCE, "no user_id: sender unknown")
        if envelope.source != f"{AGENCY_SOURCE_PREFIX}{sender}":
            raise PoisonMessage(
                DeadLetterKind.FOREIGN_SOURCE,
                f"source {envelope.source!r} is not the sending agency {sender!r}",
            )
        if sender not in senders.get(envelope.type, ()):
            raise PoisonMessage(
                DeadLetterKind.FOREIGN_SOURCE, f"agency {sender!r} may not send {envelope.type!r}"
            )

    return admit


def sender(event: ReceivedEvent[Any]) -> str:
    """The agency that sent an admitted event (its broker user)."""
    return event.envelope.source.removeprefix(AGENCY_SOURCE_PREFIX)


def agency_principal(event: ReceivedEvent[Any]) -> Principal:
    """Who acted, for the audit log and the records' "by": the sending agency."""
    agency = sender(event)
    return Principal(subject=f"agency:{agency}", roles=frozenset({Role.AGENCY}), agency=agency)


class InboundConsumer:
    """The consumer of a service's inbound events, run inside its consumer process."""

    def __init__(self, settings: InboundSettings, *, inbox: Table, handlers: HandlerMap) -> None:
        self._consumer = EventConsumer.of_service(
            settings,
            inbox=inbox,
            handlers=handlers,
            pool_size=2,
            admit=admission(settings.inbound_senders),
            queue_name=inbound_queue_name(settings.service_name),
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self._consumer.run(stop)
