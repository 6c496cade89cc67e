"""The agency gateway: what partner agencies hear of, and only what they may.

A consumer of its own inside notifications' consumer process (queue
`notifications.agencies`, inbox `agency_inbox`; teilhabe.messaging.agencies). For each
event of a type agencies may subscribe to, it looks up the subscription table, lets
through to an agency only what a statutory subscription names or what was consented to
(per agency and purpose; `consent_subject` of the type names whose consent counts: for
"member_id" that person's; for "household_id" the consent of every adult member of the
household, or of every member if none is adult, as the newest household.assigned /
household.members_changed names them, since one adult cannot agree for another; a
household the gateway has not heard of passes nothing),
strips the event to the fields that agency's subscriptions name, and publishes it,
confirmed, to `teilhabe.agencies` with routing key `<agency>.<type>`, before the event
is acked, and stages one signed webhook delivery per endpoint of the agency
(`notifications.webhooks`) in the same transaction as the event's inbox row. The
consents reach the gateway on the same queue, so a revocation published before an event
is applied before it: nothing more about the person goes out.

The id of what an agency receives is derived from the event's id and the agency's name:
a redelivery (a crash between publishing and acknowledging) repeats the same id.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

import aio_pika
import structlog
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.config import ServiceSettings
from teilhabe.events.catalogue import CATALOGUE, EventPayload, load_catalogue, source_of
from teilhabe.events.consent import ConsentGranted, ConsentRevoked
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.envelope import CONTENT_TYPE, CloudEvent
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    HouseholdAssigned,
    HouseholdMembersChanged,
)
from teilhabe.messaging.agencies import AGENCY_EXCHANGE, GATEWAY_QUEUE, agency_routing_key
from teilhabe.messaging.connection import connect_broker
from teilhabe.messaging.consumer import EventConsumer
from teilhabe.messaging.inbox import Handler, HandlerMap, PermanentError, ReceivedEvent, whole_batch
from teilhabe.messaging.topology import existing_exchange

from notifications.models import (
    AgencyConsent,
    AgencyHousehold,
    AgencySubscription,
    agency_inbox,
)
from notifications.webhooks import service as webhooks

log = structlog.get_logger(__name__)
# Names the ids of what agencies receive (uuid5 of the event id and the agency).
AGENCY_MESSAGE_NAMESPACE = uuid.UUID("6b1f4a52-0d5e-4c55-9a7e-2f7c7f1e9b31")
SOURCE = source_of("notifications")


# Agencies are told of what happened, no one waits for it: the events of several
# allocations in one transaction (fewer statements, commits and acknowledgements).
GATEWAY_LINGER_SECONDS = 0.05


def agency_message_id(event_id: str, agency: str) -> str:
    return str(uuid.uuid5(AGENCY_MESSAGE_NAMESPACE, f"{event_id}:{agency}"))


def stripped(event: CloudEvent, model: type[EventPayload], fields: set[str]) -> CloudEvent:
    """The event as `agency` may see it: the consent subject's reference and `fields`."""
    subject = model.consent_subject
    assert subject is not None
    kept = {name: value for name, value in event.data.items() if name in fields | {subject}}
    return CloudEvent(
        specversion="1.0",
        id=event.id,  # replaced per agency by the caller
        source=SOURCE,
        type=event.type,
        time=event.time,
        subject=event.subject,
        dataversion=event.dataversion,
        traceparent=event.traceparent,
        data=kept,
    )


