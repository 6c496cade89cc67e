"""The services installed beside this library, found by their `teilhabe.services` entry point.

Each service's package names its `ServiceDefinition` there, so that what spans services
(the AsyncAPI document, the broker's topology and permissions, the event contract test)
is derived from the services' own declarations without shared/ importing any of them.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teilhabe.runtime import ServiceDefinition

ENTRY_POINT_GROUP = "teilhabe.services"


def installed_services() -> list[ServiceDefinition]:
    """Every installed service's definition, by name."""
    found = [point.load() for point in entry_points(group=ENTRY_POINT_GROUP)]
    return sorted(found, key=lambda service: service.name)
