"""Tables of the volunteers service."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from teilhabe.calendar import define_calendar_feed_table
from teilhabe.db import new_metadata
from teilhabe.sealing import define_subject_key_table
from teilhabe.service_tables import define_service_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging, audit_log, staff_session = define_service_tables(Base.metadata)
# Volunteers' calendar feed addresses, kept hashed (teilhabe.calendar).
calendar_feed = define_calendar_feed_table(Base.metadata)


class Volunteer(Base):
    __tablename__ = "volunteer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    available_weekdays: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    availability_note: Mapped[str | None] = mapped_column(Text)
    # Where the volunteer lives, as far as ranking mentors by distance needs it.
    postcode: Mapped[str | None] = mapped_column(String(5))
    # The volunteer's own account at the identity provider, if they have one.
    subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    registered_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_volunteer_languages", "languages", postgresql_using="gin"),)


# One registration per e-mail address, however it is capitalised.
Index("uq_volunteer_email", func.lower(Volunteer.email), unique=True)


class PoliceClearance(Base):
    """The three facts §72a para. 5 SGB VIII allows of an inspected extended clearance.

    A table of its own, so no query for a volunteer loads it by accident and the purge
    deletes whole rows.
    """

    __tablename__ = "police_clearance"

    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), primary_key=True
    )
    inspected_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    relevant_conviction: Mapped[bool]
    # None while a mentorship runs; from this day on the record must be gone.
    delete_after: Mapped[date | None] = mapped_column(Date, index=True)


class Household(Base):
    """What matching needs of a household, from `household.assigned`; no names, no members."""

    __tablename__ = "household"

    household_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # How staff name the household (the state's allocation notice); None for rows kept
    # before volunteers stored it.
    allocation_notice_number: Mapped[str | None] = mapped_column(String(100), index=True)
    has_minors: Mapped[bool]
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    # The intake member revision applied last (household.members_changed).
    members_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Match(Base):
    """A mentorship (Patenschaft): a volunteer accompanies a household."""

    __tablename__ = "match"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.household_id"), index=True
    )
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    matched_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # The database's own guarantee behind the volunteer lock: one running match per pair.
    __table_args__ = (
        Index(
            "uq_match_running_pair",
            "volunteer_id",
            "household_id",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
    )


class Facility(Base):
    """A place volunteers work shifts at: a shelter, the Begegnungscafé. No personal data."""

    __tablename__ = "facility"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ShiftTemplate(Base):
    """A recurring shift of a facility (e.g. breakfast, Tuesdays 8-11), to plan shifts from."""

    __tablename__ = "shift_template"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    facility_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("facility.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    slots: Mapped[int] = mapped_column(SmallInteger)
    needs_clearance: Mapped[bool]

    __table_args__ = (CheckConstraint("slots > 0", name="slots_positive"),)


class Shift(Base):
    """One shift on one day, with `slots` places volunteers sign up for."""

    __tablename__ = "shift"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    facility_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("facility.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shift_template.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    slots: Mapped[int] = mapped_column(SmallInteger)
    # Work with children: only volunteers with a valid clearance (§72a SGB VIII).
    needs_clearance: Mapped[bool]
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("slots > 0", name="slots_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )


class ShiftSignup(Base):
    """A volunteer holds a slot of a shift. Slots are counted under the shift's row lock."""

    __tablename__ = "shift_signup"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("shift_id", "volunteer_id"),)


class HelpRequest(Base):
    """Staff ask the volunteer pool for help, e.g. interpreting Arabic at the Jobcenter."""

    __tablename__ = "help_request"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # What and where, as the volunteers it goes to read it; never about a person.
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    skill: Mapped[str | None] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(200), index=True)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("volunteer.id", ondelete="SET NULL"), index=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)


class HelpRequestOffer(Base):
    """The request reached this volunteer (they matched it): only they may accept it."""

    __tablename__ = "help_request_offer"

    help_request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), primary_key=True
    )
    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# Each volunteer's key: their name and e-mail address travel sealed with it
# (teilhabe.sealing); it goes with the volunteer, and an erasure shreds it.
subject_key = define_subject_key_table(Base.metadata, owner="volunteer.id")
