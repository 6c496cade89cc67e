"""Use cases of housing: one transaction each, the event staged in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, raise_refusal
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal
from teilhabe.clock import now, on_day, today
from teilhabe.events.households import HouseholdMembersChanged, HouseholdReferredToHousing
from teilhabe.events.housing import (
    CapacityChange,
    HouseholdMovedIn,
    HouseholdMovedOut,
    MoveOutReason,
)
from teilhabe.refusal import Refusal
from teilhabe.timers import schedule

from housing import domain, protection
from housing.config import get_settings
from housing.dependencies import PLACEMENTS, RESERVATIONS, SITES, WAITING_HOUSEHOLDS
from housing.models import (
    Bed,
    BedOccupancy,
    Placement,
    Reservation,
    Site,
    Unit,
    WaitingHousehold,
    audit_log,
)
from housing.occupancy import ClosedToday, closed_beds, closure_spans, held_bed_ids
from housing.occupancy import occupying as occupying  # the pages read occupancy by it
from housing.publishing import capacity_changed
from housing.publishing import outbox as outbox  # the staff tool's sign-in event uses it
from housing.schemas import (
    HeldBeds,
    MoveOutIn,
    PlacedHouseholdOut,
    PlacementIn,
    PlacementOut,
    QueueReasonOut,
    ReservationIn,
    ReservedBeds,
    ResidentOut,
    SiteIn,
    SiteOut,
    TransferIn,
    UnitIn,
    UnitOccupancy,
    UnitPlace,
    WaitingHouseholdOut,
)

audit = Auditor(audit_log)
# The durable timer ending a reservation whose household did not arrive (housing.timers).
RESERVATION_EXPIRY = "reservation_expiry"


async def create_site(*, session: AsyncSession, site_in: SiteIn) -> Site:
    site = Site(
        id=uuid.uuid4(),
        name=site_in.name,
        kind=site_in.kind,
        address=site_in.address,
        units=[
            Unit(
                id=uuid.uuid4(),
                name=unit.name,
                accessible=unit.accessible,
                beds=[
                    Bed(id=uuid.uuid4(), label=_bed_label(unit.name, n))
                    for n in _numbers(unit.beds)
                ],
            )
            for unit in site_in.units
        ],
    )
    session.add(site)
    for unit in site.units:
        await capacity_changed(
            session,
            site,
            unit,
            CapacityChange.UNIT_ADDED,
            beds=len(unit.beds),
            beds_changed=len(unit.beds),
        )
    try:
        await session.commit()
    except IntegrityError as error:
        raise Conflict(
            f"a site named {site_in.name!r} exists already", code="duplicate-site"
        ) from error
    return site


async def add_unit(
    *, session: AsyncSession, principal: Principal, site_id: uuid.UUID, unit_in: UnitIn
) -> Unit:
    """A new unit with its beds in a site (a flat rented, a floor opened)."""
    site = await SITES.get(session, principal, site_id)
    unit = Unit(id=uuid.uuid4(), site_id=site.id, name=unit_in.name, accessible=unit_in.accessible)
    unit.beds = [
        Bed(id=uuid.uuid4(), label=_bed_label(unit.name, n)) for n in _numbers(unit_in.beds)
    ]
    session.add(unit)
    await capacity_changed(
        session,
        site,
        unit,
        CapacityChange.UNIT_ADDED,
        beds=len(unit.beds),
        beds_changed=len(unit.beds),
    )
    await session.commit()
    return unit


async def add_beds(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID, count: int
) -> Unit:
    """More beds in a unit; numbered on from the unit's last."""
    unit = await _unit(session, principal, unit_id)
    have = await session.scalar(select(func.count()).where(Bed.unit_id == unit.id)) or 0
    for bed in _new_beds(unit.name, range(have + 1, have + count + 1)):
        bed.unit_id = unit.id
        session.add(bed)
    site = await session.get(Site, unit.site_id)
    assert site is not None
    await capacity_changed(
        session, site, unit, CapacityChange.BEDS_ADDED, beds=have + count, beds_changed=count
    )
    await session.commit()
    return unit


