"""HTTP shapes of the housing API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints
from teilhabe.api.schemas import RequestModel, ResponseModel
from teilhabe.events.households import AgeGroup
from teilhabe.events.housing import ClosureReason, MoveOutReason, SiteKind

from housing.domain import QueueReasonKind, ReservationEnd, WaitingStatus

Label = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class UnitIn(RequestModel):
    name: Label
    beds: int = Field(ge=1, le=200, description="Number of beds in the unit")
    accessible: bool = False


class SiteIn(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    kind: SiteKind
    address: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    units: list[UnitIn] = Field(min_length=1, max_length=500)


class SiteNameIn(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UnitNameIn(RequestModel):
    name: Label


class BedsIn(RequestModel):
    count: int = Field(ge=1, le=200, description="Number of beds to add to the unit")


class ClosureIn(RequestModel):
    bed_id: uuid.UUID | None = Field(
        default=None, description="One bed of the unit; without it the whole unit is closed"
    )
    starts_on: date
    ends_on: date = Field(description="The last day of the closure")
    reason: ClosureReason


class ClosureOut(ResponseModel):
    id: uuid.UUID
    unit_id: uuid.UUID
    bed_id: uuid.UUID | None
    starts_on: date
    ends_on: date
    reason: ClosureReason


class ClosureResident(ResponseModel):
    """A household living in what a closure closes (by reference and notice number, no
    names)."""

    placement_id: uuid.UUID
    household_id: uuid.UUID
    allocation_notice_number: str | None
    bed_count: int
    moved_in_on: date
    moved_out_on: date | None


class ClosureWithResidents(ClosureOut):
    bed_label: str | None = Field(description="The closed bed; none when the unit is closed")
    residents: list[ClosureResident] = Field(
        description="Households living in what is closed during the closure: to be transferred"
    )


class BedOut(ResponseModel):
    id: uuid.UUID
    label: str


class UnitClosures(ResponseModel):
    """A unit's current and coming closures (those ended are left out)."""

    unit_id: uuid.UUID
    unit_name: str
    site_id: uuid.UUID
    site_name: str
    beds: list[BedOut]
    closures: list[ClosureWithResidents]


class PlacementIn(RequestModel):
    household_id: uuid.UUID
    unit_id: uuid.UUID
    moved_in_on: date
    bed_count: int | None = Field(default=None, ge=1, description="Defaults to every member")
    split_reason: str | None = Field(default=None, max_length=1000)
    protection_override_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="Why the household goes into a unit lacking a protection it needs "
        "(without it, such a unit is refused)",
    )


class MoveOutIn(RequestModel):
    moved_out_on: date
    reason: MoveOutReason = Field(
        description="With `transfer` the household goes back to the waiting queue, to be "
        "placed elsewhere; to name the new unit at once, use the transfer instead."
    )


class TransferIn(RequestModel):
    unit_id: uuid.UUID = Field(description="The unit the household moves to")
    moved_on: date = Field(description="Day of the move: out of the old unit, into the new")
    bed_count: int | None = Field(
        default=None, ge=1, description="Defaults to the beds the household holds now"
    )
    split_reason: str | None = Field(default=None, max_length=1000)
    protection_override_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="Why the household goes into a unit lacking a protection it needs "
        "(without it, such a unit is refused)",
    )


class ReservationIn(RequestModel):
    household_id: uuid.UUID
    unit_id: uuid.UUID
    bed_count: int | None = Field(default=None, ge=1, description="Defaults to every member")
    split_reason: str | None = Field(default=None, max_length=1000)
    protection_override_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="Why the household goes into a unit lacking a protection it needs "
        "(without it, such a unit is refused)",
    )


class UnitOccupancy(ResponseModel):
    id: uuid.UUID
    name: str
    accessible: bool
    beds: int
    occupied: int
    reserved: int = Field(description="Beds held by active reservations")
    free: int = Field(description="Beds neither occupied, reserved nor closed today")
    closed: int = Field(default=0, description="Beds closed today (repair, quarantine)")
    closed_until: date | None = Field(
        default=None, description="The last day of the closures in force today"
    )
    protections: list[str] = Field(default=[], description="Codes of the protections offered")
    households: list[uuid.UUID]


class SiteOut(ResponseModel):
    id: uuid.UUID
    name: str
    kind: SiteKind
    address: str
    beds: int
    occupied: int
    reserved: int
    free: int
    units: list[UnitOccupancy]


class ReservedBeds(ResponseModel):
    """A household's active reservation, as the waiting queue shows it."""

    id: uuid.UUID
    site_id: uuid.UUID
    unit_id: uuid.UUID
    bed_count: int


class QueueReasonOut(ResponseModel):
    """Why a household stands where it stands in the queue."""

    kind: QueueReasonKind = Field(
        description="raised (by an officer), protection (needs), arriving (soon or overdue), "
        "waiting (since its allocation)"
    )
    on: date | None = Field(default=None, description="The arrival or allocation day")
    days: int | None = Field(
        default=None, description="Days until arrival (negative: overdue), or days waited"
    )


