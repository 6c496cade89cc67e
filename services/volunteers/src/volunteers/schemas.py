"""HTTP shapes of the volunteers API."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, EmailStr, Field, StringConstraints
from teilhabe.api.schemas import RequestModel, ResponseModel

from volunteers.domain import Weekday

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class VolunteerIn(RequestModel):
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    email: EmailStr
    phone: Annotated[str | None, StringConstraints(pattern=r"^\+?[0-9 ()/-]{5,40}$")] = None
    preferred_language: LanguageCode = Field(
        default="de", description="Language of messages to the volunteer (ISO 639), e.g. de, en."
    )
    languages: Annotated[list[LanguageCode], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=20, description="Languages spoken (ISO 639)."
    )
    skills: Annotated[list[Skill], AfterValidator(_unique)] = Field(
        default_factory=list,
        max_length=30,
        description='Free tags, e.g. "Behördengänge", "Nachhilfe Mathe", "Fahrrad-Reparatur".',
    )
    available_weekdays: Annotated[list[Weekday], AfterValidator(_unique)] = Field(
        default_factory=list, description="Days the volunteer is usually available."
    )
    availability_note: str | None = Field(
        default=None, max_length=500, description='Free text, e.g. "abends ab 18 Uhr".'
    )
    postcode: Annotated[str | None, StringConstraints(pattern=r"^[0-9]{5}$")] = Field(
        default=None, description="Postcode of home, to suggest mentorships nearby."
    )
    subject: Annotated[str | None, StringConstraints(min_length=1, max_length=200)] = Field(
        default=None,
        description="The volunteer's own account at the identity provider (token subject).",
    )


class VolunteerOut(ResponseModel):
    """A volunteer as anyone allowed to see them sees them: never any clearance data."""

    id: uuid.UUID
    display_name: str
    email: str
    phone: str | None
    preferred_language: str
    languages: list[str]
    skills: list[str]
    available_weekdays: list[Weekday]
    availability_note: str | None
    postcode: str | None = None
    subject: str | None
    created_at: datetime


class ClearanceIn(RequestModel):
    """An inspected extended police clearance: only what §72a para. 5 SGB VIII allows."""

    inspected_on: date = Field(description="Day the certificate was inspected.")
    issued_on: date = Field(description="Issue date printed on the certificate.")
    relevant_conviction: bool = Field(
        description="Whether it records a conviction relevant under §72a para. 1 SGB VIII."
    )


class ClearanceOut(ResponseModel):
    volunteer_id: uuid.UUID
    inspected_on: date
    issued_on: date
    relevant_conviction: bool
    expires_on: date = Field(description="From this day the clearance must be re-inspected.")
    may_work_with_minors: bool
    delete_after: date | None = Field(
        description="From this day the record is deleted; none while a mentorship runs."
    )


class MatchIn(RequestModel):
    volunteer_id: uuid.UUID
    household_id: uuid.UUID
    started_on: date


class MatchEndIn(RequestModel):
    ended_on: date


class MatchOut(ResponseModel):
    id: uuid.UUID
    volunteer_id: uuid.UUID
    household_id: uuid.UUID
    started_on: date
    ended_on: date | None


class SuggestionOut(ResponseModel):
    volunteer_id: uuid.UUID
    display_name: str
    languages: list[str]
    shared_languages: list[str]
    distance: int = Field(
        default=5,
        description="0 same postcode, 1 same district, 2 same region, 3 same postal zone, "
        "4 elsewhere, 5 unknown (by the postcodes' shared leading digits).",
    )
    available_weekdays: list[Weekday] = Field(default_factory=list)
    running_mentorships: int = 0


class MentorOut(ResponseModel):
    """A household's current mentor: who, and since when."""

    match_id: uuid.UUID
    volunteer_id: uuid.UUID
    display_name: str
    started_on: date
    needs_clearance: bool = Field(
        default=False,
        description="The household has minors and this mentor holds no valid clearance for "
        "work with minors (§72a SGB VIII).",
    )


class HouseholdOut(ResponseModel):
    """A household as matching sees it: how staff name it, minors yes/no, its languages."""

    household_id: uuid.UUID
    allocation_notice_number: str | None
    has_minors: bool
    languages: list[str]
    mentors: list[MentorOut]


class HouseholdBrief(ResponseModel):
    """What a mentorship needs of its household, as the staff pages name it beside its
    notice number: whether it has minors and its languages (no names: none come here)."""

    household_id: uuid.UUID
    allocation_notice_number: str | None
    has_minors: bool
    languages: list[str]


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class FacilityKind(StrEnum):
    SHELTER = "shelter"
    CAFE = "cafe"
    OTHER = "other"


class FacilityIn(RequestModel):
    name: Title = Field(description='E.g. "Notunterkunft Lindenstraße", "Begegnungscafé".')
    kind: FacilityKind = FacilityKind.SHELTER
    address: Annotated[str | None, StringConstraints(max_length=300)] = None


class FacilityOut(ResponseModel):
    id: uuid.UUID
    name: str
    kind: FacilityKind
    address: str | None


class ShiftTemplateIn(RequestModel):
    title: Title = Field(description='The work, e.g. "Frühstücksausgabe".')
    starts: time
    ends: time
    slots: int = Field(ge=1, le=100)
    needs_clearance: bool = Field(
        default=False, description="Work with children: only volunteers with a valid clearance."
    )


class ShiftTemplateOut(ResponseModel):
    id: uuid.UUID
    facility_id: uuid.UUID
    title: str
    starts: time
    ends: time
    slots: int
    needs_clearance: bool


class ShiftFromTemplateIn(RequestModel):
    on: date = Field(description="The day of the shift; its times come from the template.")


class ShiftIn(RequestModel):
    facility_id: uuid.UUID
    title: Title
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    slots: int = Field(ge=1, le=100)
    needs_clearance: bool = False


class SignupOut(ResponseModel):
    """Who holds a slot: shown to coordinators only, never to another volunteer."""

    volunteer_id: uuid.UUID
    display_name: str
    signed_up_at: datetime


class ShiftOut(ResponseModel):
    id: uuid.UUID
    facility_id: uuid.UUID
    facility_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    slots: int
    taken: int
    needs_clearance: bool
    cancelled: bool
    signed_up: bool = Field(default=False, description="Whether the caller holds a slot.")
    signups: list[SignupOut] | None = Field(
        default=None, description="Coordinators only: who holds the slots."
    )


class HelpRequestIn(RequestModel):
    title: Title = Field(description='What is needed, e.g. "Dolmetschen beim Jobcenter".')
    place: Annotated[str | None, StringConstraints(max_length=200)] = None
    language: LanguageCode | None = None
    skill: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=100)] = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class HelperOut(ResponseModel):
    """The volunteer who took a request, as the staff who asked see them."""

    volunteer_id: uuid.UUID
    display_name: str
    email: str
    phone: str | None


class HelpRequestOut(ResponseModel):
    id: uuid.UUID
    title: str
    place: str | None
    language: str | None
    skill: str | None
    starts_at: datetime
    ends_at: datetime
    status: str = Field(
        description="open (it may be accepted), accepted, withdrawn, or closed (its time "
        "began with nobody taking it)"
    )
    offered_to: int | None = Field(default=None, description="Staff only: how many it reached.")
    accepted_by: HelperOut | None = Field(default=None, description="Staff only.")
    accepted_by_me: bool = False
