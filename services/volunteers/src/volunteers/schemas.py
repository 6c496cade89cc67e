"""HTTP shapes of the volunteers API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints
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
