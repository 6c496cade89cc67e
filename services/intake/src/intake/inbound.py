"""Events partner agencies send in: allocations from the allocating authority.

A consumer of its own (queue `intake.inbound`, inbox `inbound_inbox`) runs beside the
consumer of the services' events. An event is admitted only from an agency the setting
`INBOUND_SENDERS` names for its type, and only with a `source` of `/agencies/<sender>`,
where the sender is the broker user the broker vouches for in `user_id`; anything else,
an invalid payload or an allocation intake would refuse from a caseworker too goes to
`intake.inbound.dlq` with the reason (`teilhabe-intake dead-letters list --queue
intake.inbound`). An
allocation is registered once: by event id (the inbox) and by its normalised notice
number (one sent again under a new id changes nothing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import structlog
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.auth import Principal, Role
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.catalogue import AGENCY_SOURCE_PREFIX, EventPayload
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.inbound import AllocationNotified
from teilhabe.messaging.agencies import INBOUND_QUEUE
from teilhabe.messaging.consumer import Admission, ConsumerOptions, EventConsumer
from teilhabe.messaging.disposition import DeadLetterKind
from teilhabe.messaging.inbox import HandlerMap, PermanentError, PoisonMessage, ReceivedEvent

from intake import registration, service
from intake.config import IntakeSettings
from intake.models import inbound_inbox
from intake.schemas import AllocationIn

log = structlog.get_logger(__name__)


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


async def on_allocation_notified(
    session: AsyncSession, events: Sequence[ReceivedEvent[AllocationNotified]]
) -> None:
    for event in events:
        allocation = _allocation(event.payload)
        if await service.is_registered(session=session, number=allocation.allocation_notice_number):
            log.info("allocation registered already", notice=allocation.allocation_notice_number)
            continue
        household = service.new_household(allocation, team=None)
        if await registration.insert_households(session, [household]):
            # Registered meanwhile by a caseworker: the retry finds it registered.
            raise RuntimeError("allocation registered concurrently")
        for payload in service.registered_events(household):
            await service.outbox.add(session, payload, caused_by=event)
        await service.schedule_residence_reminders(session, household.members)
        sender = event.envelope.source.removeprefix(AGENCY_SOURCE_PREFIX)
        principal = Principal(
            subject=f"agency:{sender}", roles=frozenset({Role.AGENCY}), agency=sender
        )
        await service.audit(session, principal, "create", service.RESOURCE, [household.id])


def _allocation(payload: AllocationNotified) -> AllocationIn:
    """The allocation as a caseworker would enter it, under the same rules; else refused."""
    try:
        allocation = AllocationIn.model_validate(payload.model_dump(mode="json"))
    except ValidationError as error:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()[:5]
        )
        raise PermanentError(f"invalid allocation: {fields}") from error
    problems = service.allocation_problems(allocation, today())
    if problems:
        listed = "; ".join(f"{field}: {reason}" for field, reason in problems.items())
        raise PermanentError(f"invalid allocation: {listed}")
    return allocation


HANDLERS: HandlerMap = {AllocationNotified: on_allocation_notified}
READS: FieldsRead = {
    AllocationNotified: reads(
        "allocation_notice_number",
        "allocated_on",
        "allocating_authority",
        "expected_arrival_on",
        "needs_accessible_housing",
        "members.given_name",
        "members.family_name",
        "members.date_of_birth",
        "members.sex",
        "members.nationality",
        "members.languages",
        "members.residence_status",
        "members.residence_status_expires_on",
    )
}


class InboundConsumer:
    """The consumer of inbound events, run inside intake's consumer process."""

    def __init__(self, settings: ServiceSettings) -> None:
        assert isinstance(settings, IntakeSettings)
        engine = create_engine(settings.database_url, pool_size=2)
        self._consumer = EventConsumer(
            ConsumerOptions.from_settings(settings, queue_name=INBOUND_QUEUE),
            session_factory=create_session_factory(
                engine,
                audit_key=settings.audit_key.get_secret_value() if settings.audit_key else None,
            ),
            inbox=inbound_inbox,
            handlers=HANDLERS,
            admit=admission(settings.inbound_senders),
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self._consumer.run(stop)
