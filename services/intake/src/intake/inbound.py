"""Events partner agencies send in: allocations from the allocating authority.

Intake's inbound consumer (queue `intake.inbound`, inbox `inbound_inbox`;
teilhabe.messaging.inbound) admits them only from the senders `INBOUND_SENDERS` names,
speaking as themselves; an invalid payload or an allocation intake would refuse from a
caseworker too goes to `intake.inbound.dlq` with the reason (`teilhabe-intake
dead-letters list --queue intake.inbound`). An allocation is registered once: by event
id (the inbox) and by its normalised notice number (one sent again under a new id
changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.inbound import AllocationNotified
from teilhabe.messaging.inbound import InboundConsumer, agency_principal
from teilhabe.messaging.inbox import HandlerMap, PermanentError, ReceivedEvent

from intake import registration, service
from intake.config import IntakeSettings
from intake.models import inbound_inbox
from intake.schemas import AllocationIn

log = structlog.get_logger(__name__)


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
        principal = agency_principal(event)
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


def consumer(settings: ServiceSettings) -> InboundConsumer:
    """Intake's inbound consumer, run inside its consumer process."""
    assert isinstance(settings, IntakeSettings)
    return InboundConsumer(settings, inbox=inbound_inbox, handlers=HANDLERS)
