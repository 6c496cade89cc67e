"""CloudEvents 1.0 envelope in structured JSON mode, with the trace-context extension."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.tracing import TraceContext, trace_for_new_event

CONTENT_TYPE = "application/cloudevents+json"


class EnvelopeAttributes(BaseModel):
    """The context attributes of an event: all of the envelope but its data."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"]
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200, pattern=r"^[a-z_]+(\.[a-z_]+)+$")
    time: AwareDatetime
    subject: str | None = Field(default=None, max_length=500)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    dataversion: str = Field(pattern=r"^[1-9][0-9]*$", description="Version of the payload schema.")
    traceparent: str | None = Field(
        default=None, pattern=r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
    )

    @property
    def trace_id(self) -> str | None:
        return self.traceparent.split("-")[1] if self.traceparent else None


class CloudEvent(EnvelopeAttributes):
    """The envelope every event travels in. Unknown extension attributes are kept."""

    data: dict[str, Any]

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


P = TypeVar("P", bound=EventPayload)


class TypedCloudEvent(EnvelopeAttributes, Generic[P]):
    """The envelope with its data validated as one payload model, in a single pass."""

    data: P


def new_event(
    payload: EventPayload,
    *,
    source: str,
    now: datetime | None = None,
    trace: TraceContext | None = None,
) -> CloudEvent:
    """Wrap a payload in a new envelope, continuing `trace` or else the current trace."""
    return CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source=source,
        type=payload.event_type,
        time=now or datetime.now(UTC),
        subject=payload.subject(),
        dataschema=payload.schema_uri(),
        dataversion=str(payload.event_version),
        traceparent=(trace.child() if trace else trace_for_new_event()).traceparent,
        data=payload.model_dump(mode="json"),
    )
