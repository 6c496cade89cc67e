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

An agency-like reader gets read on its own queue only. Kubernetes mirrors the same
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
    """The event types `service` may publish: those it owns, and those any service may."""
    load_catalogue()
    return sorted(
        {
            model.event_type
            for model in CATALOGUE.values()
            if service in model.published_by or ANY_SERVICE in model.published_by
        }
    )


def service_user(service: str, *, exchange: str, name: str | None = None) -> BrokerUser:
    """The permissions of `service`'s user (named like the service unless `name` is given)."""
    keys = published_types(service)
    writes = ([exchange] if keys else []) + [redelivery_exchange_name(service)]
    return BrokerUser(
        name=name or service,
        configure=NOTHING,
        write=any_of(writes),
        read=any_of([service, dead_letter_queue_name(service)]),
        topic_exchange=exchange,
        topic_write=any_of(keys),
        topic_read=NOTHING,
    )


def reader_user(name: str, *, queue: str, exchange: str) -> BrokerUser:
    """An agency-like user: reads its own queue (bound by the setup), nothing else."""
    return BrokerUser(
        name=name,
        configure=NOTHING,
        write=NOTHING,
        read=any_of([queue]),
        topic_exchange=exchange,
        topic_write=NOTHING,
        topic_read=NOTHING,
    )


def any_of(names: Iterable[str]) -> str:
    """A pattern matching exactly these names (and nothing when there are none)."""
    escaped = [re.escape(name) for name in sorted(set(names))]
    return f"^({'|'.join(escaped)})$" if escaped else NOTHING
