"""HTTP shapes of school-place requests and their outcomes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from teilhabe.api.schemas import RequestModel, ResponseModel
from teilhabe.events.courses import Institution, SchoolPlaceCloseReason
from teilhabe.events.households import AgeGroup

from courses.school_place_rules import SchoolPlaceStatus


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
