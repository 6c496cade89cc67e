"""Events about courses and other offers (published by courses)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference


class OfferKind(StrEnum):
    INTEGRATION_COURSE = "integration_course"
    LITERACY_COURSE = "literacy_course"
    LANGUAGE_CAFE = "language_cafe"
    SCHOOL_PLACE = "school_place"
    KITA_PLACE = "kita_place"
    JOB_READINESS = "job_readiness"
    LEISURE = "leisure"
    # Meeting locals: a Begegnungscafé, a neighbourhood festival, a sports club trial.
    COMMUNITY = "community"


class CourseEnrolled(EventPayload):
    """A person got a seat in a course or offer."""

    event_type: ClassVar[str] = "course.enrolled"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: Reference
    course_id: Reference
    course_title: str = Field(description="Title as staff and the household know it.")
    course_kind: OfferKind
    starts_on: date | None = None
    household_id: Reference
    member_id: Reference


class CourseWaitlisted(EventPayload):
    """A person was put on a course's waitlist because every seat is taken."""

    event_type: ClassVar[str] = "course.waitlisted"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: Reference
    course_id: Reference
    course_title: str
    course_kind: OfferKind
    household_id: Reference
    member_id: Reference
    waitlist_position: int = Field(ge=1)


class Attendance(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"


class CourseAttendanceRecorded(EventPayload):
    """A participant's attendance at one session of an offer was recorded or corrected."""

    event_type: ClassVar[str] = "course.attendance_recorded"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: Reference
    course_id: Reference
    course_title: str = Field(description="Title as staff and the household know it.")
    session_id: Reference
    held_on: date = Field(description="The day of the session.")
    household_id: Reference
    member_id: Reference
    attendance: Attendance


class CourseCompleted(EventPayload):
    """A participant completed an offer, with its result where it has one."""

    event_type: ClassVar[str] = "course.completed"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: Reference
    course_id: Reference
    course_title: str = Field(description="Title as staff and the household know it.")
    course_kind: OfferKind
    household_id: Reference
    member_id: Reference
    completed_on: date
    result: str | None = Field(
        default=None,
        description="The offer's result, e.g. the integration course's DTZ level (A2, B1).",
    )


class CourseWithdrawn(EventPayload):
    """A participant gave up a seat, or a waiting person their waitlist place."""

    event_type: ClassVar[str] = "course.withdrawn"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: Reference
    course_id: Reference
    course_title: str = Field(description="Title as staff and the household know it.")
    course_kind: OfferKind
    household_id: Reference
    member_id: Reference
    withdrawn_on: date
    was_waitlisted: bool = Field(description="True: a waitlist place was given up, no seat.")


class SeatOffered(EventPayload):
    """A freed seat is offered to the first on the waitlist, to accept until a deadline.

    Unanswered by then, or declined, the offer passes to the next in line.
    """

    event_type: ClassVar[str] = "course.seat_offered"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    offer_id: Reference
    enrollment_id: Reference
    course_id: Reference
    course_title: str = Field(description="Title as staff and the household know it.")
    course_kind: OfferKind
    household_id: Reference
    member_id: Reference
    expires_at: datetime = Field(description="Until when the seat may be accepted.")


class SeatOfferAccepted(EventPayload):
    """A seat offer was accepted: the person holds the seat (course.enrolled follows)."""

    event_type: ClassVar[str] = "course.seat_offer_accepted"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    offer_id: Reference
    enrollment_id: Reference
    course_id: Reference
    household_id: Reference
    member_id: Reference


class SeatOfferDeclined(EventPayload):
    """A seat offer was declined: the waitlist place ends, the seat goes to the next."""

    event_type: ClassVar[str] = "course.seat_offer_declined"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    offer_id: Reference
    enrollment_id: Reference
    course_id: Reference
    household_id: Reference
    member_id: Reference


class SeatOfferExpired(EventPayload):
    """A seat offer's deadline passed unanswered: the waitlist place ends, the seat goes
    to the next."""

    event_type: ClassVar[str] = "course.seat_offer_expired"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    offer_id: Reference
    enrollment_id: Reference
    course_id: Reference
    course_title: str = Field(description="Title as staff and the household know it.")
    household_id: Reference
    member_id: Reference
    expired_at: datetime


class Institution(StrEnum):
    """Where a child in school duty (or of Kita age) takes up a place."""

    SCHOOL = "school"
    KITA = "kita"


class SchoolPlaceCloseReason(StrEnum):
    """Why a school-place request ended without a place found by the city."""

    PLACED_OTHERWISE = "placed_otherwise"  # the family or the school found one directly
    MOVED_AWAY = "moved_away"
    NOT_NEEDED = "not_needed"  # e.g. no longer of school age, or a mistaken request
    OTHER = "other"


class SchoolPlaceAssigned(EventPayload):
    """A child's school-place request (school_place.requested) is met: a place at a school
    or Kita, from `assigned_on`; so intake can close the child's school-duty follow-up.
    Which school it is stays in courses, where the child's caseworker reads it."""

    event_type: ClassVar[str] = "school_place.assigned"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference
    assigned_on: date


class SchoolPlaceWaiting(EventPayload):
    """A child's school-place request is on a waiting list: asked for, no place yet (the
    envelope's time says since when)."""

    event_type: ClassVar[str] = "school_place.waiting"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference


class SchoolPlaceClosed(EventPayload):
    """A child's school-place request ended without a place the city found; the reason
    stays in courses."""

    event_type: ClassVar[str] = "school_place.closed"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference
