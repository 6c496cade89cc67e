"""Events about accommodation (published by housing)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference


class SiteKind(StrEnum):
    EMERGENCY_SHELTER = "emergency_shelter"
    COMMUNAL_HOUSING = "communal_housing"
    APARTMENT = "apartment"


class MoveOutReason(StrEnum):
    PRIVATE_HOUSING = "private_housing"
    TRANSFER = "transfer"
    LEFT_MUNICIPALITY = "left_municipality"
    OTHER = "other"


class ClosureReason(StrEnum):
    """Why a unit or a bed takes nobody for a time."""

    REPAIR = "repair"
    QUARANTINE = "quarantine"


class CapacityChange(StrEnum):
    UNIT_ADDED = "unit_added"
    BEDS_ADDED = "beds_added"
    CLOSED = "closed"


class HouseholdMovedIn(EventPayload):
    """A household was placed into a unit and occupies beds there."""

    event_type: ClassVar[str] = "household.moved_in"
    published_by: ClassVar[frozenset[str]] = frozenset({"housing"})
    subject_field: ClassVar[str | None] = "household_id"
    consent_subject: ClassVar[str | None] = "household_id"

    household_id: Reference
    placement_id: Reference
    site_id: Reference
    site_kind: SiteKind
    unit_id: Reference
    bed_count: int = Field(ge=1)
    moved_in_on: date
    # Labels of the place (no personal data), so consumers can say where without asking.
    site_name: str | None = Field(default=None, max_length=200)
    unit_name: str | None = Field(default=None, max_length=200)


class HouseholdMovedOut(EventPayload):
    """A household left a unit; its beds are free again."""

    event_type: ClassVar[str] = "household.moved_out"
    published_by: ClassVar[frozenset[str]] = frozenset({"housing"})
    subject_field: ClassVar[str | None] = "household_id"
    consent_subject: ClassVar[str | None] = "household_id"

    household_id: Reference
    placement_id: Reference
    site_id: Reference
    unit_id: Reference
    moved_out_on: date
    reason: MoveOutReason


class UnitCapacityChanged(EventPayload):
    """The beds of a unit changed: the unit was opened, beds were added, or the unit or one
    of its beds was closed for a time (repair, quarantine).

    Labels of the place and counts only; the households living there are counted, never
    named.
    """

    event_type: ClassVar[str] = "unit.capacity_changed"
    published_by: ClassVar[frozenset[str]] = frozenset({"housing"})
    subject_field: ClassVar[str | None] = "unit_id"

    site_id: Reference
    unit_id: Reference
    site_name: str = Field(max_length=200)
    unit_name: str = Field(max_length=200)
    change: CapacityChange
    beds: int = Field(ge=0, description="Beds of the unit after the change, closed ones too")
    beds_changed: int = Field(ge=1, description="Beds added, or closed for the time")
    closed_from: date | None = None
    closed_until: date | None = Field(default=None, description="The closure's last day")
    closure_reason: ClosureReason | None = None
    households_to_move: int = Field(
        default=0, ge=0, description="Households living in what is closed, to be transferred"
    )


class HouseholdArrived(EventPayload):
    """A household arrived in the city, on this day. Who of it came (it may differ from the
    allocation notice) housing keeps: no consumer needs it yet."""

    event_type: ClassVar[str] = "household.arrived"
    published_by: ClassVar[frozenset[str]] = frozenset({"housing"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    arrived_on: date


class HouseholdNotArrived(EventPayload):
    """A household allocated to the city has not arrived by its expected day (and the
    grace days after it): its caseworker is to find out why. Published once, by housing's
    durable timer."""

    event_type: ClassVar[str] = "household.not_arrived"
    published_by: ClassVar[frozenset[str]] = frozenset({"housing"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    expected_arrival_on: date
