"""W3C trace context carried from HTTP requests into events and from events onwards.

The CloudEvents distributed-tracing extension puts `traceparent` on the envelope; a
request or a consumed event sets the current trace, and every event staged while it is
current continues that trace with a fresh span id.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    flags: str = "01"

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    def child(self) -> TraceContext:
        return TraceContext(self.trace_id, secrets.token_hex(8), self.flags)

    @classmethod
    def new(cls) -> TraceContext:
        return cls(secrets.token_hex(16), secrets.token_hex(8))

    @classmethod
    def parse(cls, traceparent: str | None) -> TraceContext | None:
        match = _TRACEPARENT.match(traceparent or "")
        if match is None or set(match.group(1)) == {"0"}:
            return None
        return cls(match.group(1), match.group(2), match.group(3))


current_trace: ContextVar[TraceContext | None] = ContextVar("current_trace", default=None)


def trace_for_new_event() -> TraceContext:
    """The trace context a newly staged event carries: a child of the current one."""
    parent = current_trace.get()
    return parent.child() if parent is not None else TraceContext.new()
