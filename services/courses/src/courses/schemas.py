"""HTTP shapes of the courses API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints
from teilhabe.api.schemas import RequestModel, ResponseModel
from teilhabe.events.courses import Attendance, OfferKind
from teilhabe.events.households import AgeGroup

from courses.domain import EnrollmentStatus, SeatOfferStatus

LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}$", to_lower=True, strip_whitespace=True)
]


class CourseIn(RequestModel):
    kind: OfferKind
    provider: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Kursträger, school, Kita or club that runs the offer"
    )
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    level: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = Field(
        default=None, description="e.g. A1, B1 or free text"
    )
    starts_on: date
    ends_on: date | None = None
    weekly_times: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="e.g. Mo–Fr 8:30–12:45"
    )
    place: Annotated[str, StringConstraints(min_length=1, max_length=300)] = Field(
        description="Address or location"
    )
    seats: int = Field(ge=1, le=10_000)
    languages: list[LanguageCode] = Field(
        default_factory=list,
        max_length=20,
        description="Languages the offer is held or supported in (ISO 639-1, e.g. de, ar)",
    )
    childcare: bool = Field(default=False, description="Children are looked after meanwhile")
    team: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="Coordinators' team that runs the course and sees its participants; "
        "defaults to the creator's team if they have exactly one (one of the creator's teams).",
    )


class GuestIn(RequestModel):
    """A local or a volunteer joining an offer open to guests: the minimum, nothing more."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    contact: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)
    ] = Field(description="One way to reach them if the offer changes: a phone number or e-mail")


class GuestOut(ResponseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    name: str
    contact: str
    joined_at: datetime


class EnrollmentIn(RequestModel):
    member_id: uuid.UUID = Field(description="A household member as allocated to the city")


class CourseOut(ResponseModel):
    """A course as the catalogue shows it: no participants, only counts."""

    id: uuid.UUID
    kind: OfferKind
    provider: str
    title: str
    level: str | None
    starts_on: date
    ends_on: date | None
    weekly_times: str | None
    place: str
    seats: int
    languages: list[str] = Field(default_factory=list)
    childcare: bool = False
    team: str | None
    enrolled: int = Field(description="Seats taken, by allocated people and guests")
    free: int
    waitlisted: int


_NOTICE_NUMBER = "The household's allocation notice number; None if courses does not know it"
_MEMBER_POSITION = (
    "The member's place in the household's own order (1 = first); None if courses does not know it"
)


class ParticipantOut(ResponseModel):
    enrollment_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    enrolled_at: datetime
    allocation_notice_number: str | None = Field(default=None, description=_NOTICE_NUMBER)
    member_position: int | None = Field(default=None, description=_MEMBER_POSITION)
    age_group: AgeGroup | None = None


class SeatOfferOut(ResponseModel):
    """A freed seat offered to one waiting person, to accept or decline until `expires_at`."""

    id: uuid.UUID
    course_id: uuid.UUID
    enrollment_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    status: SeatOfferStatus
    offered_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class WaitlistEntryOut(ResponseModel):
    enrollment_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    position: int = Field(description="Place on the waitlist (1 = next in line)")
    requested_at: datetime
    seat_offer: SeatOfferOut | None = Field(
        default=None, description="The freed seat offered to this person, while open"
    )
    allocation_notice_number: str | None = Field(default=None, description=_NOTICE_NUMBER)
    member_position: int | None = Field(default=None, description=_MEMBER_POSITION)
    age_group: AgeGroup | None = None


class CompletedOut(ResponseModel):
    enrollment_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    completed_at: datetime
    result: str | None
    allocation_notice_number: str | None = Field(default=None, description=_NOTICE_NUMBER)
    member_position: int | None = Field(default=None, description=_MEMBER_POSITION)
    age_group: AgeGroup | None = None


class CourseDetail(CourseOut):
    participants: list[ParticipantOut] = Field(description="In enrolment order")
    completed: list[CompletedOut] = Field(
        default_factory=list, description="Who completed the offer, in order of completion"
    )
    guests: list[GuestOut] = Field(
        default_factory=list, description="Locals and volunteers taking part, as they joined"
    )
    waitlist: list[WaitlistEntryOut] = Field(description="In waitlist order")


class EnrollmentOut(ResponseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    status: EnrollmentStatus
    waitlist_position: int | None = None
    requested_at: datetime
    enrolled_at: datetime | None
    withdrawn_at: datetime | None
    completed_at: datetime | None = None
    result: str | None = None


class WithdrawalOut(ResponseModel):
    withdrawn: EnrollmentOut
    offered: list[SeatOfferOut] = Field(
        description="The freed seat offered to the next on the waitlist, with a deadline"
    )


class PersonOut(ResponseModel):
    """A household member as courses knows them: no name, only what enrolment needs."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    allocation_notice_number: str | None
    position: int | None = Field(description=_MEMBER_POSITION)
    age_group: AgeGroup
    languages: list[str]


class SessionIn(RequestModel):
    starts_at: datetime = Field(description="Start, with its UTC offset")
    ends_at: datetime = Field(description="End, after the start")
    topic: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class SessionOut(ResponseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    topic: str | None
    recorded: int = Field(description="Participants whose attendance is recorded")


class AttendanceEntryIn(RequestModel):
    enrollment_id: uuid.UUID = Field(description="An enrolled participant of the session's course")
    attendance: Attendance


class AttendanceIn(RequestModel):
    entries: list[AttendanceEntryIn] = Field(min_length=1, max_length=1000)


class AttendanceOut(ResponseModel):
    enrollment_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    allocation_notice_number: str | None = Field(default=None, description=_NOTICE_NUMBER)
    member_position: int | None = Field(default=None, description=_MEMBER_POSITION)
    attendance: Attendance | None = Field(description="None: not recorded yet")


class SessionAttendanceOut(ResponseModel):
    session: SessionOut
    participants: list[AttendanceOut] = Field(description="Every enrolled participant")


class CompletionIn(RequestModel):
    result: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        default=None, description="The offer's result, e.g. the DTZ level (A2, B1)"
    )
