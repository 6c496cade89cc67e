"""Events about courses and other offers (published by courses)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from teilhabe.events.catalogue import EventPayload


class OfferKind(StrEnum):
    INTEGRATION_COURSE = "integration_course"
    LITERACY_COURSE = "literacy_course"
    LANGUAGE_CAFE = "language_cafe"
    SCHOOL_PLACE = "school_place"
    KITA_PLACE = "kita_place"
    JOB_READINESS = "job_readiness"
    LEISURE = "leisure"


class CourseEnrolled(EventPayload):
    """A person got a seat in a course or offer."""

    event_type: ClassVar[str] = "course.enrolled"
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: UUID
    course_id: UUID
    course_title: str = Field(description="Title as staff and the household know it.")
    course_kind: OfferKind
    starts_on: date | None = None
    household_id: UUID
    member_id: UUID


class CourseWaitlisted(EventPayload):
    """A person was put on a course's waitlist because every seat is taken."""

    event_type: ClassVar[str] = "course.waitlisted"
    subject_field: ClassVar[str | None] = "household_id"

    enrollment_id: UUID
    course_id: UUID
    course_title: str
    course_kind: OfferKind
    household_id: UUID
    member_id: UUID
    waitlist_position: int = Field(ge=1)
