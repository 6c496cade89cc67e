"""Who may do what on the broker: one user per service, each allowed only its part.

RabbitMQ checks three permissions per vhost (regular expressions over exchange and queue
names) and, on topic exchanges, topic permissions over routing keys:

- configure: nothing. The topology is declared by a privileged setup step; a service
  only looks up (passively) what exists.
- write: the events exchange, restricted by topic permission to the routing keys of the
  event types the service may publish (`published_by` in the catalogue), and the
  service's own redelivery exchange (its delay queues, dead letters and redrive). Not
  the default exchange, which reaches every queue.
- read: the service's own queue and its dead-letter queue, nothing else (so no binding
  of `#` either: a binding needs read on the exchange).

A service with a second consumer (`teilhabe.messaging.agencies.SIDE_CONSUMERS`: the
agency gateway of notifications, intake's inbound events) also reads that consumer's
queues and writes its redelivery exchange; the gateway writes the agencies exchange.
Agency users: `teilhabe.messaging.agencies.agency_user`.

Kubernetes mirrors the same
matrix in Messaging Topology Operator resources (deploy/README.md, "Broker").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from teilhabe.events.catalogue import ANY_SERVICE, CATALOGUE, load_catalogue
from teilhabe.messaging.topology import dead_letter_queue_name, redelivery_exchange_name

NOTHING = "^$"


@dataclass(frozen=True)
class BrokerUser:
    """A broker user's permissions in the system's vhost."""

    name: str
    configure: str
    write: str
    read: str
    topic_exchange: str
    topic_write: str
    topic_read: str


def published_types(service: str) -> list[str]:
    """The event types `service` may publish: those it owns, and those any service may
    (not those agencies send in to it)."""
    load_catalogue()
    return sorted(
        {
            model.event_type
            for model in CATALOGUE.values()
            if (service in model.published_by or ANY_SERVICE in model.published_by)
            and not model.inbound
        }
    )


def service_user(service: str, *, exchange: str, name: str | None = None) -> BrokerUser:
    """The permissions of `service`'s user (named like the service unless `name` is given)."""
    # Imported here: the agencies module builds on this one.
    from teilhabe.messaging.agencies import side_consumer_grants

    keys = published_types(service)
    side_reads, side_writes = side_consumer_grants(service)
    writes = ([exchange] if keys else []) + [redelivery_exchange_name(service), *side_writes]
    return BrokerUser(
        name=name or service,
        configure=NOTHING,
        write=any_of(writes),
        read=any_of([service, dead_letter_queue_name(service), *side_reads]),
        topic_exchange=exchange,
        topic_write=any_of(keys),
        topic_read=NOTHING,
    )


def any_of(names: Iterable[str]) -> str:
    """A pattern matching exactly these names (and nothing when there are none)."""
    escaped = [re.escape(name) for name in sorted(set(names))]
    return f"^({'|'.join(escaped)})$" if escaped else NOTHING