async def admitted(
    session: AsyncSession, model: type[EventPayload], payloads: Sequence[EventPayload]
) -> list[dict[str, set[str]]]:
    """Per event, each agency that may hear of it and the fields it may see.

    Three statements at most for a whole run of events of one type: its subscriptions, the
    households' deciding members (household-level types), and the standing consents.
    """
    subject = model.consent_subject
    assert subject is not None
    subscriptions = list(
        await session.scalars(
            select(AgencySubscription).where(AgencySubscription.event_type == model.event_type)
        )
    )
    if not subscriptions:
        return [{} for _ in payloads]
    references = {getattr(payload, subject) for payload in payloads}
    # Whose consents an event about `reference` needs: the person, or the household's
    # deciding members (none known: nobody can consent, so only statutory flows pass).
    needed: dict[uuid.UUID, frozenset[uuid.UUID]]
    if subject == "member_id":
        needed = {reference: frozenset({reference}) for reference in references}
        column = AgencyConsent.member_id
    else:
        needed = {
            row.household_id: frozenset(row.deciding_members)
            for row in await session.scalars(
                select(AgencyHousehold).where(AgencyHousehold.household_id.in_(references))
            )
        }
        column = AgencyConsent.household_id
    standing = {
        (row.agency_id, row.purpose, row.member_id)
        for row in await session.execute(
            select(AgencyConsent.agency_id, AgencyConsent.purpose, AgencyConsent.member_id).where(
                column.in_(references),
                AgencyConsent.granted_on.is_not(None),
                AgencyConsent.revoked_on.is_(None),
            )
        )
    }
    # An event addressed to one agency (a referral names its `agency`) reaches that
    # agency alone, and none when it names none.
    addressed = "agency" in model.model_fields
    admitted_per_event: list[dict[str, set[str]]] = []
    for payload in payloads:
        deciding = needed.get(getattr(payload, subject), frozenset())
        fields: dict[str, set[str]] = defaultdict(set)
        for subscription in subscriptions:
            if addressed and subscription.agency_id != getattr(payload, "agency", None):
                continue
            consented = bool(deciding) and all(
                (subscription.agency_id, subscription.purpose, member) in standing
                for member in deciding
            )
            if subscription.statutory or consented:
                fields[subscription.agency_id] |= set(subscription.fields)
        admitted_per_event.append(dict(fields))
    return admitted_per_event


def deciding_members(members: Sequence[AllocatedMember]) -> list[uuid.UUID]:
    """Whose consent a household-level event needs: the adults, or all if none is adult."""
    adults = [m.member_id for m in members if m.age_group is AgeGroup.ADULT]
    return sorted(adults or [m.member_id for m in members])


@whole_batch
async def record_household(
    session: AsyncSession,
    events: Sequence[ReceivedEvent[HouseholdAssigned] | ReceivedEvent[HouseholdMembersChanged]],
) -> None:
    """The household's members as the newest event names them (assigned: revision 0)."""
    # executemany form: one cached statement for the run, its rows applied in order.
    await session.execute(
        _RECORD_HOUSEHOLD,
        [
            {
                "household_id": event.payload.household_id,
                "revision": (
                    event.payload.revision
                    if isinstance(event.payload, HouseholdMembersChanged)
                    else 0
                ),
                "deciding_members": deciding_members(event.payload.members),
            }
            for event in events
        ],
    )


_household = insert(cast(Table, AgencyHousehold.__table__))
_RECORD_HOUSEHOLD = _household.on_conflict_do_update(
    index_elements=[AgencyHousehold.household_id],
    set_={
        "revision": _household.excluded.revision,
        "deciding_members": _household.excluded.deciding_members,
    },
    # Events may arrive out of order: only a newer revision replaces.
    where=AgencyHousehold.revision < _household.excluded.revision,
)


async def record_granted(
    session: AsyncSession, events: Sequence[ReceivedEvent[ConsentGranted]]
) -> None:
    for event in events:
        p = event.payload
        await session.execute(
            insert(AgencyConsent)
            .values(
                id=p.consent_id,
                household_id=p.household_id,
                member_id=p.member_id,
                agency_id=p.agency,
                purpose=p.purpose,
                granted_on=p.granted_on,
            )
            .on_conflict_do_update(
                index_elements=[AgencyConsent.id], set_={"granted_on": p.granted_on}
            )
        )


async def record_revoked(
    session: AsyncSession, events: Sequence[ReceivedEvent[ConsentRevoked]]
) -> None:
    for event in events:
        p = event.payload
        await session.execute(
            insert(AgencyConsent)
            .values(
                id=p.consent_id,
                household_id=p.household_id,
                member_id=p.member_id,
                agency_id=p.agency,
                purpose=p.purpose,
                revoked_on=p.revoked_on,
            )
            .on_conflict_do_update(
                index_elements=[AgencyConsent.id], set_={"revoked_on": p.revoked_on}
            )
        )


