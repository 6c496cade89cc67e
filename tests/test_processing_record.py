"""The record of processing activities (Art. 30(1) GDPR): every installed service declares
its purposes, data subjects and categories of data; the generated document is current and
names, per service, the recipients of each event it publishes and its retention periods."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Column, Date, DateTime, Enum, Integer, MetaData, String, Uuid
from teilhabe.processing import Fields
from teilhabe.processing.document import DOCUMENT, current, render_service
from teilhabe.processing.fields import unannotated, unknown
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


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_field_that_could_name_a_person_is_annotated(name: str) -> None:
    service = SERVICES[name]
    record = service.processing
    assert record is not None
    metadata = service.messaging.outbox.metadata
    assert metadata is not None
    missing = unannotated(metadata, record.all_fields)
    assert not missing, (
        f"{name}: columns that could name or describe a person without an annotation: "
        f"{missing}; annotate them in {name}/processing.py (Fields: personal with its "
        "Personal annotation, or not_personal), then `make processing-record`"
    )
    stale = unknown(metadata, record.all_fields)
    assert not stale, f"{name}: annotations of columns the models do not have: {stale}"


def test_a_new_personal_field_without_an_annotation_fails() -> None:
    """Columns planted in intake's member table, as a careless change would add them."""
    intake = SERVICES["intake"]
    record = intake.processing
    assert record is not None
    source = intake.messaging.outbox.metadata
    assert source is not None
    planted = MetaData()
    for table in source.tables.values():
        table.to_metadata(planted)
    member = planted.tables["member"]
    member.append_column(Column("birth_place", String(200)))
    member.append_column(Column("mentor_id", Uuid()))
    member.append_column(Column("religion", Enum("a", "b", name="religion")))
    member.append_column(Column("arrived_on", Date()))
    # Numbers, flags and times with a neutral name are not taken for personal data.
    member.append_column(Column("sort_key", Integer()))
    member.append_column(Column("checked_at", DateTime()))
    planted_personal = ["birth_place", "mentor_id", "religion", "arrived_on"]
    assert unannotated(planted, record.all_fields) == [f"member.{c}" for c in planted_personal]

    # Annotated (or explicitly marked as holding no personal data), they pass.
    [declared] = [item for item in record.all_fields if item.table == "member"]
    annotation = next(iter(declared.personal.values()))
    completed = [item for item in record.all_fields if item.table != "member"] + [
        Fields(
            "member",
            {**declared.personal, **annotation.of("birth_place", "mentor_id", "religion")},
            not_personal=(*declared.not_personal, "arrived_on"),
        )
    ]
    assert unannotated(planted, completed) == []
    # A column marked both ways is refused.
    with pytest.raises(ValueError, match="both personal and not personal"):
        unannotated(planted, [Fields("member", annotation.of("religion"), ("religion",))])