async def rename_site(
    *, session: AsyncSession, principal: Principal, site_id: uuid.UUID, name: str
) -> Site:
    site = await SITES.get(session, principal, site_id)
    site.name = name
    try:
        await session.commit()
    except IntegrityError as error:
        raise Conflict(f"a site named {name!r} exists already", code="duplicate-site") from error
    return site


async def rename_unit(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID, name: str
) -> Unit:
    unit = await _unit(session, principal, unit_id)
    unit.name = name
    await session.commit()
    return unit


async def _unit(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
    """A unit of a site the caller may see; 404 otherwise."""
    unit = await session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise NotFound("unit")
    await SITES.get(session, principal, unit.site_id)
    return unit


def _new_beds(unit_name: str, numbers: range) -> list[Bed]:
    return [Bed(id=uuid.uuid4(), label=_bed_label(unit_name, n)) for n in numbers]


def _numbers(count: int) -> range:
    return range(1, count + 1)


def _bed_label(unit_name: str, number: int) -> str:
    return f"{unit_name}-{number:02d}"[:50]


async def get_all_sites(
    *,
    session: AsyncSession,
    principal: Principal,
    for_household: uuid.UUID | None = None,
    action: str = "list",
) -> list[SiteOut]:
    """Every site's occupancy; `for_household`: as that household sees it.

    For a household its own reservation is not counted as reserved: those beds are free
    for it (and only for it). Audited: the occupancy names the households living there.
    """
    sites = list(await session.scalars(select(Site).order_by(Site.name)))
    occupancy = await _current_occupancy(session)
    reserved = await _reserved_beds(session, excluding=for_household)
    closed = await closed_beds(session, today())
    shown = [_site_out(site, occupancy, reserved, closed) for site in sites]
    await _audit_residents(session, principal, shown, action=action)
    return shown


async def get_site(*, session: AsyncSession, principal: Principal, site_id: uuid.UUID) -> SiteOut:
    site = await SITES.get(session, principal, site_id)
    shown = _site_out(
        site,
        await _current_occupancy(session),
        await _reserved_beds(session),
        await closed_beds(session, today()),
    )
    await _audit_residents(session, principal, [shown], action="read")
    return shown


async def _audit_residents(
    session: AsyncSession, principal: Principal, sites: Sequence[SiteOut], *, action: str
) -> None:
    households = {
        household for site in sites for unit in site.units for household in unit.households
    }
    await audit(session, principal, action, "household", sorted(households, key=str))
    await session.commit()


async def get_waiting_household(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> WaitingHouseholdOut:
    """One household awaiting accommodation (its size, minors, barrier-free need); audited."""
    household = await session.scalar(
        WAITING_HOUSEHOLDS.select(principal).where(WaitingHousehold.household_id == household_id)
    )
    if household is None or household.status is not domain.WaitingStatus.AWAITING:
        raise NotFound("household awaiting accommodation")
    await audit(session, principal, "read", "household", [household.household_id])
    await session.commit()
    return WaitingHouseholdOut.model_validate(household)


async def get_placed_household(
    *, session: AsyncSession, principal: Principal, placement_id: uuid.UUID
) -> PlacedHouseholdOut:
    """A placement with its household (size, minors, barrier-free need) and where it is;
    audited, as every read of what a household needs. Ended placements too: the caller
    decides whether an ended one is still of use."""
    placement = await PLACEMENTS.get(session, principal, placement_id)
    household = await session.get(WaitingHousehold, placement.household_id)
    if household is None:
        raise NotFound("placement")
    place = (await get_unit_places(session=session, unit_ids=[placement.unit_id]))[
        placement.unit_id
    ]
    await audit(session, principal, "read", "household", [household.household_id])
    await session.commit()
    return PlacedHouseholdOut(
        placement=PlacementOut.model_validate(placement),
        household=WaitingHouseholdOut.model_validate(household),
        place=place,
    )


async def get_board(
    *, session: AsyncSession, principal: Principal, action: str = "list"
) -> tuple[list[SiteOut], dict[uuid.UUID, list[ResidentOut]]]:
    """Every site's occupancy, and unit id → the households living there now (notice
    number and size, no names: housing never receives them); audited once, by
    `get_all_sites`, for the same households, as `action` ("export" for a download)."""
    sites = await get_all_sites(session=session, principal=principal, action=action)
    rows = await session.execute(
        select(
            Placement.id,
            Placement.unit_id,
            Placement.household_id,
            Placement.bed_count,
            Placement.moved_in_on,
            WaitingHousehold.allocation_notice_number,
            WaitingHousehold.member_count,
            WaitingHousehold.minor_count,
        )
        .join(
            WaitingHousehold,
            WaitingHousehold.household_id == Placement.household_id,
            isouter=True,
        )
        .where(occupying(today()))
        .order_by(Placement.moved_in_on, Placement.created_at)
    )
    residents: dict[uuid.UUID, list[ResidentOut]] = {}
    for placement_id, unit_id, household_id, bed_count, moved_in_on, number, *size in rows:
        residents.setdefault(unit_id, []).append(
            ResidentOut(
                placement_id=placement_id,
                unit_id=unit_id,
                household_id=household_id,
                notice_number=number or str(household_id),
                bed_count=bed_count,
                moved_in_on=moved_in_on,
                member_count=size[0],
                minor_count=size[1],
            )
        )
    return sites, residents


async def get_unit_places(
    *, session: AsyncSession, unit_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, UnitPlace]:
    """Unit id → its site's and its own name (no personal data)."""
    if not unit_ids:
        return {}
    rows = await session.execute(
        select(Unit.id, Site.name, Unit.name)
        .join(Site, Site.id == Unit.site_id)
        .where(Unit.id.in_(unit_ids))
    )
    return {unit_id: UnitPlace(site=site, unit=unit) for unit_id, site, unit in rows}


async def get_unit_site_id(
    *, session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> uuid.UUID:
    """The site of a unit the caller may see; 404 otherwise."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit")
    return (await SITES.get(session, principal, unit.site_id)).id


async def get_notice_number(*, session: AsyncSession, household_id: uuid.UUID) -> str:
    """The allocation notice number a confirmation names a household by, after a change
    that was audited itself; the id where housing does not know the household."""
    number = await session.scalar(
        select(WaitingHousehold.allocation_notice_number).where(
            WaitingHousehold.household_id == household_id
        )
    )
    return number or str(household_id)


async def get_held_beds(*, session: AsyncSession, household_id: uuid.UUID) -> HeldBeds | None:
    """A household's active reservation with where it is, for the forms about that
    household (read after the household itself, which is audited)."""
    reservation = await get_active_reservation(session=session, household_id=household_id)
    if reservation is None:
        return None
    places = await get_unit_places(session=session, unit_ids=[reservation.unit_id])
    return HeldBeds(
        id=reservation.id,
        unit_id=reservation.unit_id,
        bed_count=reservation.bed_count,
        split_reason=reservation.split_reason,
        place=places.get(reservation.unit_id, UnitPlace(site="", unit="")),
    )


async def get_waiting_queue(
    *, session: AsyncSession, principal: Principal, action: str = "list"
) -> list[WaitingHouseholdOut]:
    """Households awaiting accommodation, most urgent first (`domain.order_queue`), each
    with its position, the reasons for it, and its reservation.

    Audited (as `action`, "export" for a download): the queue shows each household's
    size, its minors and barrier-free need.
    """
    query = (
        select(WaitingHousehold, Reservation)
        .outerjoin(
            Reservation,
            (Reservation.household_id == WaitingHousehold.household_id)
            & Reservation.ended_at.is_(None),
        )
        .where(WaitingHousehold.status == domain.WaitingStatus.AWAITING)
        .where(WAITING_HOUSEHOLDS.where(principal))
        .order_by(WaitingHousehold.queued_at)  # the tie-break: first queued, first
    )
    entries: dict[uuid.UUID, WaitingHouseholdOut] = {}
    for household, reservation in await session.execute(query):
        entry = WaitingHouseholdOut.model_validate(household)
        if reservation is not None:
            entry.reservation = ReservedBeds.model_validate(reservation)
        entries[entry.household_id] = entry
    needs = await protection.needs_of(session, entries)
    order = domain.order_queue(
        [
            domain.QueueCandidate(
                e.household_id,
                e.allocated_on,
                e.expected_arrival_on,
                len(needs.get(e.household_id, [])),
                raised=e.priority_reason is not None,
            )
            for e in entries.values()
        ],
        today=today(),
        arriving_within_days=get_settings().queue_arrival_window_days,
    )
    queue = []
    for placed in order:
        entry = entries[placed.household_id]
        entry.position = placed.position
        entry.reasons = [QueueReasonOut(kind=r.kind, on=r.on, days=r.days) for r in placed.reasons]
        queue.append(entry)
    await audit(session, principal, action, "household", [entry.household_id for entry in queue])
    await session.commit()
    return queue


async def raise_priority(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, reason: str
) -> WaitingHousehold:
    """An officer puts a waiting household ahead in the queue, with a reason (audited)."""
    household = await _locked_household(session, principal, household_id)
    if household is None or household.status is not domain.WaitingStatus.AWAITING:
        raise NotFound("household awaiting accommodation")
    refusal = domain.priority_problem(reason)
    if refusal is not None:
        raise_refusal(refusal)
    household.priority_reason = reason.strip()
    household.priority_raised_by = principal.subject
    household.priority_raised_at = now()
    await audit(session, principal, "raise_priority", "household", [household_id])
    await session.commit()
    return household


async def get_active_reservations(
    *, session: AsyncSession, principal: Principal
) -> list[Reservation]:
    """Active reservations, oldest first; audited (each names its household)."""
    query = (
        select(Reservation).where(Reservation.ended_at.is_(None)).order_by(Reservation.created_at)
    )
    reservations = list(await session.scalars(query))
    await audit(
        session,
        principal,
        "list",
        "household",
        [reservation.household_id for reservation in reservations],
    )
    await session.commit()
    return reservations


async def get_active_reservation(
    *, session: AsyncSession, household_id: uuid.UUID
) -> Reservation | None:
    query = select(Reservation).where(
        Reservation.household_id == household_id, Reservation.ended_at.is_(None)
    )
    return await session.scalar(query)


async def place(
    *, session: AsyncSession, principal: Principal, placement_in: PlacementIn
) -> Placement:
    # Lock order everywhere: household, then placement, then unit. The unit lock
    # serialises placements into one unit, so two officers racing for its last beds
    # cannot both win.
    household = await _locked_household(session, principal, placement_in.household_id)
    if household is None:
        raise InvalidFields({"household_id": "no household with this id awaits accommodation"})
    unit = await _locked_unit(session, placement_in.unit_id)
    placement = await _move_in(
        session,
        principal,
        household,
        unit,
        household.status,
        moved_in_on=placement_in.moved_in_on,
        bed_count=placement_in.bed_count,
        split_reason=placement_in.split_reason,
        override_reason=placement_in.protection_override_reason,
    )
    await audit(session, principal, "place", "household", [placement.household_id])
    await session.commit()
    return placement


async def reserve(
    *, session: AsyncSession, principal: Principal, reservation_in: ReservationIn
) -> Reservation:
    """Hold beds in a unit for a household that has not arrived yet.

    The same rules as placing it there, under the same locks (household, then unit), so
    a reservation and a placement racing for a unit's last beds cannot both win. One
    reservation per household: to change it, an officer cancels it first.
    """
    household = await _locked_household(session, principal, reservation_in.household_id)
    if household is None:
        raise InvalidFields({"household_id": "no household with this id awaits accommodation"})
    unit = await _locked_unit(session, reservation_in.unit_id)
    current = await get_active_reservation(session=session, household_id=household.household_id)
    decision = domain.plan_reservation(
        _waiting(household, household.status),
        await _vacancy(session, unit, household.household_id, on=today()),
        bed_count=reservation_in.bed_count,
        split_reason=reservation_in.split_reason,
        already_reserved=current is not None,
    )
    if isinstance(decision, Refusal):
        raise_refusal(decision)
    overridden = await protection.check_unit_suits(
        session,
        household.household_id,
        unit,
        override_reason=reservation_in.protection_override_reason,
    )
    if overridden:
        await audit(
            session, principal, "override_protection", "household", [household.household_id]
        )
    reservation = Reservation(
        id=uuid.uuid4(),
        household_id=household.household_id,
        site_id=unit.site_id,
        unit_id=unit.id,
        bed_count=decision,
        split_reason=reservation_in.split_reason if decision < household.member_count else None,
        reserved_by=principal.subject,
        protection_override_reason=overridden,
    )
    session.add(reservation)
    try:
        await session.flush()
    except IntegrityError as error:  # the index caught what the household lock should have
        raise Conflict(
            "beds are already reserved for the household", code="already-reserved"
        ) from error
    expires_on = domain.reservation_expires_on(
        today(), household.expected_arrival_on, get_settings().reservation_expiry_days
    )
    await schedule(session, RESERVATION_EXPIRY, str(reservation.id), on_day(expires_on))
    await audit(session, principal, "reserve", "household", [household.household_id])
    await session.commit()
    return reservation


async def expire_reservation(*, session: AsyncSession, reservation_id: uuid.UUID) -> bool:
    """Free the beds of a reservation whose household did not arrive in time; under the
    same locks as cancelling. A reservation ended meanwhile (placed, cancelled) stays as
    it is, so the timer ends it once whatever happens. Runs in the timer's transaction."""
    found = await session.get(Reservation, reservation_id)
    if found is None:
        return False
    await session.get(WaitingHousehold, found.household_id, with_for_update=True)
    reservation = await session.get(
        Reservation, reservation_id, with_for_update=True, populate_existing=True
    )
    if reservation is None or reservation.ended_at is not None:
        return False
    await _locked_unit(session, reservation.unit_id)
    _end(reservation, domain.ReservationEnd.EXPIRED)
    return True


async def cancel_reservation(
    *, session: AsyncSession, principal: Principal, reservation_id: uuid.UUID
) -> Reservation:
    """Give a reservation's beds free again (the household stays on the waiting queue)."""
    found = await RESERVATIONS.get(session, principal, reservation_id)
    household = await session.get(WaitingHousehold, found.household_id, with_for_update=True)
    reservation = await session.get(
        Reservation, reservation_id, with_for_update=True, populate_existing=True
    )
    if household is None or reservation is None:
        raise NotFound("reservation")
    await _locked_unit(session, reservation.unit_id)
    refusal = domain.cancel_problem(ended=reservation.ended_at is not None)
    if refusal is not None:
        raise_refusal(refusal)
    _end(reservation, domain.ReservationEnd.CANCELLED)
    await audit(session, principal, "cancel_reservation", "household", [reservation.household_id])
    await session.commit()
    return reservation


async def move_out(
    *, session: AsyncSession, principal: Principal, placement_id: uuid.UUID, move_out_in: MoveOutIn
) -> Placement:
    household, placement = await _locked_placement(session, principal, placement_id)
    refusal = domain.move_out_problem(
        placement.moved_in_on,
        move_out_in.moved_out_on,
        placement.moved_out_on is not None,
        earliest=today() - timedelta(days=get_settings().move_out_backdating_limit_days),
    )
    if refusal is not None:
        raise_refusal(refusal)
    await _move_out(session, placement, move_out_in.moved_out_on, move_out_in.reason)
    household.status = domain.status_after_move_out(move_out_in.reason)
    await audit(session, principal, "move_out", "household", [placement.household_id])
    await session.commit()
    return placement


async def transfer(
    *, session: AsyncSession, principal: Principal, placement_id: uuid.UUID, transfer_in: TransferIn
) -> Placement:
    """Move a household to another unit: its move-out and move-in in one transaction.

    Either both happen or neither: the household never holds beds in two units, nor
    stands without any while the new unit is being checked.
    """
    household, current = await _locked_placement(session, principal, placement_id)
    unit = await _locked_unit(session, transfer_in.unit_id)
    refusal = domain.transfer_problem(
        current_unit_id=current.unit_id,
        target_unit_id=unit.id,
        moved_in_on=current.moved_in_on,
        moved_on=transfer_in.moved_on,
        already_out=current.moved_out_on is not None,
    )
    if refusal is not None:
        raise_refusal(refusal)
    await _move_out(session, current, transfer_in.moved_on, MoveOutReason.TRANSFER)
    share = domain.share_after_transfer(
        domain.BedShare(current.bed_count, current.split_reason),
        bed_count=transfer_in.bed_count,
        split_reason=transfer_in.split_reason,
    )
    placement = await _move_in(
        session,
        principal,
        household,
        unit,
        domain.WaitingStatus.AWAITING,
        moved_in_on=transfer_in.moved_on,
        bed_count=share.bed_count,
        split_reason=share.split_reason,
        override_reason=transfer_in.protection_override_reason,
    )
    await audit(session, principal, "transfer", "household", [placement.household_id])
    await session.commit()
    return placement


async def _locked_placement(
    session: AsyncSession, principal: Principal, placement_id: uuid.UUID
) -> tuple[WaitingHousehold, Placement]:
    found = await PLACEMENTS.get(session, principal, placement_id)
    household = await session.get(WaitingHousehold, found.household_id, with_for_update=True)
    placement = await session.get(
        Placement, placement_id, with_for_update=True, populate_existing=True
    )
    if household is None or placement is None:
        raise NotFound("placement")
    return household, placement


async def _locked_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> WaitingHousehold | None:
    query = WAITING_HOUSEHOLDS.select(principal).where(
        WaitingHousehold.household_id == household_id
    )
    return await session.scalar(query.with_for_update().execution_options(populate_existing=True))


async def _locked_unit(session: AsyncSession, unit_id: uuid.UUID) -> Unit:
    unit = await session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise InvalidFields({"unit_id": "no unit with this id"})
    return unit


async def _move_in(
    session: AsyncSession,
    principal: Principal,
    household: WaitingHousehold,
    unit: Unit,
    status: domain.WaitingStatus,
    *,
    moved_in_on: date,
    bed_count: int | None,
    split_reason: str | None,
    override_reason: str | None = None,
) -> Placement:
    """Occupy beds of the (locked) unit and stage `household.moved_in`, or refuse.

    Beds reserved for other households are not taken; the household's own reservation,
    wherever it is, ends with the move-in (in another unit its beds are simply free again).
    """
    decision = domain.plan_placement(
        _waiting(household, status),
        await _vacancy(session, unit, household.household_id, on=moved_in_on),
        bed_count=bed_count,
        split_reason=split_reason,
    )
    if isinstance(decision, Refusal):
        raise_refusal(decision)
    overridden = await protection.check_unit_suits(
        session, household.household_id, unit, override_reason=override_reason
    )
    site = await session.get(Site, unit.site_id)
    assert site is not None
    placement = Placement(
        id=uuid.uuid4(),
        household_id=household.household_id,
        site_id=site.id,
        unit_id=unit.id,
        bed_count=len(decision.bed_ids),
        split_reason=split_reason if len(decision.bed_ids) < household.member_count else None,
        moved_in_on=moved_in_on,
        placed_by=principal.subject,
        protection_override_reason=overridden,
        beds=[BedOccupancy(bed_id=bed_id) for bed_id in decision.bed_ids],
    )
    if overridden:
        await audit(
            session, principal, "override_protection", "household", [household.household_id]
        )
    # Beds whose scheduled move-out day has come are still marked held: release them now.
    await session.execute(
        update(BedOccupancy)
        .where(BedOccupancy.bed_id.in_(decision.bed_ids), BedOccupancy.released.is_(False))
        .values(released=True)
    )
    session.add(placement)
    household.status = domain.WaitingStatus.PLACED
    try:
        await session.flush()
    except IntegrityError as error:  # the bed index caught what the unit lock should have
        raise Conflict("a bed was taken meanwhile", code="not-enough-beds") from error
    reservation = await get_active_reservation(session=session, household_id=household.household_id)
    if reservation is not None:
        _end(reservation, domain.ReservationEnd.PLACED)
    await outbox.add(
        session,
        HouseholdMovedIn(
            household_id=placement.household_id,
            placement_id=placement.id,
            site_id=site.id,
            site_kind=site.kind,
            unit_id=unit.id,
            bed_count=placement.bed_count,
            moved_in_on=placement.moved_in_on,
            site_name=site.name,
            unit_name=unit.name,
        ),
    )
    return placement


def _waiting(household: WaitingHousehold, status: domain.WaitingStatus) -> domain.WaitingHousehold:
    return domain.WaitingHousehold(
        household.household_id, household.member_count, household.needs_accessible_housing, status
    )


async def _vacancy(
    session: AsyncSession, unit: Unit, household_id: uuid.UUID, *, on: date
) -> domain.UnitVacancy:
    """The beds of the (locked) unit open to a household on a day: unheld, not closed
    then, not reserved for others."""
    spans = await closure_spans(session, on, [unit.id])
    whole, shut = domain.closed_on(spans.get(unit.id, []), on)
    unheld: list[uuid.UUID] = []
    if not whole:
        unheld = list(
            await session.scalars(
                select(Bed.id).where(
                    Bed.unit_id == unit.id,
                    Bed.id.not_in(held_bed_ids(today())),
                    Bed.id.not_in(list(shut)),
                )
            )
        )
    reserved_for_others = await session.scalar(
        select(func.coalesce(func.sum(Reservation.bed_count), 0)).where(
            Reservation.unit_id == unit.id,
            Reservation.ended_at.is_(None),
            Reservation.household_id != household_id,
        )
    )
    return domain.UnitVacancy(
        unit.id, unit.accessible, domain.beds_open_to(unheld, int(reserved_for_others or 0))
    )


def _end(reservation: Reservation, reason: domain.ReservationEnd) -> None:
    reservation.ended_at = now()
    reservation.end_reason = reason


async def _move_out(
    session: AsyncSession, placement: Placement, moved_out_on: date, reason: MoveOutReason
) -> None:
    """End the placement on its day and stage `household.moved_out`.

    A move-out dated ahead keeps the beds occupied until that day: occupancy is read by
    date (`occupying`), and a bed still marked held past its day is released when taken.
    """
    placement.moved_out_on = moved_out_on
    placement.move_out_reason = reason
    if moved_out_on <= today():
        for occupancy in placement.beds:
            occupancy.released = True
    # Written now: beds freed here may be taken again in the same transaction.
    await session.flush()
    await outbox.add(
        session,
        HouseholdMovedOut(
            household_id=placement.household_id,
            placement_id=placement.id,
            site_id=placement.site_id,
            unit_id=placement.unit_id,
            moved_out_on=moved_out_on,
            reason=reason,
        ),
    )


async def enqueue_households(
    *, session: AsyncSession, events: Sequence[HouseholdReferredToHousing]
) -> list[WaitingHousehold]:
    """Put newly allocated households on the waiting queue (once, whatever the redelivery);
    the households queued now."""
    # executemany form: one cached statement whatever the number of events.
    inserted = await session.scalars(
        insert(WaitingHousehold)
        .on_conflict_do_nothing(index_elements=["household_id"])
        .returning(WaitingHousehold),
        [
            {
                "household_id": event.household_id,
                "allocation_notice_number": event.allocation_notice_number,
                "allocated_on": event.allocated_on,
                "expected_arrival_on": event.expected_arrival_on,
                "member_count": event.member_count,
                "minor_count": event.minor_count,
                "needs_accessible_housing": event.needs_accessible_housing,
                "team": event.team,
                "status": domain.WaitingStatus.AWAITING,
            }
            for event in events
        ],
    )
    return list(inserted)


async def resize_households(
    *, session: AsyncSession, events: Sequence[HouseholdMembersChanged]
) -> list[HouseholdMembersChanged]:
    """A household's members changed in intake: keep its size (how many beds it needs) and
    its minors; a change older than the one applied is ignored, whatever the order. The
    changes applied."""
    changed: list[HouseholdMembersChanged] = []
    for event in events:
        applied = await session.scalar(
            update(WaitingHousehold)
            .where(
                WaitingHousehold.household_id == event.household_id,
                WaitingHousehold.members_revision < event.revision,
            )
            .values(
                member_count=event.member_count,
                minor_count=event.minor_count,
                members_revision=event.revision,
            )
            .returning(WaitingHousehold.household_id)
        )
        if applied is not None:
            changed.append(event)
        elif await session.get(WaitingHousehold, event.household_id) is None:
            # The referral is still on its way (retries may reorder): try again later.
            raise LookupError(f"household {event.household_id} not referred yet")
    return changed


async def _current_occupancy(session: AsyncSession) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Unit id → household ids currently placed there."""
    rows = await session.execute(
        select(Placement.unit_id, Placement.household_id, Placement.bed_count).where(
            occupying(today())
        )
    )
    result: dict[uuid.UUID, list[uuid.UUID]] = {}
    for unit_id, household_id, bed_count in rows:
        result.setdefault(unit_id, []).extend([household_id] * bed_count)
    return result


async def _reserved_beds(
    session: AsyncSession, *, excluding: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """Unit id → beds held by active reservations (but those of household `excluding`)."""
    query = (
        select(Reservation.unit_id, func.sum(Reservation.bed_count))
        .where(Reservation.ended_at.is_(None))
        .group_by(Reservation.unit_id)
    )
    if excluding is not None:
        query = query.where(Reservation.household_id != excluding)
    return {unit_id: int(count) for unit_id, count in await session.execute(query)}


def _site_out(
    site: Site,
    occupancy: dict[uuid.UUID, list[uuid.UUID]],
    reserved: dict[uuid.UUID, int],
    closed: dict[uuid.UUID, ClosedToday],
) -> SiteOut:
    units = []
    for unit in site.units:
        held = occupancy.get(unit.id, [])
        reserved_here = reserved.get(unit.id, 0)
        shut = closed.get(unit.id)
        units.append(
            UnitOccupancy(
                id=unit.id,
                name=unit.name,
                accessible=unit.accessible,
                beds=len(unit.beds),
                occupied=len(held),
                reserved=reserved_here,
                free=domain.free_bed_count(
                    len(unit.beds), len(held), reserved_here, shut.unheld if shut else 0
                ),
                protections=list(unit.protections),
                closed=shut.beds if shut else 0,
                closed_until=shut.until if shut else None,
                households=list(dict.fromkeys(held)),
            )
        )
    return SiteOut(
        id=site.id,
        name=site.name,
        kind=site.kind,
        address=site.address,
        beds=sum(u.beds for u in units),
        occupied=sum(u.occupied for u in units),
        reserved=sum(u.reserved for u in units),
        free=sum(u.free for u in units),
        units=units,
    )
