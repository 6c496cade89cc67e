"""Events partner agencies send in, on the inbound exchange (never the events exchange).

Their `source` is `/agencies/<agency>`, the agency's broker user, which the broker
vouches for in the message's `user_id`. The receiving service validates them against
this catalogue and, as the broker's topic permission already did, the sender's right.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference
from teilhabe.events.courses import Attendance
from teilhabe.events.work import EmployerCategory, HoursPerWeek

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class NotifiedMember(BaseModel):
    """A person of the allocated household, as the allocation notice names them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    given_name: Text
    family_name: Text
    date_of_birth: date
    sex: str = Field(description="female, male, diverse or unspecified")
    nationality: str = Field(description="ISO 3166-1 alpha-3 code, XXX if stateless")
    languages: tuple[str, ...] = Field(default=(), description="ISO 639 codes.")
    residence_status: str = Field(description="As intake's residence statuses.")
    residence_status_expires_on: date | None = None


class AllocationNotified(EventPayload):
    """The allocating authority allocated a household to the city (a Zuweisungsbescheid).

    Intake registers it as a caseworker would; idempotent by event id and by the
    allocation notice number (normalised).
    """

    event_type: ClassVar[str] = "allocation.notified"
    # Its owner, which receives it; agencies send it (teilhabe.messaging.agencies).
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    inbound: ClassVar[bool] = True
    subject_field: ClassVar[str | None] = "allocation_notice_number"

    allocation_notice_number: Text
    allocated_on: date
    allocating_authority: Text
    expected_arrival_on: date | None = None
    needs_accessible_housing: bool = False
    members: tuple[NotifiedMember, ...] = Field(min_length=1, max_length=30)


class ReportedAttendance(BaseModel):
    """One participant's attendance at the reported session."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    enrollment_id: Reference
    attendance: Attendance


class CourseAttendanceReported(EventPayload):
    """A course provider reports who was at one session of its course.

    Courses records it as the course's coordinator would, under the same rules (each
    entry an enrolled participant of the session's course), and publishes
    `course.attendance_recorded` for each entry that changed; idempotent by event id, and
    a report repeating what is recorded changes nothing.
    """

    event_type: ClassVar[str] = "course.attendance_reported"
    # Its owner, which receives it; agencies send it (teilhabe.messaging.agencies).
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    inbound: ClassVar[bool] = True
    subject_field: ClassVar[str | None] = "session_id"

    session_id: Reference
    entries: tuple[ReportedAttendance, ...] = Field(min_length=1, max_length=1000)


class CourseCompletionReported(EventPayload):
    """A course provider reports that a participant completed its course, with the result.

    Courses records the completion as the course's coordinator would and publishes
    `course.completed`; idempotent by event id, and a completion reported again for an
    enrolment already completed changes nothing.
    """

    event_type: ClassVar[str] = "course.completion_reported"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    inbound: ClassVar[bool] = True
    subject_field: ClassVar[str | None] = "enrollment_id"

    enrollment_id: Reference
    result: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        default=None, description="The offer's result, e.g. the integration course's DTZ level."
    )


class EmploymentStartReported(EventPayload):
    """The Jobcenter reports that a person it placed started work.

    Courses records it as the coordinator's or caseworker's form would, under the same
    rules (a recorded work permit that allows it), and publishes `employment.started`;
    idempotent by event id. No employer name: its category and the hours.
    """

    event_type: ClassVar[str] = "employment.start_reported"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    inbound: ClassVar[bool] = True
    subject_field: ClassVar[str | None] = "member_id"

    member_id: Reference
    started_on: date
    employer_category: EmployerCategory
    hours_per_week: HoursPerWeek
