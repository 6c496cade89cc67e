"""HTTP API of housing: thin, every rule lives in domain.py and service.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from teilhabe.api.dependencies import DbSession
from teilhabe.scope import applies_scope

from housing import arrivals, closures, persons, protection, service
from housing.dependencies import (
    PLACEMENTS,
    PROTECTION_NEEDS,
    RESERVATIONS,
    SITES,
    WAITING_HOUSEHOLDS,
    HousingStaff,
    NeedsReader,
    NeedsRecorder,
)
from housing.schemas import (
    ArrivalIn,
    ArrivalOut,
    BedsIn,
    ClosureIn,
    ClosureOut,
    MoveOutIn,
    PersonOut,
    PlacementIn,
    PlacementOut,
    PriorityIn,
    ProtectionListsOut,
    ProtectionNeedsIn,
    ProtectionNeedsOut,
    ReservationIn,
    ReservationOut,
    SiteIn,
    SiteNameIn,
    SiteOut,
    TransferIn,
    UnitClosures,
    UnitIn,
    UnitNameIn,
    UnitProtectionsIn,
    UnitResidents,
    WaitingHouseholdOut,
)

router = APIRouter(tags=["housing"])


@router.post(
    "/sites", status_code=status.HTTP_201_CREATED, summary="Add a site with its units and beds"
)
async def create_site(site_in: SiteIn, session: DbSession, principal: HousingStaff) -> SiteOut:
    site = await service.create_site(session=session, site_in=site_in)
    return await service.get_site(session=session, principal=principal, site_id=site.id)


@router.patch("/sites/{site_id}", summary="Rename a site", dependencies=[applies_scope(SITES)])
async def rename_site(
    site_id: uuid.UUID, body: SiteNameIn, session: DbSession, principal: HousingStaff
) -> SiteOut:
    await service.rename_site(session=session, principal=principal, site_id=site_id, name=body.name)
    return await service.get_site(session=session, principal=principal, site_id=site_id)


@router.post(
    "/sites/{site_id}/units",
    status_code=status.HTTP_201_CREATED,
    summary="Add a unit with its beds to a site",
    dependencies=[applies_scope(SITES)],
)
async def add_unit(
    site_id: uuid.UUID, unit_in: UnitIn, session: DbSession, principal: HousingStaff
) -> SiteOut:
    await service.add_unit(session=session, principal=principal, site_id=site_id, unit_in=unit_in)
    return await service.get_site(session=session, principal=principal, site_id=site_id)


@router.patch("/units/{unit_id}", summary="Rename a unit", dependencies=[applies_scope(SITES)])
async def rename_unit(
    unit_id: uuid.UUID, body: UnitNameIn, session: DbSession, principal: HousingStaff
) -> SiteOut:
    unit = await service.rename_unit(
        session=session, principal=principal, unit_id=unit_id, name=body.name
    )
    return await service.get_site(session=session, principal=principal, site_id=unit.site_id)


@router.post(
    "/units/{unit_id}/beds", summary="Add beds to a unit", dependencies=[applies_scope(SITES)]
)
async def add_beds(
    unit_id: uuid.UUID, body: BedsIn, session: DbSession, principal: HousingStaff
) -> SiteOut:
    unit = await service.add_beds(
        session=session, principal=principal, unit_id=unit_id, count=body.count
    )
    return await service.get_site(session=session, principal=principal, site_id=unit.site_id)


@router.post(
    "/units/{unit_id}/closures",
    status_code=status.HTTP_201_CREATED,
    summary="Close a unit or one of its beds for a time (repair, quarantine)",
    dependencies=[applies_scope(SITES)],
)
async def close(
    unit_id: uuid.UUID, body: ClosureIn, session: DbSession, principal: HousingStaff
) -> ClosureOut:
    closure = await closures.close(
        session=session, principal=principal, unit_id=unit_id, closure_in=body
    )
    return ClosureOut.model_validate(closure, from_attributes=True)


@router.get(
    "/units/{unit_id}/closures",
    summary="A unit's current and coming closures, with the households to be transferred",
    dependencies=[applies_scope(SITES)],
)
async def unit_closures(
    unit_id: uuid.UUID, session: DbSession, principal: HousingStaff
) -> UnitClosures:
    return await closures.get_unit_closures(session=session, principal=principal, unit_id=unit_id)


@router.get("/sites", summary="Sites with their occupancy")
async def list_sites(session: DbSession, principal: HousingStaff) -> list[SiteOut]:
    return await service.get_all_sites(session=session, principal=principal)


@router.get(
    "/sites/{site_id}",
    summary="One site with the occupancy of each unit",
    dependencies=[applies_scope(SITES)],
)
async def read_site(site_id: uuid.UUID, session: DbSession, principal: HousingStaff) -> SiteOut:
    return await service.get_site(session=session, principal=principal, site_id=site_id)


@router.get(
    "/waiting-queue",
    summary="Households awaiting accommodation, most urgent first, each with the reasons",
    description="Raised by an officer first, then protection needs, then arriving within "
    "QUEUE_ARRIVAL_WINDOW_DAYS (or overdue; earliest arrival first), then the oldest "
    "allocation first.",
)
async def waiting_queue(session: DbSession, principal: HousingStaff) -> list[WaitingHouseholdOut]:
    return await service.get_waiting_queue(session=session, principal=principal)


@router.post(
    "/placements", status_code=status.HTTP_201_CREATED, summary="Place a household into a unit"
)
async def place_household(
    placement_in: PlacementIn, session: DbSession, principal: HousingStaff
) -> PlacementOut:
    placement = await service.place(session=session, principal=principal, placement_in=placement_in)
    return PlacementOut.model_validate(placement)


@router.post(
    "/placements/{placement_id}/move-out",
    summary="Move a household out; frees its beds",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def move_out(
    placement_id: uuid.UUID, move_out_in: MoveOutIn, session: DbSession, principal: HousingStaff
) -> PlacementOut:
    placement = await service.move_out(
        session=session, principal=principal, placement_id=placement_id, move_out_in=move_out_in
    )
    return PlacementOut.model_validate(placement)


@router.post(
    "/placements/{placement_id}/transfer",
    dependencies=[applies_scope(PLACEMENTS)],
    status_code=status.HTTP_201_CREATED,
    summary="Move a household to another unit: move-out and move-in in one step",
)
async def transfer(
    placement_id: uuid.UUID, transfer_in: TransferIn, session: DbSession, principal: HousingStaff
) -> PlacementOut:
    placement = await service.transfer(
        session=session, principal=principal, placement_id=placement_id, transfer_in=transfer_in
    )
    return PlacementOut.model_validate(placement)


@router.post(
    "/reservations",
    status_code=status.HTTP_201_CREATED,
    summary="Reserve beds in a unit for a household that has not arrived yet",
    description="The same rules as placing the household there. A household has at most one "
    "active reservation: to change it, cancel it first. Placing the household ends it.",
)
async def reserve(
    reservation_in: ReservationIn, session: DbSession, principal: HousingStaff
) -> ReservationOut:
    reservation = await service.reserve(
        session=session, principal=principal, reservation_in=reservation_in
    )
    return ReservationOut.model_validate(reservation)


@router.post(
    "/reservations/{reservation_id}/cancel",
    summary="Cancel a reservation; frees its beds",
    dependencies=[applies_scope(RESERVATIONS)],
)
async def cancel_reservation(
    reservation_id: uuid.UUID, session: DbSession, principal: HousingStaff
) -> ReservationOut:
    reservation = await service.cancel_reservation(
        session=session, principal=principal, reservation_id=reservation_id
    )
    return ReservationOut.model_validate(reservation)


@router.get("/reservations", summary="Active reservations, oldest first")
async def list_reservations(session: DbSession, principal: HousingStaff) -> list[ReservationOut]:
    reservations = await service.get_active_reservations(session=session, principal=principal)
    return [ReservationOut.model_validate(r) for r in reservations]


@router.get(
    "/protection-needs",
    summary="The lists kept as data: protection needs and the protections units offer",
)
async def protection_lists(session: DbSession, principal: NeedsReader) -> ProtectionListsOut:
    return await protection.get_lists(session=session)


@router.get(
    "/households/{household_id}/protection-needs",
    summary="A household's protection needs (its caseworker's team, and housing officers)",
    dependencies=[applies_scope(PROTECTION_NEEDS)],
)
async def household_protection_needs(
    household_id: uuid.UUID, session: DbSession, principal: NeedsReader
) -> ProtectionNeedsOut:
    return await protection.get_household_needs(
        session=session, principal=principal, household_id=household_id
    )


@router.put(
    "/households/{household_id}/protection-needs",
    summary="Record a household's protection needs (its caseworker): flags from the list",
    dependencies=[applies_scope(PROTECTION_NEEDS)],
)
async def record_protection_needs(
    household_id: uuid.UUID, body: ProtectionNeedsIn, session: DbSession, principal: NeedsRecorder
) -> ProtectionNeedsOut:
    return await protection.record_household_needs(
        session=session, principal=principal, household_id=household_id, codes=body.needs
    )


@router.put(
    "/units/{unit_id}/protections",
    summary="What protection a unit offers (women only, lockable, ...): codes from the list",
    dependencies=[applies_scope(SITES)],
)
async def unit_protections(
    unit_id: uuid.UUID, body: UnitProtectionsIn, session: DbSession, principal: HousingStaff
) -> SiteOut:
    unit = await protection.set_unit_protections(
        session=session, principal=principal, unit_id=unit_id, codes=body.protections
    )
    return await service.get_site(session=session, principal=principal, site_id=unit.site_id)


@router.post(
    "/households/{household_id}/priority",
    summary="Raise a waiting household's priority in the queue, with a reason (audited)",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def raise_priority(
    household_id: uuid.UUID, body: PriorityIn, session: DbSession, principal: HousingStaff
) -> WaitingHouseholdOut:
    household = await service.raise_priority(
        session=session, principal=principal, household_id=household_id, reason=body.reason
    )
    return WaitingHouseholdOut.model_validate(household)


@router.post(
    "/households/{household_id}/arrival",
    status_code=status.HTTP_201_CREATED,
    summary="Record that a household arrived, with the persons who really came",
    description="Once per household. `member_ids` names the members who came (they may "
    "differ from the allocation notice); where housing knows no members of the household "
    "yet, `person_count` says how many came. Publishes household.arrived.",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def record_arrival(
    household_id: uuid.UUID, body: ArrivalIn, session: DbSession, principal: HousingStaff
) -> ArrivalOut:
    return await arrivals.record_arrival(
        session=session, principal=principal, household_id=household_id, arrival_in=body
    )


@router.get(
    "/households/{household_id}/arrival",
    summary="A household's recorded arrival, with which of its members came",
    dependencies=[applies_scope(WAITING_HOUSEHOLDS)],
)
async def read_arrival(
    household_id: uuid.UUID, session: DbSession, principal: HousingStaff
) -> ArrivalOut:
    return await arrivals.get_arrival(
        session=session, principal=principal, household_id=household_id
    )


@router.get(
    "/persons",
    summary="Where does this person live: by intake's reference or the allocation notice",
    description="Across every site; each person with the site and unit living there today "
    "(none: not accommodated now). Names stay in intake.",
)
async def find_persons(
    session: DbSession,
    principal: HousingStaff,
    member_id: Annotated[uuid.UUID | None, Query(description="intake's reference")] = None,
    notice_number: Annotated[
        str | None, Query(max_length=100, description="the allocation notice number")
    ] = None,
) -> list[PersonOut]:
    return await persons.find_persons(
        session=session, principal=principal, member_id=member_id, notice_number=notice_number
    )


@router.get(
    "/units/{unit_id}/residents",
    summary="The persons living in a unit today (reference, age group, household)",
    dependencies=[applies_scope(SITES)],
)
async def unit_residents(
    unit_id: uuid.UUID, session: DbSession, principal: HousingStaff
) -> UnitResidents:
    return await persons.get_unit_residents(session=session, principal=principal, unit_id=unit_id)