class PriorityIn(RequestModel):
    reason: str = Field(max_length=1000, description="Why the household goes ahead")


class WaitingHouseholdOut(ResponseModel):
    household_id: uuid.UUID
    allocation_notice_number: str
    allocated_on: date
    expected_arrival_on: date | None
    member_count: int
    minor_count: int
    needs_accessible_housing: bool
    status: WaitingStatus
    reservation: ReservedBeds | None = None
    position: int | None = Field(default=None, description="Its place in the queue, from 1")
    reasons: list[QueueReasonOut] = Field(default=[], description="Why it stands there")
    priority_reason: str | None = Field(
        default=None, description="Why an officer raised its priority, if one did"
    )
    arrived_on: date | None = Field(default=None, description="When it arrived, if recorded")
    arrived_person_count: int | None = Field(
        default=None, description="How many persons came (may differ from the notice)"
    )


class PlacementOut(ResponseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    site_id: uuid.UUID
    unit_id: uuid.UUID
    bed_count: int
    moved_in_on: date
    moved_out_on: date | None
    move_out_reason: MoveOutReason | None


class ReservationOut(ResponseModel):
    # Without the split reason, as a placement is answered: it may tell of health or family.
    id: uuid.UUID
    household_id: uuid.UUID
    site_id: uuid.UUID
    unit_id: uuid.UUID
    bed_count: int
    reserved_by: str
    created_at: datetime
    ended_at: datetime | None
    end_reason: ReservationEnd | None


# --- what the staff pages read (no API answers these shapes) ---------------------------


class ResidentOut(ResponseModel):
    """A household living in a unit now, as the occupancy board shows it."""

    placement_id: uuid.UUID
    unit_id: uuid.UUID
    household_id: uuid.UUID
    notice_number: str
    bed_count: int
    moved_in_on: date
    # What placing needs to know of the household, shown in words on the board.
    member_count: int | None
    minor_count: int | None


class UnitPlace(ResponseModel):
    """Where a unit is, in words: its site's name and its own."""

    site: str
    unit: str


class HeldBeds(ResponseModel):
    """A household's active reservation as the forms about it show it (with the split
    reason the officer gave, which the API's answers leave out)."""

    id: uuid.UUID
    unit_id: uuid.UUID
    bed_count: int
    split_reason: str | None
    place: UnitPlace


class PlacedHouseholdOut(ResponseModel):
    """A household's current placement with what moving it needs (size, minors,
    barrier-free need) and where it lives."""

    placement: PlacementOut
    household: WaitingHouseholdOut
    place: UnitPlace


Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class ProtectionKindOut(ResponseModel):
    code: str
    label_de: str
    label_en: str
    requires: list[str] = Field(
        default=[], description="For a need: the unit protections (codes) it takes"
    )


class ProtectionListsOut(ResponseModel):
    """The lists kept as data: protection needs a household may have, and protections a
    unit may offer."""

    needs: list[ProtectionKindOut]
    unit_protections: list[ProtectionKindOut]


class ProtectionNeedsIn(RequestModel):
    needs: list[Code] = Field(
        max_length=50, description="Codes from GET /protection-needs; an empty list clears them"
    )


class ProtectionNeedsOut(ResponseModel):
    household_id: uuid.UUID
    allocation_notice_number: str
    needs: list[str]
    recorded_by: str | None
    recorded_at: datetime | None


class UnitProtectionsIn(RequestModel):
    protections: list[Code] = Field(
        max_length=50, description="Codes from GET /protection-needs (unit_protections)"
    )


class UnitFit(ResponseModel):
    """For the forms placing a household: its protection needs in words, and unit id →
    what the unit lacks of them, in words (units lacking nothing are left out)."""

    needs: list[str]
    lacking: dict[uuid.UUID, list[str]]


class ArrivalIn(RequestModel):
    arrived_on: date
    member_ids: list[uuid.UUID] = Field(
        default=[],
        max_length=100,
        description="The members who came (intake's references); required when housing "
        "knows the household's members",
    )
    person_count: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="How many persons came, where housing knows no members of the household",
    )


class MemberOut(ResponseModel):
    member_id: uuid.UUID
    age_group: AgeGroup
    arrived: bool | None = Field(description="Came on arrival; null: no arrival recorded")


class ArrivalOut(ResponseModel):
    household_id: uuid.UUID
    arrived_on: date
    arrived_person_count: int
    expected_person_count: int
    members: list[MemberOut]


class PersonOut(ResponseModel):
    """A person and where the person lives today (no name: housing never receives it)."""

    member_id: uuid.UUID = Field(description="intake's reference of the person")
    age_group: AgeGroup
    arrived: bool | None = Field(description="Came on arrival; null: no arrival recorded")
    household_id: uuid.UUID
    allocation_notice_number: str
    site_id: uuid.UUID | None = Field(description="null: not living in any site today")
    site: str | None
    unit_id: uuid.UUID | None
    unit: str | None
    living_there_since: date | None


class UnitResidents(ResponseModel):
    unit_id: uuid.UUID
    residents: list[PersonOut]
