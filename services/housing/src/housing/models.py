"""Tables of the housing service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from teilhabe.db import new_metadata
from teilhabe.events.households import AgeGroup
from teilhabe.events.housing import ClosureReason, MoveOutReason, SiteKind
from teilhabe.queries import sql_enum
from teilhabe.service_tables import define_service_tables

from housing.domain import ReservationEnd, WaitingStatus


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging, audit_log, staff_session = define_service_tables(Base.metadata)


class Site(Base):
    __tablename__ = "site"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[SiteKind] = mapped_column(sql_enum(SiteKind, "site_kind"))
    address: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    units: Mapped[list[Unit]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="Unit.name", lazy="selectin"
    )


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    accessible: Mapped[bool] = mapped_column(default=False)
    # Codes of unit_protection_kind: what protection the unit offers (women only, lockable).
    protections: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), default=list, server_default="{}"
    )

    site: Mapped[Site] = relationship(back_populates="units")
    beds: Mapped[list[Bed]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="Bed.label", lazy="selectin"
    )


class Bed(Base):
    __tablename__ = "bed"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(50))

    unit: Mapped[Unit] = relationship(back_populates="beds")


class WaitingHousehold(Base):
    """Housing's own read model of allocated households, from `household.assigned`."""

    __tablename__ = "waiting_household"

    household_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    allocation_notice_number: Mapped[str] = mapped_column(String(100))
    allocated_on: Mapped[date] = mapped_column(Date)
    expected_arrival_on: Mapped[date | None] = mapped_column(Date)
    member_count: Mapped[int]
    minor_count: Mapped[int]
    needs_accessible_housing: Mapped[bool]
    # The caseworkers' team (from intake): who may record its protection needs.
    team: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[WaitingStatus] = mapped_column(sql_enum(WaitingStatus, "waiting_status"))
    # An officer raised the household's priority in the queue, and why (audited).
    priority_reason: Mapped[str | None] = mapped_column(Text)
    priority_raised_by: Mapped[str | None] = mapped_column(String(200))
    priority_raised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The intake member revision the counts are from (household.members_changed): an
    # older change arriving later does not undo a newer one.
    members_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The household's arrival in the city as an officer recorded it: the day and how many
    # persons really came (its members who came are marked in household_member).
    arrived_on: Mapped[date | None] = mapped_column(Date)
    arrived_person_count: Mapped[int | None]
    arrival_recorded_by: Mapped[str | None] = mapped_column(String(200))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "ix_waiting_household_awaiting",
            "allocated_on",
            postgresql_where=text("status = 'awaiting'"),
        ),
    )


class HouseholdMember(Base):
    """A person of a household, as housing needs to know them: intake's reference and the
    age group, no name (`household.assigned`, `household.members_changed`)."""

    __tablename__ = "household_member"

    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("waiting_household.household_id", ondelete="CASCADE"), index=True
    )
    age_group: Mapped[AgeGroup] = mapped_column(sql_enum(AgeGroup, "age_group"))
    # Whether the person came when the household arrived; None: no arrival recorded yet.
    arrived: Mapped[bool | None]


class Closure(Base):
    """A unit (no bed given) or one of its beds closed from a day to a day, both included:
    nobody is placed there nor are beds reserved there in that time."""

    __tablename__ = "closure"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    bed_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bed.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[ClosureReason] = mapped_column(sql_enum(ClosureReason, "closure_reason"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Placement(Base):
    __tablename__ = "placement"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    bed_count: Mapped[int]
    split_reason: Mapped[str | None] = mapped_column(Text)
    moved_in_on: Mapped[date] = mapped_column(Date)
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    move_out_reason: Mapped[MoveOutReason | None] = mapped_column(
        sql_enum(MoveOutReason, "move_out_reason")
    )
    placed_by: Mapped[str] = mapped_column(String(200))
    # Why an officer placed the household into a unit that lacks a protection it needs.
    protection_override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    beds: Mapped[list[BedOccupancy]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class BedOccupancy(Base):
    """Which bed a placement holds; a bed has at most one current occupancy."""

    __tablename__ = "bed_occupancy"

    placement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), primary_key=True
    )
    bed_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bed.id"), primary_key=True)
    released: Mapped[bool] = mapped_column(default=False)

    # The database's own guarantee behind the unit lock: no bed is held twice.
    __table_args__ = (
        Index(
            "uq_bed_occupancy_current_bed",
            "bed_id",
            unique=True,
            postgresql_where=text("NOT released"),
        ),
    )


class Reservation(Base):
    """Beds held for an allocated household until it arrives: a number of beds in a unit.

    Not particular beds: the household gets whichever are free when it moves in. Changed
    only under the household's row lock, and taken only under the unit's row lock.
    """

    __tablename__ = "reservation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID]
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    bed_count: Mapped[int]
    split_reason: Mapped[str | None] = mapped_column(Text)
    reserved_by: Mapped[str] = mapped_column(String(200))
    protection_override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[ReservationEnd | None] = mapped_column(
        sql_enum(ReservationEnd, "reservation_end_reason")
    )

    __table_args__ = (
        # At most one active reservation per household; it also backs the household lock.
        Index(
            "uq_reservation_active_household",
            "household_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        CheckConstraint("bed_count >= 1", name="bed_count_positive"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
    )


class UnitProtectionKind(Base):
    """A protection a unit may offer (the list is data: a city adds its own)."""

    __tablename__ = "unit_protection_kind"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    label_de: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]


class ProtectionNeedKind(Base):
    """A protection need a household may have, and the unit protections it requires
    (the list is data; NRW's violence-protection concept names the groups)."""

    __tablename__ = "protection_need_kind"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    label_de: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    requires: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default="{}")
    position: Mapped[int]


class HouseholdProtectionNeed(Base):
    """A household's protection need, as its caseworker recorded it (a flag, no text)."""

    __tablename__ = "household_protection_need"

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("waiting_household.household_id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(ForeignKey("protection_need_kind.code"), primary_key=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
