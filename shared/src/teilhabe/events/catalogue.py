"""Registry of every event payload, keyed by type and version.

Each payload class names its `event_type` (also the routing key) and `event_version`.
Changes to a payload are additive; a change that would break a consumer is a new class
with the next version, published beside the old one until every consumer has moved.
Consumers are tolerant readers: fields they do not know are ignored.

Each type names the services that may publish it (`published_by`); a consumer refuses an
event whose `source` is not one of them, so that no service can speak for another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

# `published_by` of a type that every service may publish (e.g. staff directory events).
ANY_SERVICE = "*"
# The `source` of an event a partner agency sends in: `/agencies/<its broker user>`.
AGENCY_SOURCE_PREFIX = "/agencies/"
SOURCE_PREFIX = "/teilhabe/"
# Where every service serves the JSON Schema of each type and version (the public
# contract): `GET /events/schemas/{type}/{version}`. A deployment sets its public address
# (setting EVENT_SCHEMA_BASE_URL); an envelope's `dataschema` points there.
SCHEMA_PATH = "/events/schemas"
DEFAULT_SCHEMA_BASE_URL = f"http://127.0.0.1:8005{SCHEMA_PATH}"
_schema_base = [DEFAULT_SCHEMA_BASE_URL]


def set_schema_base_url(url: str) -> None:
    """The public address of the schemas, from the process's settings (at start)."""
    _schema_base[0] = url.rstrip("/")


def schema_url(event_type: str, version: int) -> str:
    return f"{_schema_base[0]}/{event_type}/{version}"


class EventPayload(BaseModel):
    """Base of every event's `data`: references and the few attributes consumers need."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    subject_field: ClassVar[str | None] = None
    # The services that may publish this type (their names, or ANY_SERVICE).
    published_by: ClassVar[frozenset[str]]
    # Sent in by agencies (on the exchange `teilhabe.inbound`) rather than published by a
    # service: the contract shows it as a `receive` operation on the inbound channel.
    inbound: ClassVar[bool] = False
    # The example the published contract shows; None: one made from the schema.
    example: ClassVar[Mapping[str, Any] | None] = None
    # Set on a type partner agencies may subscribe to: the field naming whose consent
    # decides whether an agency hears of the event ("household_id": a consenting member
    # of that household; "member_id": that person). None: never shown to agencies.
    consent_subject: ClassVar[str | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            if not getattr(cls, "published_by", None):
                raise TypeError(f"event {cls.event_type} names no publishing service")
            key = (cls.event_type, cls.event_version)
            if key in CATALOGUE and CATALOGUE[key] is not cls:
                raise TypeError(f"event {key} is already in the catalogue")
            CATALOGUE[key] = cls

    def subject(self) -> str | None:
        if self.subject_field is None:
            return None
        return str(getattr(self, self.subject_field))

    @classmethod
    def schema_uri(cls) -> str:
        """The resolvable address of this type's and version's JSON Schema."""
        return schema_url(cls.event_type, cls.event_version)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The payload's JSON Schema (2020-12), self-contained, named by its address."""
        schema = cls.model_json_schema()
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": cls.schema_uri(),
            **schema,
        }


CATALOGUE: dict[tuple[str, int], type[EventPayload]] = {}


def source_of(service: str) -> str:
    """The CloudEvents `source` of every event a service publishes."""
    return f"{SOURCE_PREFIX}{service}"


def may_publish(model: type[EventPayload], source: str) -> bool:
    """Whether an event of `model` from `source` comes from a service that owns the type."""
    service = source.removeprefix(SOURCE_PREFIX)
    if service == source or not service or "/" in service:
        return False
    return ANY_SERVICE in model.published_by or service in model.published_by


def lookup_payload_model(event_type: str, version: int) -> type[EventPayload] | None:
    load_catalogue()
    return CATALOGUE.get((event_type, version))


def load_catalogue() -> None:
    # Importing the modules registers their payload classes.
    from teilhabe.events import (  # noqa: F401
        consent,
        courses,
        erasure,
        households,
        housing,
        inbound,
        staff,
        volunteers,
        work,
    )
