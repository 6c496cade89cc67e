"""Rules of accommodation: pure functions, no database, clock or logger."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from teilhabe.events.housing import MoveOutReason
from teilhabe.refusal import Refusal


class WaitingStatus(StrEnum):
    AWAITING = "awaiting"
    PLACED = "placed"


class ReservationEnd(StrEnum):
    """Why a reservation ended: its household moved in, an officer cancelled it, or the
    household did not arrive in time and it expired."""

    PLACED = "placed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class WaitingHousehold:
    household_id: UUID
    member_count: int
    needs_accessible_housing: bool
    status: WaitingStatus


@dataclass(frozen=True)
class UnitVacancy:
    unit_id: UUID
    accessible: bool
    free_bed_ids: Sequence[UUID]


@dataclass(frozen=True)
class PlacementPlan:
    bed_ids: tuple[UUID, ...]


def plan_placement(
    household: WaitingHousehold,
    unit: UnitVacancy,
    *,
    bed_count: int | None,
    split_reason: str | None,
) -> PlacementPlan | Refusal:
    """Which beds a household gets in a unit, or why it cannot be placed there.

    A household is placed as a whole; fewer beds than members only with a reason
    (a split the officer decided), never more beds than members.
    """
    if household.status is not WaitingStatus.AWAITING:
        return Refusal("already-placed", "the household is already placed")
    wanted = household.member_count if bed_count is None else bed_count
    if wanted > household.member_count:
        return Refusal("too-many-beds", "more beds than household members", field="bed_count")
    if wanted < household.member_count and not (split_reason and split_reason.strip()):
        return Refusal(
            "split-without-reason",
            "placing part of a household needs a reason",
            field="split_reason",
        )
    if household.needs_accessible_housing and not unit.accessible:
        return Refusal("not-accessible", "the household needs a barrier-free unit", field="unit_id")
    if len(unit.free_bed_ids) < wanted:
        return Refusal(
            "not-enough-beds",
            f"the unit has {len(unit.free_bed_ids)} free beds, {wanted} are needed",
        )
    return PlacementPlan(bed_ids=tuple(sorted(unit.free_bed_ids)[:wanted]))


def free_bed_count(beds: int, occupied: int, reserved: int, closed: int = 0) -> int:
    """Beds of a unit nobody lives in, nobody has reserved and that are open.

    `closed`: the closed beds nobody lives in (a resident's closed bed counts once, as
    occupied); a closure takes no bed from those living there, it only lets nobody in.
    """
    return max(beds - occupied - reserved - closed, 0)


@dataclass(frozen=True)
class ClosureSpan:
    bed_id: UUID | None  # None: the whole unit
    starts_on: date
    ends_on: date


def closed_on(closures: Sequence[ClosureSpan], on: date) -> tuple[bool, frozenset[UUID]]:
    """Whether a unit is closed as a whole on a day, and which of its beds are."""
    current = [c for c in closures if c.starts_on <= on <= c.ends_on]
    whole = any(c.bed_id is None for c in current)
    return whole, frozenset(c.bed_id for c in current if c.bed_id is not None)


def lives_in_closure(
    closure: ClosureSpan, *, moved_in_on: date, moved_out_on: date | None, bed_ids: Sequence[UUID]
) -> bool:
    """Whether a placement in the closed unit lives in what is closed at some day of the
    closure (and so is to be transferred): its time there overlaps the closure's, and it
    holds the closed bed when only a bed is closed."""
    overlaps = moved_in_on <= closure.ends_on and (
        moved_out_on is None or moved_out_on > closure.starts_on
    )
    return overlaps and (closure.bed_id is None or closure.bed_id in bed_ids)


def beds_open_to(unheld_bed_ids: Sequence[UUID], reserved_for_others: int) -> tuple[UUID, ...]:
    """The beds of a unit a household may take: unheld ones, less those others reserved.

    Reservations hold a number of beds, not particular beds, so which of the unheld beds
    remain open does not matter; the household's own reservation is not subtracted (it
    is for this household).
    """
    open_count = max(len(unheld_bed_ids) - reserved_for_others, 0)
    return tuple(sorted(unheld_bed_ids)[:open_count])


def plan_reservation(
    household: WaitingHousehold,
    unit: UnitVacancy,
    *,
    bed_count: int | None,
    split_reason: str | None,
    already_reserved: bool,
) -> int | Refusal:
    """How many beds a household may reserve in a unit, or why not.

    The same rules as placing it there (`unit.free_bed_ids` being the beds open to it),
    and one reservation per household at a time: to change it, it is cancelled first.
    """
    if already_reserved and household.status is WaitingStatus.AWAITING:
        return Refusal("already-reserved", "beds are already reserved for the household")
    decision = plan_placement(household, unit, bed_count=bed_count, split_reason=split_reason)
    return decision if isinstance(decision, Refusal) else len(decision.bed_ids)


def cancel_problem(*, ended: bool) -> Refusal | None:
    if ended:
        return Refusal("reservation-ended", "the reservation has already ended")
    return None


def status_after_move_out(reason: MoveOutReason) -> WaitingStatus:
    """A household transferred elsewhere awaits its next place; others have left."""
    return WaitingStatus.AWAITING if reason is MoveOutReason.TRANSFER else WaitingStatus.PLACED


def transfer_problem(
    *,
    current_unit_id: UUID,
    target_unit_id: UUID,
    moved_in_on: date,
    moved_on: date,
    already_out: bool,
) -> Refusal | None:
    """Why a household cannot move from its unit to another; beds are checked by placing."""
    problem = move_out_problem(moved_in_on, moved_on, already_out)
    if problem is not None:
        return Refusal(problem.code, problem.reason, field="moved_on" if problem.field else None)
    if current_unit_id == target_unit_id:
        return Refusal("same-unit", "the household lives in this unit already", field="unit_id")
    return None


@dataclass(frozen=True)
class BedShare:
    bed_count: int
    split_reason: str | None


def share_after_transfer(
    current: BedShare, *, bed_count: int | None, split_reason: str | None
) -> BedShare:
    """The beds a household takes to its new unit: its share so far, unless the officer
    gives another count or reason."""
    return BedShare(bed_count or current.bed_count, split_reason or current.split_reason)


def move_out_problem(
    moved_in_on: date, moved_out_on: date, already_out: bool, *, earliest: date | None = None
) -> Refusal | None:
    """A move-out may be dated ahead (scheduled); dated back only to `earliest`, if given."""
    if already_out:
        return Refusal("already-moved-out", "the household has already moved out")
    if earliest is not None and moved_out_on < earliest:
        return Refusal(
            "move-out-too-long-ago",
            "the move-out lies too far in the past to be recorded",
            field="moved_out_on",
        )
    if moved_out_on < moved_in_on:
        return Refusal("before-move-in", "move-out cannot be before move-in", field="moved_out_on")
    return None


def closure_problem(starts_on: date, ends_on: date) -> Refusal | None:
    if ends_on < starts_on:
        return Refusal(
            "ends-before-start", "a closure cannot end before it starts", field="ends_on"
        )
    return None


# The refusal's message: fixed, so the staff tool can say it in German; which protections
# are missing the caller learns from the household's needs and the unit's protections.
UNSUITED = (
    "the unit does not offer a protection the household needs; place it there only with a reason"
)


@dataclass(frozen=True)
class ProtectionNeed:
    code: str
    requires: frozenset[str]  # the unit protections (codes) it takes


def missing_protections(
    needs: Sequence[ProtectionNeed], offered: Collection[str]
) -> dict[str, frozenset[str]]:
    """Need code → what it requires that the unit does not offer (needs wanting nothing
    the unit lacks are left out)."""
    lacking = {need.code: need.requires - frozenset(offered) for need in needs}
    return {code: missing for code, missing in lacking.items() if missing}


def protection_problem(
    needs: Sequence[ProtectionNeed], offered: Collection[str], *, override_reason: str | None
) -> Refusal | None:
    """A unit that lacks a protection one of the household's needs requires is refused,
    unless an officer gives a reason to place the household there all the same."""
    if not missing_protections(needs, offered):
        return None
    if override_reason and override_reason.strip():
        return None
    return Refusal("unsuited-unit", UNSUITED, field="unit_id")


def unknown_codes(given: Collection[str], known: Collection[str]) -> list[str]:
    """Codes not in the list kept as data, in the order given."""
    return [code for code in given if code not in known]


# --- the waiting queue's order ---------------------------------------------------------


class QueueReasonKind(StrEnum):
    """Why a household stands where it stands, most urgent first."""

    RAISED = "raised"  # an officer raised its priority, with a reason
    PROTECTION = "protection"  # it has protection needs
    ARRIVING = "arriving"  # it arrives within the planning window, or is overdue
    WAITING = "waiting"  # how long since its allocation


@dataclass(frozen=True)
class QueueCandidate:
    household_id: UUID
    allocated_on: date
    expected_arrival_on: date | None
    protection_needs: int
    raised: bool


@dataclass(frozen=True)
class QueueReason:
    kind: QueueReasonKind
    on: date | None = None  # the arrival day, the allocation day
    days: int | None = None  # days until arrival (negative: overdue), days waited


@dataclass(frozen=True)
class QueuePosition:
    household_id: UUID
    position: int
    reasons: tuple[QueueReason, ...]


def order_queue(
    households: Sequence[QueueCandidate], *, today: date, arriving_within_days: int
) -> list[QueuePosition]:
    """The waiting queue by urgency, each position with the reasons that put it there.

    First households whose priority an officer raised, then those with protection needs,
    then those arriving within `arriving_within_days` (or overdue; the earliest arrival
    first), then by waiting time (the oldest allocation first). Ties keep the given order,
    so a stable tie-break (the time a household was queued) is the caller's.
    """

    def arriving(candidate: QueueCandidate) -> bool:
        arrival = candidate.expected_arrival_on
        return arrival is not None and (arrival - today).days <= arriving_within_days

    def key(candidate: QueueCandidate) -> tuple[bool, bool, bool, date, date]:
        soon = arriving(candidate)
        return (
            not candidate.raised,
            candidate.protection_needs == 0,
            not soon,
            candidate.expected_arrival_on if soon and candidate.expected_arrival_on else date.max,
            candidate.allocated_on,
        )

    ordered = sorted(households, key=key)
    result = []
    for position, candidate in enumerate(ordered, start=1):
        reasons = []
        if candidate.raised:
            reasons.append(QueueReason(QueueReasonKind.RAISED))
        if candidate.protection_needs:
            reasons.append(QueueReason(QueueReasonKind.PROTECTION))
        if arriving(candidate) and candidate.expected_arrival_on is not None:
            days = (candidate.expected_arrival_on - today).days
            reasons.append(
                QueueReason(QueueReasonKind.ARRIVING, candidate.expected_arrival_on, days)
            )
        waited = (today - candidate.allocated_on).days
        reasons.append(QueueReason(QueueReasonKind.WAITING, candidate.allocated_on, waited))
        result.append(QueuePosition(candidate.household_id, position, tuple(reasons)))
    return result


def priority_problem(reason: str | None) -> Refusal | None:
    if not (reason and reason.strip()):
        return Refusal(
            "reason-missing", "raising a household's priority needs a reason", field="reason"
        )
    return None


def reservation_expires_on(reserved_on: date, expected_arrival_on: date | None, days: int) -> date:
    """The day a reservation for a household that has not arrived ends: `days` after its
    expected arrival, or after the reservation when no arrival is expected yet (a past
    expected arrival counts from the reservation, so no reservation ends the day it is
    made)."""
    start = max(reserved_on, expected_arrival_on) if expected_arrival_on else reserved_on
    return start + timedelta(days=days)


def arrival_problem(
    *,
    arrived_on: date,
    today: date,
    allocated_on: date,
    already_recorded: bool,
    known_members: set[UUID],
    came: set[UUID],
    person_count: int | None,
) -> Refusal | None:
    """An arrival is recorded once, on a day between the allocation and today, with the
    persons who came: those of the household's members housing knows, or their number
    where it knows none yet."""
    if already_recorded:
        return Refusal("arrival-recorded", "the household's arrival is already recorded")
    if arrived_on > today:
        return Refusal("arrival-ahead", "an arrival cannot lie ahead", field="arrived_on")
    if arrived_on < allocated_on:
        return Refusal(
            "arrival-before-allocation",
            "an arrival cannot be before the allocation",
            field="arrived_on",
        )
    if known_members:
        if not came:
            return Refusal("nobody-came", "name at least one member who came", field="member_ids")
        if not came <= known_members:
            return Refusal(
                "not-a-member",
                "a person named is not a member of the household",
                field="member_ids",
            )
    elif not person_count:
        return Refusal("person-count-missing", "how many persons came", field="person_count")
    return None


def not_arrived(*, arrived: bool, ever_placed: bool) -> bool:
    """A household is a no-show on its day when no arrival is recorded and it never moved
    in (a placement means it came, recorded or not)."""
    return not arrived and not ever_placed
