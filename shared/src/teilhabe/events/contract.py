"""What each consumer reads of the events it consumes, and which fields are personal.

A consumer declares, beside its handlers, the fields it reads of each event type
(`FieldsRead`, dotted paths for nested fields: `members.languages`). The declarations
show per consumer what an event gives away; the contract test holds every personal field
of the catalogue to having at least one declared reader, so a field nobody needs cannot
creep into an event. Opaque record references (`Reference`) are not personal attributes.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from teilhabe.events.catalogue import EventPayload

# An opaque id of a record (a household, a placement, a course): a reference, not an
# attribute of a person. Marked in the published schema, too.
Reference = Annotated[UUID, Field(json_schema_extra={"x-reference": True})]

FieldsRead = Mapping[type[EventPayload], frozenset[str]]


def reads(*paths: str) -> frozenset[str]:
    return frozenset(paths)


def field_paths(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, bool]]:
    """Every field of `model` as (dotted path, personal?), nested models expanded."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = _nested_model(info.annotation)
        if nested is not None:
            yield from field_paths(nested, f"{path}.")
            continue
        extra = info.json_schema_extra
        reference = isinstance(extra, dict) and extra.get("x-reference") is True
        yield path, not reference


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _nested_model(argument)
            if found is not None:
                return found
    return None