class AgencyGateway:
    """Runs beside notifications' consumer, in its process (a companion)."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._consumer = EventConsumer.of_service(
            settings,
            inbox=agency_inbox,
            handlers=self.handlers(),
            pool_size=2,
            queue_name=GATEWAY_QUEUE,
            linger_seconds=GATEWAY_LINGER_SECONDS,
        )
        self._exchange: AbstractExchange | None = None
        self._connection: AbstractRobustConnection | None = None

    def handlers(self) -> HandlerMap:
        load_catalogue()
        handlers: dict[type[EventPayload], Handler] = {
            model: self.forward for model in CATALOGUE.values() if model.consent_subject
        }
        handlers[ConsentGranted] = record_granted
        handlers[ConsentRevoked] = record_revoked
        handlers[HouseholdAssigned] = record_household
        handlers[HouseholdMembersChanged] = record_household
        return handlers

    async def run(self, stop: asyncio.Event) -> None:
        settings = self._settings
        self._connection = await connect_broker(
            settings.amqp_url, heartbeat=settings.amqp_heartbeat_seconds
        )
        try:
            # An agency without a queue for the key must fail the publish, not lose it.
            channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
            self._exchange = await existing_exchange(channel, AGENCY_EXCHANGE)
            await self._consumer.run(stop)
        finally:
            await self._connection.close()

    async def forward(self, session: AsyncSession, events: Sequence[ReceivedEvent[Any]]) -> None:
        """A run of events of one type: gate, strip, stage webhooks, publish together."""
        assert self._exchange is not None, "run() looks the exchange up first"
        model = type(events[0].payload)
        outgoing: list[tuple[str, int, aio_pika.Message, str]] = []
        passed = await admitted(session, model, [event.payload for event in events])
        for event, agencies in zip(events, passed, strict=True):
            if not agencies:
                continue
            envelope = CloudEvent.model_validate(
                {**event.envelope.model_dump(), "data": event.payload.model_dump(mode="json")}
            )
            for agency, fields in sorted(agencies.items()):
                message_id = agency_message_id(event.id, agency)
                body = stripped(envelope, model, fields).model_copy(update={"id": message_id})
                # Its signed webhooks, in this transaction; its queue, confirmed, below.
                by_webhook = await webhooks.stage(session, agency, body)
                message = aio_pika.Message(
                    body.to_json(),
                    content_type=CONTENT_TYPE,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=message_id,
                    type=event.envelope.type,
                    app_id="notifications",
                )
                key = agency_routing_key(agency, event.envelope.type)
                outgoing.append((agency, by_webhook, message, key))
        # Confirms gathered: one round trip's wait for the run, not one per message.
        results = await asyncio.gather(
            *(
                self._exchange.publish(
                    message,
                    routing_key=key,
                    mandatory=True,
                    timeout=self._settings.publish_timeout_seconds,
                )
                for _, _, message, key in outgoing
            ),
            return_exceptions=True,
        )
        unroutable: list[str] = []
        for (agency, by_webhook, _, _), result in zip(outgoing, results, strict=True):
            if isinstance(result, aio_pika.exceptions.PublishError):
                if not by_webhook:  # an agency on webhooks alone has no queue
                    unroutable.append(agency)
            elif isinstance(result, BaseException):
                raise result  # the broker: tried again (the ids repeat)
        if outgoing:
            log.info("events forwarded to agencies", count=len(outgoing) - len(unroutable))
        if unroutable:
            # Subscribed, but not provisioned on the broker for this type: an operator's
            # task (teilhabe-broker agency add … --receives <type>), visible in the DLQ.
            raise PermanentError(
                f"no queue bound for agencies {', '.join(sorted(set(unroutable)))}: "
                "provision them for this event type"
            )


# Of a household's members, whose consent a household-level event needs.
MEMBER_FIELDS = ("members.member_id", "members.age_group")


# What the gateway reads of each event: the consents, and whatever a subscription may
# name of a shareable event (the subscription table decides, per agency, what passes).
def _gateway_reads() -> FieldsRead:
    load_catalogue()
    shareable = {
        model: reads(*model.model_fields) for model in CATALOGUE.values() if model.consent_subject
    }
    fields = ("consent_id", "household_id", "member_id", "agency", "purpose")
    return {
        **shareable,
        ConsentGranted: reads(*fields, "granted_on"),
        ConsentRevoked: reads(*fields, "revoked_on"),
        HouseholdAssigned: reads("household_id", *MEMBER_FIELDS),
        HouseholdMembersChanged: reads("household_id", "revision", *MEMBER_FIELDS),
    }


READS: FieldsRead = _gateway_reads()
