"""Work: employment started or ended, and the work permit status that allows it
(published by courses, which keeps work beside the other offers).

No employer names: the employer's category and the hours are what the caseworker, the
city's figures and the Jobcenter need. Partner agencies may subscribe to them (the
person's own consent decides, `consent_subject`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference


class EmployerCategory(StrEnum):
    """The kind of employer, never its name."""

    CRAFT = "craft"  # Handwerk
    CARE = "care"  # Pflege, Gesundheit
    HOSPITALITY = "hospitality"  # Gastronomie, Hotel
    RETAIL = "retail"  # Handel
    LOGISTICS = "logistics"  # Lager, Transport
    INDUSTRY = "industry"  # Produktion
    CLEANING = "cleaning"  # Reinigung, Gebäudedienste
    PUBLIC_SECTOR = "public_sector"  # öffentlicher Dienst
    OTHER = "other"


class WorkPermitStatus(StrEnum):
    """Whether the residence status allows employment, as the foreigners' authority decided
    and the caseworker or coordinator recorded it."""

    PERMITTED = "permitted"  # Erwerbstätigkeit gestattet
    PERMITTED_WITH_APPROVAL = "permitted_with_approval"  # mit Zustimmung der Ausländerbehörde
    NOT_PERMITTED = "not_permitted"  # Beschäftigungsverbot
    UNKNOWN = "unknown"

    @property
    def allows_employment(self) -> bool:
        return self in {WorkPermitStatus.PERMITTED, WorkPermitStatus.PERMITTED_WITH_APPROVAL}


class EmploymentEndReason(StrEnum):
    CONTRACT_ENDED = "contract_ended"
    RESIGNED = "resigned"
    DISMISSED = "dismissed"
    OTHER = "other"


HoursPerWeek = Annotated[
    Decimal, Field(gt=0, le=60, max_digits=4, decimal_places=1, description="Hours per week.")
]


class EmploymentStarted(EventPayload):
    """A person started work: the employer's category, the hours, the permit allowing it."""

    event_type: ClassVar[str] = "employment.started"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "member_id"
    consent_subject: ClassVar[str | None] = "member_id"

    employment_id: Reference
    member_id: Reference
    household_id: Reference
    started_on: date
    employer_category: EmployerCategory
    hours_per_week: HoursPerWeek
    work_permit_status: WorkPermitStatus


class EmploymentEnded(EventPayload):
    """A person's employment ended."""

    event_type: ClassVar[str] = "employment.ended"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "member_id"
    consent_subject: ClassVar[str | None] = "member_id"

    employment_id: Reference
    member_id: Reference
    household_id: Reference
    ended_on: date
    reason: EmploymentEndReason


class HandedOverToJobcenter(EventPayload):
    """The person's caseworker or coordinator hands them over to the Jobcenter's placement
    service. Reaches the Jobcenter through the agency gateway, only with the person's
    consent to it (agency and purpose in the subscription table)."""

    event_type: ClassVar[str] = "work.handed_over_to_jobcenter"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "member_id"
    consent_subject: ClassVar[str | None] = "member_id"

    handover_id: Reference
    member_id: Reference
    household_id: Reference
    handed_over_on: date
    work_permit_status: WorkPermitStatus


class WorkPlacementStarted(EventPayload):
    """A person started in a work opportunity (a job-readiness offer, an internship or an
    Arbeitsgelegenheit) they were placed into. References only: what the opportunity is
    stays in courses."""

    event_type: ClassVar[str] = "work_placement.started"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "member_id"
    consent_subject: ClassVar[str | None] = "member_id"

    placement_id: Reference
    opportunity_id: Reference
    member_id: Reference
    household_id: Reference
    started_on: date


class WorkPlacementEnded(EventPayload):
    """A person's placement into a work opportunity ended. References only."""

    event_type: ClassVar[str] = "work_placement.ended"
    published_by: ClassVar[frozenset[str]] = frozenset({"courses"})
    subject_field: ClassVar[str | None] = "member_id"
    consent_subject: ClassVar[str | None] = "member_id"

    placement_id: Reference
    opportunity_id: Reference
    member_id: Reference
    household_id: Reference
    ended_on: date
