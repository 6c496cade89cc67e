"""The wiring check finds what would make a consumer drop or misroute an event."""

from __future__ import annotations

import types
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.db import new_metadata
from teilhabe.events.contract import reads
from teilhabe.events.households import CaseworkerAssigned, HouseholdAssigned
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.messaging.tables import define_messaging_tables
from teilhabe.runtime import ServiceDefinition
from teilhabe_dev.testing.wiring import wiring_problems


async def on_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
) -> None:
    """A handler for household.assigned."""


async def on_caseworker(
    session: AsyncSession, events: Sequence[ReceivedEvent[CaseworkerAssigned]]
) -> None:
    """A handler for caseworker.assigned."""


def wired(handlers: dict, reads_: dict) -> tuple[ServiceDefinition, types.ModuleType]:  # type: ignore[type-arg]
    module = types.ModuleType("probe.handlers")
    module.HANDLERS = handlers  # type: ignore[attr-defined]
    module.READS = reads_  # type: ignore[attr-defined]
    service = ServiceDefinition(
        name="probe",
        settings=lambda: None,  # type: ignore[arg-type,return-value]
        create_app=lambda: None,  # type: ignore[arg-type,return-value]
        migrations_dir=Path(),
        messaging=define_messaging_tables(new_metadata()),
        handlers=handlers,
        reads=reads_,
    )
    return service, module


def test_a_correct_wiring_has_no_problem() -> None:
    assert (
        wiring_problems(
            *wired({HouseholdAssigned: on_assigned}, {HouseholdAssigned: reads("household_id")})
        )
        == []
    )


def test_a_handler_registered_for_the_wrong_type_is_named() -> None:
    problems = wiring_problems(
        *wired({CaseworkerAssigned: on_assigned}, {CaseworkerAssigned: reads("household_id")})
    )
    assert problems == [
        "probe: caseworker.assigned is routed to on_assigned, which takes HouseholdAssigned"
    ]


def test_a_type_read_without_handler_and_one_handled_without_declaration_are_named() -> None:
    problems = wiring_problems(
        *wired({HouseholdAssigned: on_assigned}, {CaseworkerAssigned: reads("household_id")})
    )
    assert sorted(problems) == [
        "probe handles household.assigned but does not declare what it reads",
        "probe reads caseworker.assigned but has no handler for it",
    ]


def test_a_composition_root_consuming_with_another_map_is_named() -> None:
    service, module = wired(
        {HouseholdAssigned: on_assigned}, {HouseholdAssigned: reads("household_id")}
    )
    module.HANDLERS = {HouseholdAssigned: on_assigned}  # type: ignore[attr-defined]
    assert wiring_problems(service, module) == [
        "probe: the composition root does not consume with HANDLERS"
    ]
