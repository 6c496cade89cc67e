"""An example of every event, for the published contract (AsyncAPI `examples`).

Built from each payload's JSON Schema, with fixed values so that the generated document
stays the same from run to run; a type may set `example` itself where a made-up value
would say the wrong thing. Every example validates against its model (tested).
"""

from __future__ import annotations

import uuid
from typing import Any

from teilhabe.events.catalogue import EventPayload, source_of

# Fixed values: a changing example would make the committed document stale every run.
EXAMPLE_TIME = "2026-11-20T09:30:00+00:00"
EXAMPLE_DATE = "2026-11-20"
EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def example_payload(model: type[EventPayload]) -> dict[str, Any]:
    """The `data` of an example event of `model`."""
    if model.example is not None:
        return dict(model.example)
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    return _object(schema, definitions, model.event_type)


def example_envelope(model: type[EventPayload]) -> dict[str, Any]:
    """A whole example event: the CloudEvents envelope around `example_payload`."""
    data = example_payload(model)
    publisher = sorted(model.published_by)[0]
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"teilhabe:{model.event_type}:example")),
        "source": source_of("intake" if publisher == "*" else publisher),
        "type": model.event_type,
        "time": EXAMPLE_TIME,
        "datacontenttype": "application/json",
        "dataschema": model.schema_uri(),
        "dataversion": str(model.event_version),
        "traceparent": EXAMPLE_TRACEPARENT,
        "data": data,
    }
    if model.subject_field is not None and model.subject_field in data:
        envelope["subject"] = str(data[model.subject_field])
    return envelope


def _object(schema: dict[str, Any], definitions: dict[str, Any], seed: str) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    return {name: _value(prop, definitions, f"{seed}.{name}") for name, prop in properties.items()}


def _value(schema: dict[str, Any], definitions: dict[str, Any], seed: str) -> Any:
    if "$ref" in schema:
        return _value(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions, seed)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            choices = [c for c in schema[combinator] if c.get("type") != "null"]
            return _value(choices[0], definitions, seed) if choices else None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, definitions, seed)
    if kind == "array":
        items = schema.get("items") or (schema.get("prefixItems") or [{}])[0]
        return [_value(items, definitions, f"{seed}[0]")] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1.0)), 1.0)
    if kind == "boolean":
        return False
    return _string(schema, seed)


# Plausible strings by a word of the field's name.
_WORDS = {
    "notice": "BRA-2026-0815",
    "language": "ar",
    "team": "Soziale Betreuung Nord",
    "locale": "de",
    "site_name": "Übergangsheim Nord",
    "unit_name": "Haus A, 2. OG",
}


def _string(schema: dict[str, Any], seed: str) -> str:
    form = schema.get("format")
    if form == "uuid":
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"teilhabe:{seed}"))
    if form == "date":
        return EXAMPLE_DATE
    if form == "date-time":
        return EXAMPLE_TIME
    if form == "email":
        return "anna.schmidt@stadt.example"
    text = next((value for word, value in _WORDS.items() if word in seed), "example")
    return text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "x")
