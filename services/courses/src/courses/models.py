"""Tables of the courses service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from teilhabe.calendar import define_calendar_feed_table
from teilhabe.db import new_metadata
from teilhabe.events.courses import Attendance, Institution, OfferKind, SchoolPlaceCloseReason
from teilhabe.events.households import AgeGroup
from teilhabe.messaging.tables import define_inbox_table
from teilhabe.queries import sql_enum
from teilhabe.service_tables import define_service_tables

from courses.domain import EnrollmentStatus, SchoolPlaceStatus, SeatOfferStatus


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging, audit_log, staff_session = define_service_tables(Base.metadata)
# The inbound consumer's own inbox (reports course providers send in; courses.inbound).
inbound_inbox = define_inbox_table(Base.metadata, "inbound_inbox")
# Offers' and participants' calendar feed addresses, kept hashed (courses.calendar_feeds).
calendar_feed = define_calendar_feed_table(Base.metadata)


class Course(Base):
    """A course or other offer: integration course, school or Kita place, sports club, ..."""

    __tablename__ = "course"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[OfferKind] = mapped_column(sql_enum(OfferKind, "offer_kind"), index=True)
    provider: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(50))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    weekly_times: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300))
    seats: Mapped[int]
    # Languages the offer is held in or supported in (ISO 639-1), and whether children
    # are looked after meanwhile: what decides, for many, whether they can take part.
    languages: Mapped[list[str]] = mapped_column(
        ARRAY(String(16)), default=list, server_default="{}"
    )
    childcare: Mapped[bool] = mapped_column(default=False, server_default="false")
    created_by: Mapped[str] = mapped_column(String(200))
    # The coordinators' team that runs the course; with its creator, who sees participants.
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )


class Person(Base):
    """Courses' own read model of the people who may enrol, from `household.assigned`."""

    __tablename__ = "person"

    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    age_group: Mapped[AgeGroup] = mapped_column(sql_enum(AgeGroup, "age_group"))
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    # How coordinators find the household (the allocation notice number) and the member's
    # place in the household's own order (1 = first), so that a page can say "Person 2"
    # without a name. None for people recorded before courses kept them.
    allocation_notice_number: Mapped[str | None] = mapped_column(String(100), index=True)
    position: Mapped[int | None]
    # The household's team in intake: which caseworkers may enrol the person.
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    # The intake member revision of the household applied last (household.members_changed).
    members_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Enrollment(Base):
    """One person's seat or waitlist place in one course, and what became of it."""

    __tablename__ = "enrollment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Assigned at insert, which happens under the course lock: the order of requests.
    sequence: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.member_id"), index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(
        sql_enum(EnrollmentStatus, "enrollment_status")
    )
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(200))
    # The offer's result where it has one, e.g. the integration course's DTZ level.
    result: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        # The database's own guarantee behind the course lock: one active entry per person.
        Index(
            "uq_enrollment_active_member",
            "course_id",
            "member_id",
            unique=True,
            postgresql_where=text("status IN ('enrolled', 'waitlisted')"),
        ),
        Index("ix_enrollment_course_status_sequence", "course_id", "status", "sequence"),
    )


class CourseSession(Base):
    """One dated session of an offer: a lesson, a café afternoon, a training day."""

    __tablename__ = "course_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    topic: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="session_ends_after_start"),)


class SessionAttendance(Base):
    """Whether one participant was at one session: present, excused or absent."""

    __tablename__ = "session_attendance"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course_session.id", ondelete="CASCADE"), primary_key=True
    )
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    attendance: Mapped[Attendance] = mapped_column(sql_enum(Attendance, "attendance"))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Guest(Base):
    """A local or a volunteer taking a seat in an offer open to guests (domain.OPEN_TO_GUESTS).

    The minimum to run the offer and reach them if it changes: a name and one contact.
    Deleted after the offer ends (courses.retention) or when they leave it.
    """

    __tablename__ = "guest"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(200))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SeatOffer(Base):
    """A freed seat offered to one waiting person, with a deadline (courses.seat_offers).

    One offer per waitlist place, ever (the unique index): a declined or expired offer
    ends the place, so nobody is offered the same seat twice.
    """

    __tablename__ = "seat_offer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[SeatOfferStatus] = mapped_column(sql_enum(SeatOfferStatus, "seat_offer_status"))
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index(
            "ix_seat_offer_open_course",
            "course_id",
            postgresql_where=text("status = 'open'"),
        ),
    )


class SchoolPlaceRequest(Base):
    """A school place needed for a child in school duty (school_place.requested from
    intake): age and languages only, for the coordinators who find the place."""

    __tablename__ = "school_place_request"

    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    age: Mapped[int]
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    requested_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # What a coordinator recorded of it (courses.school_places): open until then.
    status: Mapped[SchoolPlaceStatus] = mapped_column(
        sql_enum(SchoolPlaceStatus, "school_place_status"),
        default=SchoolPlaceStatus.OPEN,
        server_default=SchoolPlaceStatus.OPEN.value,
    )
    # Placed: the school or Kita (a public institution, not personal data).
    institution: Mapped[Institution | None] = mapped_column(sql_enum(Institution, "institution"))
    institution_name: Mapped[str | None] = mapped_column(String(200))
    close_reason: Mapped[SchoolPlaceCloseReason | None] = mapped_column(
        sql_enum(SchoolPlaceCloseReason, "school_place_close_reason")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index(
            "ix_school_place_request_pending",
            "requested_on",
            postgresql_where=text("status IN ('open', 'waiting')"),
        ),
    )


# Work (permits, employments) shares this metadata: imported so that it is complete.
from courses import work_models  # noqa: E402, F401
