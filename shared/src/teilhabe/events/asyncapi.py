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

from teilhabe.events.catalogue import ANY_SERVICE, CATALOGUE, EventPayload, load_catalogue
from teilhabe.events.contract import FieldsRead
from teilhabe.events.envelope import CONTENT_TYPE, CloudEvent

EXCHANGE = "teilhabe.events"
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "asyncapi.json"
# Where the wheel of teilhabe-shared carries the generated document (see pyproject.toml).
PACKAGED_NAME = "asyncapi.json"


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
    schemas: dict[str, Any] = {"CloudEventEnvelope": _envelope_schema()}
    for (event_type, _version), model in sorted(CATALOGUE.items()):
        name = message_name(model)
        payload_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(payload_schema.pop("$defs", {}))
        schemas[name] = payload_schema
        messages[name] = {
            "name": name,
            "title": f"{event_type} v{model.event_version}",
            "summary": (model.__doc__ or "").strip().splitlines()[0],
            "contentType": CONTENT_TYPE,
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEventEnvelope"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": event_type},
                            "dataversion": {"const": str(model.event_version)},
                            "data": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.3.0"}},
        }
        channel = channels.setdefault(
            event_type,
            {
                "address": event_type,
                "description": f"Routing key {event_type} on the topic exchange {EXCHANGE}.",
                "messages": {},
                "bindings": {
                    "amqp": {
                        "is": "routingKey",
                        "exchange": {
                            "name": EXCHANGE,
                            "type": "topic",
                            "durable": True,
                            "autoDelete": False,
                        },
                        "bindingVersion": "0.3.0",
                    }
                },
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
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Teilhabe domain events",
            "version": "1.0.0",
            "description": (
                "Events the services of Teilhabe publish, as CloudEvents 1.0 in structured JSON "
                "mode with the W3C trace-context extension. Consumers are tolerant readers; a "
                "change that would break one is a new version of the event."
            ),
            "license": {"name": "EUPL-1.2"},
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "broker": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "The city's RabbitMQ; agencies get their own user and queue.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
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
