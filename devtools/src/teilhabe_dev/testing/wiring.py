"""Whether a service's consumer is wired as its declarations say, checked without I/O.

The consumer routes an event by its payload class through the service's `HANDLERS`; a
type missing there is dead-lettered as "no handler", and a handler registered under the
wrong class is called with payloads it does not expect. `wiring_problems` names both, and
what the composition root or the event contract (`READS`) disagrees with.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

from teilhabe.events.catalogue import EventPayload, lookup_payload_model
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.runtime import ServiceDefinition


def wiring_problems(service: ServiceDefinition, handlers: ModuleType) -> list[str]:
    """What is wrong with `service`'s event wiring (`handlers` is its handlers module)."""
    return list(_problems(service, handlers))


def _problems(service: ServiceDefinition, module: ModuleType) -> Iterator[str]:
    declared_handlers = getattr(module, "HANDLERS", None)
    declared_reads = getattr(module, "READS", None)
    if declared_handlers is None or declared_reads is None:
        yield f"{module.__name__} declares no HANDLERS or no READS"
        return
    if service.handlers is not declared_handlers:
        yield f"{service.name}: the composition root does not consume with HANDLERS"
    if service.reads is not declared_reads:
        yield f"{service.name}: the composition root does not declare READS"
    for model in set(declared_reads) - set(declared_handlers):
        yield f"{service.name} reads {model.event_type} but has no handler for it"
    for model in set(declared_handlers) - set(declared_reads):
        yield f"{service.name} handles {model.event_type} but does not declare what it reads"
    for model, handler in declared_handlers.items():
        name = getattr(handler, "__name__", repr(handler))
        if lookup_payload_model(model.event_type, model.event_version) is not model:
            yield f"{service.name} handles {model.__name__}, which is not in the catalogue"
        if not inspect.iscoroutinefunction(handler):
            yield f"{service.name}: the handler {name} of {model.event_type} is not async"
            continue
        expected = _payload_type(handler)
        if expected is not None and expected is not model:
            yield (
                f"{service.name}: {model.event_type} is routed to {name}, "
                f"which takes {expected.__name__}"
            )


def _payload_type(handler: Any) -> type[EventPayload] | None:
    """The payload class in a handler's `Sequence[ReceivedEvent[X]]` parameter, if declared."""
    hints = typing.get_type_hints(handler)
    for name, annotation in hints.items():
        if name == "return" or typing.get_origin(annotation) not in (Sequence, list, tuple):
            continue
        (item,) = typing.get_args(annotation)[:1]
        if typing.get_origin(item) is ReceivedEvent:
            (payload,) = typing.get_args(item)
            if isinstance(payload, type) and issubclass(payload, EventPayload):
                return payload
    return None
