"""The AsyncAPI 3.0 document of the event catalogue, generated, never written by hand.

`python -m teilhabe.events.asyncapi --write shared/asyncapi.json` regenerates it;
`--check` fails when the committed document differs from the catalogue (run in CI).

`send` operations come from each type's owners (`published_by`), `receive` operations
from the handler table of every installed service, with the fields it reads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from teilhabe.events.catalogue import (
    ANY_SERVICE,
    CATALOGUE,
    SCHEMA_PATH,
    EventPayload,
    load_catalogue,
)
from teilhabe.events.changelog import CHANGELOG
from teilhabe.events.contract import FieldsRead
from teilhabe.events.envelope import CONTENT_TYPE, CloudEvent
from teilhabe.events.examples import example_envelope

EXCHANGE = "teilhabe.events"
INBOUND_EXCHANGE = "teilhabe.inbound"
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "asyncapi.json"
# Where the wheel of teilhabe-shared carries the generated document (see pyproject.toml).
PACKAGED_NAME = "asyncapi.json"


_BROKER_USER = {"$ref": "#/components/securitySchemes/brokerUser"}
# Where to connect, per environment. The production and test hosts are the city's (the
# values a deployment changes are listed in deploy/README.md); TLS on 5671 outside a
# developer's machine, the vhost as the path.
SERVERS: dict[str, Any] = {
    "production": {
        "host": "broker.teilhabe.stadt.example:5671",
        "protocol": "amqps",
        "protocolVersion": "0-9-1",
        "pathname": "/teilhabe",
        "title": "Production broker",
        "description": "The city's RabbitMQ, vhost `teilhabe`, TLS 1.2 or later only.",
        "security": [_BROKER_USER],
        "tags": [{"name": "env:production"}],
    },
    "test": {
        "host": "broker.test.stadt.example:5671",
        "protocol": "amqps",
        "protocolVersion": "0-9-1",
        "pathname": "/teilhabe",
        "title": "Test broker",
        "description": "The city's test RabbitMQ (test data only), vhost `teilhabe`, TLS.",
        "security": [_BROKER_USER],
        "tags": [{"name": "env:test"}],
    },
    "local": {
        "host": "127.0.0.1:5672",
        "protocol": "amqp",
        "protocolVersion": "0-9-1",
        "pathname": "/",
        "title": "A developer's broker",
        "description": "`make up` on one machine, vhost `/`, no TLS; never with real data.",
        "security": [_BROKER_USER],
        "tags": [{"name": "env:local"}],
    },
    "agencyWebhook": {
        "host": "{host}",
        "protocol": "https",
        "pathname": "{path}",
        "title": "An agency's webhook endpoint",
        "description": "The HTTPS address an agency registered; Teilhabe is the client.",
        "variables": {
            "host": {"description": "Host (and port) of the agency's endpoint."},
            "path": {"description": "Path of the agency's endpoint."},
        },
        "security": [{"$ref": "#/components/securitySchemes/webhookSignature"}],
    },
}
_BROKERS = [{"$ref": f"#/servers/{name}"} for name in ("production", "test", "local")]

SECURITY_SCHEMES: dict[str, Any] = {
    "brokerUser": {
        "type": "userPassword",
        "description": (
            "A broker user per service and per agency; an agency's may read its own queue "
            "and publish to `teilhabe.inbound` only the types it may report. The city's "
            "administrator creates it (`teilhabe-broker agency add`) and hands the password "
            "over out of band."
        ),
    },
    "webhookSignature": {
        "type": "httpApiKey",
        "name": "webhook-signature",
        "in": "header",
        "description": (
            "Standard Webhooks, version v1: base64 HMAC-SHA256, keyed with the endpoint's "
            "secret (`whsec_` + base64, given once when the endpoint is registered or its "
            "secret rotated), over `{webhook-id}.{webhook-timestamp}.{body}`. While a "
            "rotation overlaps, the header carries one signature per valid secret, "
            "space-separated; accept if any matches. Refuse a timestamp more than five "
            "minutes off, and a `webhook-id` seen before."
        ),
    },
}

WEBHOOK_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "webhook-id": {
            "type": "string",
            "description": "The delivery's id: the same on retries, new on a replay.",
        },
        "webhook-timestamp": {
            "type": "string",
            "pattern": "^[0-9]+$",
            "description": "Seconds since the epoch when this attempt was signed.",
        },
        "webhook-signature": {
            "type": "string",
            "description": "Space-separated `v1,<base64 signature>`, one per valid secret.",
        },
    },
}


@dataclass(frozen=True)
class Consumer:
    """A service as a receiver: the event types it handles and the fields it reads."""

    name: str
    reads: FieldsRead


def installed_consumers() -> list[Consumer]:
    from teilhabe.registry import installed_services

    return [Consumer(service.name, service.reads) for service in installed_services()]


def message_name(model: type[EventPayload]) -> str:
    return f"{model.__name__}V{model.event_version}"


def build_document(consumers: Sequence[Consumer] | None = None) -> dict[str, Any]:
    load_catalogue()
    if consumers is None:
        consumers = installed_consumers()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "CloudEventEnvelope": _envelope_schema(),
        "WebhookHeaders": WEBHOOK_HEADERS,
    }
    shared_with_agencies: list[str] = []
    for (event_type, _version), model in sorted(CATALOGUE.items()):
        name = message_name(model)
        payload_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(payload_schema.pop("$defs", {}))
        schemas[name] = payload_schema
        messages[name] = _message(model, name)
        if model.inbound:
            _inbound(channels, operations, model, name)
            continue
        if model.consent_subject is not None:  # what agencies may subscribe to
            shared_with_agencies.append(name)
            messages[f"Webhook{name}"] = {
                **_message(model, f"Webhook{name}"),
                "title": f"{event_type} v{model.event_version} by webhook",
                "headers": {"$ref": "#/components/schemas/WebhookHeaders"},
                "bindings": {"http": {"bindingVersion": "0.3.0"}},
            }
        channel = channels.setdefault(
            event_type,
            {
                "address": event_type,
                "description": f"Routing key {event_type} on the topic exchange {EXCHANGE}.",
                "servers": _BROKERS,
                "messages": {},
                "bindings": {"amqp": _exchange_binding(EXCHANGE)},
            },
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        reference = {
            "channel": {"$ref": f"#/channels/{_escape(event_type)}"},
            "messages": [{"$ref": f"#/channels/{_escape(event_type)}/messages/{name}"}],
        }
        for publisher in sorted(model.published_by):
            who = "any service" if publisher == ANY_SERVICE else publisher
            operations[f"{'any' if publisher == ANY_SERVICE else publisher}.publishes.{name}"] = {
                "action": "send",
                "title": f"{who} publishes {event_type}",
                **reference,
            }
        for consumer, fields in _receivers(consumers, model).items():
            operations[f"{consumer}.receives.{name}"] = {
                "action": "receive",
                "title": f"{consumer} receives {event_type}",
                "description": (f"From the queue `{consumer}`; reads {', '.join(sorted(fields))}."),
                "x-fields-read": sorted(fields),
                **reference,
            }
    _agency_channels(channels, operations, shared_with_agencies)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Teilhabe domain events",
            "version": CHANGELOG[0].version,
            "description": (
                "Events the services of Teilhabe publish, as CloudEvents 1.0 in structured JSON "
                "mode with the W3C trace-context extension. Consumers are tolerant readers; a "
                "change that would break one is a new version of the event. Each event's "
                "`dataschema` is the address of its payload's JSON Schema, served by every "
                f"service at `{SCHEMA_PATH}/{{type}}/{{version}}` without authentication. "
                "Agencies receive the types they are entitled to on their own queue "
                "(`agency.{agency}`) or as signed webhooks (Standard Webhooks), and send "
                "what they may report to the exchange `teilhabe.inbound`. Changes: "
                "`x-changelog`."
            ),
            "license": {"name": "EUPL-1.2"},
            "x-changelog": [
                {
                    "version": change.version,
                    "date": change.date,
                    "summary": change.summary,
                    **(
                        {"events": [f"{t} v{v}" for t, v in change.events]} if change.events else {}
                    ),
                }
                for change in CHANGELOG
            ],
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": SERVERS,
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def _message(model: type[EventPayload], name: str) -> dict[str, Any]:
    data_ref = f"#/components/schemas/{message_name(model)}"
    return {
        "name": name,
        "title": f"{model.event_type} v{model.event_version}",
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": CONTENT_TYPE,
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEventEnvelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": model.event_type},
                        "dataversion": {"const": str(model.event_version)},
                        "data": {"$ref": data_ref},
                    },
                },
            ]
        },
        "examples": [{"name": "example", "payload": example_envelope(model)}],
        "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.3.0"}},
    }


def _inbound(
    channels: dict[str, Any],
    operations: dict[str, Any],
    model: type[EventPayload],
    name: str,
) -> None:
    """An event agencies send in: a channel on the inbound exchange, received by its owner."""
    address = f"{INBOUND_EXCHANGE}.{model.event_type}"
    channels[address] = {
        "address": model.event_type,
        "title": f"{model.event_type} sent in by agencies",
        "description": (
            f"Routing key {model.event_type} on the topic exchange {INBOUND_EXCHANGE}: an "
            "agency publishes with its own broker user (AMQP `user_id` set to it); events "
            "that do not validate against the catalogue or the agency's permissions are "
            "dead-lettered with the reason, valid ones are idempotent by id."
        ),
        "servers": _BROKERS,
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        "bindings": {"amqp": _exchange_binding(INBOUND_EXCHANGE)},
    }
    for receiver in sorted(model.published_by):
        operations[f"{receiver}.receives-from-agencies.{name}"] = {
            "action": "receive",
            "title": f"{receiver} receives {model.event_type} from agencies",
            "channel": {"$ref": f"#/channels/{_escape(address)}"},
            "messages": [{"$ref": f"#/channels/{_escape(address)}/messages/{name}"}],
        }


def _agency_channels(
    channels: dict[str, Any], operations: dict[str, Any], outbound: Sequence[str]
) -> None:
    """What an agency receives: its own queue, or the same events as signed webhooks."""
    channels["agencyQueue"] = {
        "address": "agency.{agency}",
        "title": "An agency's own queue",
        "description": (
            "A quorum queue per agency, bound only to the event types its subscriptions "
            "name and only for people who consented (or on a statutory basis). The agency's "
            "broker user may read this queue and nothing else; it configures nothing. Each "
            "event's data carries only the fields its subscription is entitled to."
        ),
        "parameters": {"agency": {"description": "The agency's identifier (its user name)."}},
        "servers": _BROKERS,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in outbound},
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {"name": "agency.{agency}", "durable": True, "exclusive": False},
                "bindingVersion": "0.3.0",
            }
        },
    }
    operations["agency.receives"] = {
        "action": "receive",
        "title": "An agency consumes its queue",
        "channel": {"$ref": "#/channels/agencyQueue"},
        "security": [{"$ref": "#/components/securitySchemes/brokerUser"}],
        "messages": [{"$ref": f"#/channels/agencyQueue/messages/{name}"} for name in outbound],
    }
    channels["webhook"] = {
        "address": None,
        "title": "An agency's webhook endpoint",
        "description": (
            "Agencies without AMQP register an HTTPS endpoint; the same events as on the "
            "agency queue are POSTed to it, signed as Standard Webhooks prescribe. A 2xx "
            "answer within the timeout accepts a delivery; anything else is retried with "
            "exponential backoff and jitter for more than a day (then the delivery is dead "
            "until an administrator replays it). `webhook-id` is the delivery's id: the same "
            "on every retry, new on a replay; deduplicate on it, or on the event's `id`."
        ),
        "servers": [{"$ref": "#/servers/agencyWebhook"}],
        "messages": {
            f"Webhook{name}": {"$ref": f"#/components/messages/Webhook{name}"} for name in outbound
        },
        "bindings": {"http": {"bindingVersion": "0.3.0"}},
    }
    operations["notifications.sends.webhook"] = {
        "action": "send",
        "title": "notifications delivers events to agencies' webhook endpoints",
        "channel": {"$ref": "#/channels/webhook"},
        "bindings": {"http": {"method": "POST", "bindingVersion": "0.3.0"}},
        "messages": [{"$ref": f"#/channels/webhook/messages/Webhook{name}"} for name in outbound],
    }


def _exchange_binding(exchange: str) -> dict[str, Any]:
    return {
        "is": "routingKey",
        "exchange": {"name": exchange, "type": "topic", "durable": True, "autoDelete": False},
        "bindingVersion": "0.3.0",
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def published_document() -> dict[str, Any]:
    """The committed document, as every service serves it whichever services are installed."""
    packaged = resources.files("teilhabe.events").joinpath(PACKAGED_NAME)
    if packaged.is_file():
        return dict(json.loads(packaged.read_text(encoding="utf-8")))
    if DEFAULT_PATH.is_file():
        return dict(json.loads(DEFAULT_PATH.read_text(encoding="utf-8")))
    return build_document()


def _receivers(
    consumers: Sequence[Consumer], model: type[EventPayload]
) -> Mapping[str, frozenset[str]]:
    return {
        consumer.name: consumer.reads[model]
        for consumer in sorted(consumers, key=lambda c: c.name)
        if model in consumer.reads
    }


def _envelope_schema() -> dict[str, Any]:
    schema = CloudEvent.model_json_schema()
    schema.pop("title", None)
    return schema


def _escape(channel: str) -> str:
    # JSON pointer escaping; dots need none, slashes would.
    return channel.replace("~", "~0").replace("/", "~1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    document = render()
    if args.write:
        args.path.write_text(document, encoding="utf-8")
        return 0
    if not args.path.exists() or args.path.read_text(encoding="utf-8") != document:
        print(f"{args.path} is not current: run `make asyncapi` and commit it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
