"""Registry of every event payload, keyed by type and version.

Each payload class names its `event_type` (also the routing key) and `event_version`.
Changes to a payload are additive; a change that would break a consumer is a new class
with the next version, published beside the old one until every consumer has moved.
Consumers are tolerant readers: fields they do not know are ignored.

Each type names the services that may publish it (`published_by`); a consumer refuses an
event whose `source` is not one of them, so that no service can speak for another.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

# `published_by` of a type that every service may publish (e.g. staff directory events).
ANY_SERVICE = "*"
SOURCE_PREFIX = "/teilhabe/"


class EventPayload(BaseModel):
    """Base of every event's `data`: references and the few attributes consumers need."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    subject_field: ClassVar[str | None] = None
    # The services that may publish this type (their names, or ANY_SERVICE).
    published_by: ClassVar[frozenset[str]]

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
    def schema_urn(cls) -> str:
        return f"urn:teilhabe:event:{cls.event_type}:v{cls.event_version}"


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
    from teilhabe.events import courses, households, housing, staff, volunteers  # noqa: F401
