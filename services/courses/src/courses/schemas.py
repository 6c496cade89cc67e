"""HTTP shapes of the courses API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from teilhabe.api.schemas import RequestModel, ResponseModel
from teilhabe.events.courses import Attendance, Institution, OfferKind, SchoolPlaceCloseReason
from teilhabe.events.households import AgeGroup
from teilhabe.events.work import (
    EmployerCategory,
    EmploymentEndReason,
    HoursPerWeek,
    WorkPermitStatus,
)

from courses.domain import (
    ConsentState,
    EnrollmentStatus,
    OpportunityKind,
    PlacementOutcome,
    PlacementStatus,
    SchoolPlaceStatus,
    SeatOfferStatus,
)

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


# --- work ---------------------------------------------------------------------------------


class PermitIn(RequestModel):
    member_id: uuid.UUID
    status: WorkPermitStatus
    valid_until: date | None = Field(default=None, description="Until when it applies, if limited.")


class EmploymentStartIn(RequestModel):
    member_id: uuid.UUID
    started_on: date
    employer_category: EmployerCategory = Field(description="The kind of employer, never its name")
    hours_per_week: HoursPerWeek


class EmploymentEndIn(RequestModel):
    member_id: uuid.UUID
    ended_on: date
    reason: EmploymentEndReason


class HandoverIn(RequestModel):
    member_id: uuid.UUID
    handed_over_on: date


class PermitOut(ResponseModel):
    member_id: uuid.UUID
    status: WorkPermitStatus
    valid_until: date | None


class PermitChangeOut(ResponseModel):
    status: WorkPermitStatus
    valid_until: date | None
    recorded_by: str
    recorded_at: datetime


class EmploymentOut(ResponseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    employer_category: EmployerCategory
    hours_per_week: Decimal
    work_permit_status: WorkPermitStatus
    started_on: date
    ended_on: date | None
    end_reason: EmploymentEndReason | None


class HandoverOut(ResponseModel):
    handover_id: uuid.UUID


class HandoverRecordOut(ResponseModel):
    id: uuid.UUID
    handed_over_on: date
    work_permit_status: WorkPermitStatus
    recorded_by: str
    consent: ConsentState = Field(
        description="The person's consent to the Jobcenter on the day of the handover: "
        "without it the Jobcenter does not receive it"
    )


class WorkRecordOut(ResponseModel):
    """A person's work: permit status with its history, employments, handovers to the
    Jobcenter, the consent to it today, and their placements."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    allocation_notice_number: str | None = Field(default=None, description=_NOTICE_NUMBER)
    member_position: int | None = Field(default=None, description=_MEMBER_POSITION)
    age_group: AgeGroup
    permit: PermitOut | None
    permit_history: list[PermitChangeOut] = Field(description="Newest first")
    employments: list[EmploymentOut] = Field(description="Newest first")
    handovers: list[HandoverRecordOut] = Field(description="Newest first")
    consent: ConsentState
    consent_since: date | None = Field(description="Granted or revoked on, if any")
    placements: list[PlacementOut] = Field(default_factory=list, description="Newest first")


class WorkingPersonOut(ResponseModel):
    """A person in work or in a job-readiness offer or work opportunity now."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    allocation_notice_number: str | None = Field(default=None, description=_NOTICE_NUMBER)
    member_position: int | None = Field(default=None, description=_MEMBER_POSITION)
    permit_status: WorkPermitStatus | None
    employer_category: EmployerCategory | None = Field(description="Of the running employment")
    hours_per_week: Decimal | None
    job_readiness: int = Field(description="Job-readiness offers and opportunities taken now")


# --- work opportunities and placements -----------------------------------------------------

Postcode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$", strip_whitespace=True)]


class OpportunityIn(RequestModel):
    kind: OpportunityKind
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="What the work is, e.g. Praktikum Hauswirtschaft; never the employer's name"
    )
    employer_category: EmployerCategory = Field(description="The kind of employer, never its name")
    hours_per_week: HoursPerWeek
    place: Annotated[str, StringConstraints(min_length=1, max_length=300)] = Field(
        description="Where (street or district), without the employer's name"
    )
    postcode: Postcode
    seats: int = Field(ge=1, le=1000)
    starts_on: date
    ends_on: date | None = None


class OpportunityOut(ResponseModel):
    id: uuid.UUID
    kind: OpportunityKind
    title: str
    employer_category: EmployerCategory
    hours_per_week: Decimal
    place: str
    postcode: str
    seats: int
    starts_on: date
    ends_on: date | None
    team: str | None
    taken: int = Field(default=0, description="Placements proposed or started")


class PlacementIn(RequestModel):
    member_id: uuid.UUID
    proposed_on: date


class PlacementStartIn(RequestModel):
    started_on: date


class PlacementEndIn(RequestModel):
    ended_on: date
    outcome: PlacementOutcome


class PlacementOut(ResponseModel):
    id: uuid.UUID
    opportunity_id: uuid.UUID
    member_id: uuid.UUID
    household_id: uuid.UUID
    status: PlacementStatus
    work_permit_status: WorkPermitStatus
    proposed_on: date
    started_on: date | None
    ended_on: date | None
    outcome: PlacementOutcome | None


WorkRecordOut.model_rebuild()


# --- school places ------------------------------------------------------------------------


class Outcome(StrEnum):
    PLACED = "placed"
    WAITING = "waiting"
    CLOSED = "closed"


class SchoolPlaceOutcomeIn(RequestModel):
    """What became of a request: placed (with the school or Kita), waiting, or closed."""

    outcome: Outcome
    institution: Institution | None = Field(default=None, description="Placed: school or Kita")
    institution_name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = (
        Field(default=None, description="Placed: the school or Kita, e.g. 'Grundschule Mitte'")
    )
    reason: SchoolPlaceCloseReason | None = Field(default=None, description="Closed: why")

    @model_validator(mode="after")
    def _fields_of_the_outcome(self) -> SchoolPlaceOutcomeIn:
        placed = self.outcome is Outcome.PLACED
        closed = self.outcome is Outcome.CLOSED
        if placed and (self.institution is None or self.institution_name is None):
            raise ValueError("a place names the institution and its name")
        if not placed and (self.institution is not None or self.institution_name is not None):
            raise ValueError("only a place names an institution")
        if closed != (self.reason is not None):
            raise ValueError("a reason is given when, and only when, the request is closed")
        return self


class SchoolPlaceRequestOut(ResponseModel):
    """A child's request as staff may read it: a reference, never a name."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    allocation_notice_number: str | None = Field(
        description="The household's allocation notice number; None if courses does not know it"
    )
    member_position: int | None = Field(
        description="The child's place in the household's own order (1 = first)"
    )
    age: int = Field(description="Age in years on the day of the request")
    age_group: AgeGroup
    languages: list[str]
    requested_on: date
    status: SchoolPlaceStatus
    institution: Institution | None
    institution_name: str | None
    close_reason: SchoolPlaceCloseReason | None
    decided_at: datetime | None
