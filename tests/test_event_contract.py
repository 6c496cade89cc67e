"""The event contract: who may publish each type, and what each consumer reads of it.

Fast and without I/O: it reads the catalogue and every installed service's declarations.
"""

from __future__ import annotations

import pytest
from teilhabe.events.catalogue import ANY_SERVICE, CATALOGUE, load_catalogue
from teilhabe.events.contract import field_paths
from teilhabe.events.envelope import new_event
from teilhabe.events.households import HouseholdAssigned
from teilhabe.messaging.inbox import PoisonMessage, decode
from teilhabe.registry import installed_services
from teilhabe.runtime import ServiceDefinition

SERVICES = installed_services()


def test_every_service_of_the_system_is_installed_and_found() -> None:
    assert [service.name for service in SERVICES] == [
        "courses",
        "housing",
        "intake",
        "notifications",
        "volunteers",
    ]


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_a_service_declares_what_it_reads_of_every_event_it_handles(
    service: ServiceDefinition,
) -> None:
    assert set(service.reads) == set(service.handlers)
    for model, fields in [*service.reads.items(), *service.side_reads.items()]:
        known = {path for path, _ in field_paths(model)}
        assert fields <= known, f"{service.name} reads unknown fields of {model.event_type}"


def test_every_personal_field_of_an_event_has_a_consumer_that_needs_it() -> None:
    """A field nobody declared a need for leaves the event (or is a new version without it)."""
    load_catalogue()
    read = {
        (model, path)
        for service in SERVICES
        # A type both consumers of a service read counts with what either reads.
        for model, fields in [*service.reads.items(), *service.side_reads.items()]
        for path in fields
    }
    unneeded = sorted(
        f"{model.event_type} v{model.event_version}: {path}"
        for model in CATALOGUE.values()
        for path, personal in field_paths(model)
        if personal and (model, path) not in read
    )
    assert unneeded == [], (
        "personal fields no consumer declared a need for (declare them in the READS of the "
        "consumer's handlers.py, or leave them out of the event)"
    )


def test_every_event_type_names_the_services_that_may_publish_it() -> None:
    load_catalogue()
    names = {service.name for service in SERVICES} | {ANY_SERVICE}
    for model in CATALOGUE.values():
        assert model.published_by, model.event_type
        assert model.published_by <= names, model.event_type


def test_an_event_from_a_source_that_does_not_own_its_type_is_refused() -> None:
    payload = HouseholdAssigned.model_validate(
        {
            "household_id": "6f1c5f8e-3f0b-4a4e-9d7e-0c2b8f9a1d11",
            "allocation_notice_number": "BRA-1",
            "allocated_on": "2026-11-20",
            "member_count": 1,
            "minor_count": 0,
            "members": [],
        }
    )
    handlers = {HouseholdAssigned: _never_called}
    genuine = new_event(payload, source="/teilhabe/intake").to_json()
    assert decode(genuine, handlers, "household.assigned").payload == payload
    for source in ("/teilhabe/housing", "/teilhabe/intake/x", "/elsewhere/intake", "intake"):
        forged = new_event(payload, source=source).to_json()
        for hint in ("household.assigned", None):
            with pytest.raises(PoisonMessage, match="source does not own event type"):
                decode(forged, handlers, hint)


async def _never_called(*_: object) -> None:
    raise AssertionError("not a handler test")
