"""The record of processing activities (Art. 30(1) GDPR): every installed service declares
its purposes, data subjects and categories of data; the generated document is current and
names, per service, the recipients of each event it publishes and its retention periods."""

from __future__ import annotations

from dataclasses import replace

import pytest
from teilhabe.processing.document import DOCUMENT, current, render_service
from teilhabe.registry import installed_services
from teilhabe.retention.rules import Rule

SERVICES = {service.name: service for service in installed_services()}


def test_the_record_of_processing_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == current(), "run `make processing-record`"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_declares_what_it_processes_of_whom_and_for_what(name: str) -> None:
    record = SERVICES[name].processing
    assert record is not None, f"{name}: no processing.py declared in its ServiceDefinition"
    assert record.purposes
    assert record.legal_basis
    assert record.data_subjects
    assert record.categories
    assert all(category.about and category.data for category in record.categories)


def test_the_record_names_recipients_by_event_and_the_retention_periods() -> None:
    services = list(SERVICES.values())
    section = render_service(SERVICES["housing"], services)
    # housing's move-in reaches intake and notifications, and agencies by subscription.
    [moved_in] = [line for line in section.splitlines() if "`household.moved_in`" in line]
    assert "intake" in moved_in
    assert "notifications" in moved_in
    assert "partner agencies" in moved_in
    for rule in SERVICES["housing"].retention.rules:
        assert isinstance(rule, Rule)
        assert f"| `{rule.table}` |" in section
    # Special categories are marked (Art. 9, Art. 10 GDPR).
    assert "Art. 10 GDPR" in render_service(SERVICES["volunteers"], services)


def test_a_service_without_a_declaration_is_refused() -> None:
    undeclared = replace(SERVICES["courses"], processing=None)
    with pytest.raises(ValueError, match="declares no processing"):
        render_service(undeclared, [undeclared])
