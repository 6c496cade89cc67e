"""HTTP shapes of the intake API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints
from teilhabe.api.schemas import RequestModel, ResponseModel
from teilhabe.events.consent import Slug
from teilhabe.events.erasure import ERASING_SERVICES, ErasureSubject
from teilhabe.events.households import normalise_notice_number

from intake.domain import (
    EXPIRING_STATUSES,
    ClosureReason,
    Due,
    MemberChangeKind,
    MemberChangeReason,
    NoteCategory,
    ObligationLift,
    ReferralState,
    ReferralTarget,
    ResidenceStatus,
    Sex,
)

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
NoticeNumber = Annotated[
    str,
    BeforeValidator(lambda v: normalise_notice_number(v) if isinstance(v, str) else v),
    StringConstraints(min_length=1, max_length=100),
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$", min_length=2, max_length=3)]


def _expiry_required_for_expiring_statuses(schema: dict[str, Any]) -> None:
    """Say in the JSON Schema what `domain.registration_problems` enforces."""
    schema["if"] = {
        "properties": {
            "residence_status": {"enum": sorted(status.value for status in EXPIRING_STATUSES)}
        },
        "required": ["residence_status"],
    }
    schema["then"] = {
        "properties": {"residence_status_expires_on": {"type": "string", "format": "date"}},
        "required": ["residence_status_expires_on"],
    }


class MemberIn(RequestModel):
    model_config = ConfigDict(json_schema_extra=_expiry_required_for_expiring_statuses)

    given_name: Name
    family_name: Name
    date_of_birth: date
    sex: Sex
    nationality: CountryCode = Field(
        description="ISO 3166-1 code, e.g. SYR or UA; XXX if stateless"
    )
    languages: list[LanguageCode] = Field(
        default_factory=list, max_length=10, description="ISO 639"
    )
    residence_status: ResidenceStatus
    residence_status_expires_on: date | None = Field(
        default=None,
        description="Required for "
        + ", ".join(sorted(status.value for status in EXPIRING_STATUSES))
        + "; optional otherwise.",
    )
    special_needs: str | None = Field(default=None, max_length=2000)


class AllocationIn(RequestModel):
    """An allocation notice (Zuweisungsbescheid) with the household it allocates."""

    allocation_notice_number: NoticeNumber = Field(
        description="Compared and stored in capitals, outer spaces removed, inner ones single."
    )
    allocated_on: date
    allocating_authority: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    expected_arrival_on: date | None = None
    team: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="Team responsible (a group at the identity provider); defaults to the "
        "registering caseworker's team if they have exactly one.",
    )
    needs_accessible_housing: bool = Field(
        default=False, description="A member needs a barrier-free unit (wheelchair, walker)."
    )
    members: list[MemberIn] = Field(min_length=1, max_length=30)


class AllocationListIn(RequestModel):
    """An allocation list (Zuweisungsliste) as the state authority sends it, in one go."""

    allocations: list[AllocationIn] = Field(min_length=1, max_length=1000)


class CaseworkerIn(RequestModel):
    caseworker_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class MemberOut(ResponseModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    nationality: str
    languages: list[str]
    residence_status: ResidenceStatus
    residence_status_expires_on: date | None
    special_needs: str | None


class HouseholdSummary(ResponseModel):
    id: uuid.UUID
    allocation_notice_number: str
    allocated_on: date
    expected_arrival_on: date | None
    team: str | None
    caseworker_id: str | None
    housing_status: str
    member_count: int
    head_of_household: str


class ImportResult(ResponseModel):
    imported: int
    household_ids: list[uuid.UUID]


class HouseholdOut(ResponseModel):
    id: uuid.UUID
    allocation_notice_number: str
    allocated_on: date
    allocating_authority: str
    expected_arrival_on: date | None
    needs_accessible_housing: bool
    team: str | None
    caseworker_id: str | None
    housing_status: str
    closed_on: date | None = None
    closure_reason: str | None = None
    created_at: datetime
    members: list[MemberOut]


# --- the household over time ------------------------------------------------------------


class MemberAddIn(MemberIn):
    """A member joining a registered household, and why (birth, reunion, other)."""

    reason: MemberChangeReason = Field(description="birth, reunion or other")


class MemberCorrectionIn(RequestModel):
    """Corrected facts of a member; fields left out stay as they are. The residence status
    changes with its own history (`.../residence-statuses`)."""

    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    nationality: CountryCode | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=10)
    special_needs: str | None = Field(default=None, max_length=2000)


class ResidenceStatusIn(RequestModel):
    residence_status: ResidenceStatus
    valid_from: date = Field(description="The day the status applies from (not ahead).")
    expires_on: date | None = Field(
        default=None,
        description="Required for "
        + ", ".join(sorted(status.value for status in EXPIRING_STATUSES))
        + "; optional otherwise.",
    )


class ResidenceStatusRecordOut(ResponseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    residence_status: ResidenceStatus
    previous_residence_status: ResidenceStatus | None
    valid_from: date
    expires_on: date | None
    recorded_by: str
    recorded_at: datetime


class MemberChangeOut(ResponseModel):
    member_id: uuid.UUID
    kind: MemberChangeKind
    reason: MemberChangeReason
    revision: int
    recorded_by: str
    recorded_at: datetime


class ConsentIn(RequestModel):
    """What a person agreed to share, with whom and what for, and where it is written."""

    member_id: uuid.UUID
    agency: Slug = Field(description="The agency's name, e.g. jobcenter-kreis-coesfeld")
    purpose: Slug = Field(description="What for, e.g. arbeitsvermittlung")
    granted_on: date
    evidence_reference: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Where the signed declaration is kept (file or document number)."
    )


class RevocationIn(RequestModel):
    revoked_on: date | None = Field(default=None, description="Defaults to today.")


class ConsentOut(ResponseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID
    agency: str
    purpose: str
    granted_on: date
    evidence_reference: str
    recorded_by: str
    revoked_on: date | None
    revoked_by: str | None


# --- case notes -------------------------------------------------------------------------

NoteText = Annotated[str, StringConstraints(min_length=1, max_length=20000)]


class NoteIn(RequestModel):
    category: NoteCategory
    noted_on: date = Field(description="The day it happened (not ahead).")
    text: NoteText
    member_id: uuid.UUID | None = Field(
        default=None, description="The member it is about; none: the household."
    )


class NoteChangeIn(RequestModel):
    """What the author changes while the note may still be changed; left out: unchanged."""

    category: NoteCategory | None = None
    noted_on: date | None = None
    text: NoteText | None = None


class AddendumIn(RequestModel):
    text: NoteText


class AddendumOut(ResponseModel):
    id: uuid.UUID
    text: str
    author: str
    created_at: datetime


class NoteOut(ResponseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID | None
    category: NoteCategory
    noted_on: date
    text: str
    author: str
    created_at: datetime
    updated_at: datetime | None
    locked_after: datetime
    addenda: list[AddendumOut] = Field(default_factory=list)


class ErasureRequestIn(RequestModel):
    subject_kind: ErasureSubject = Field(
        description="household (with every member), member (one person) or volunteer"
    )
    subject_id: uuid.UUID
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ErasureServiceOut(ResponseModel):
    service: str
    confirmed: bool
    records: int | None = None
    confirmed_at: datetime | None = None


class ErasureRequestOut(ResponseModel):
    id: uuid.UUID
    subject_kind: ErasureSubject
    subject_id: uuid.UUID
    reason: str
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    services: list[ErasureServiceOut]

    @classmethod
    def of(cls, request: Any) -> ErasureRequestOut:
        confirmed = {c.service: c for c in request.confirmations}
        services = [
            ErasureServiceOut(
                service=name,
                confirmed=name in confirmed,
                records=confirmed[name].records if name in confirmed else None,
                confirmed_at=confirmed[name].confirmed_at if name in confirmed else None,
            )
            for name in ERASING_SERVICES
        ]
        return cls(
            id=request.id,
            subject_kind=request.subject_kind,
            subject_id=request.subject_id,
            reason=request.reason,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
            completed_at=request.completed_at,
            services=services,
        )


# --- follow-ups (Wiedervorlagen) --------------------------------------------------------


class FollowUpIn(RequestModel):
    due_on: date = Field(description="Today or later.")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    member_id: uuid.UUID | None = None
    assignee: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Whose list it goes on; defaults to the caller."
    )


class FollowUpOut(ResponseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID | None
    due_on: date
    reason: str
    assignee: str
    created_by: str
    done_on: date | None
    done_by: str | None
    done_reason: str | None = Field(
        default=None, description="case_closed: done because its case was closed; else empty"
    )


class DueFollowUpOut(FollowUpOut):
    allocation_notice_number: str
    due: Due


class DueList(ResponseModel):
    """A caseworker's open follow-ups up to the end of this week, by when they are due."""

    overdue: list[DueFollowUpOut]
    today: list[DueFollowUpOut]
    this_week: list[DueFollowUpOut]


# --- appointments -----------------------------------------------------------------------


class AppointmentIn(RequestModel):
    starts_at: datetime = Field(description="With its time zone, e.g. 2026-12-08T10:00+01:00.")
    place: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    member_id: uuid.UUID | None = None
    interpreter_language: LanguageCode | None = Field(
        default=None, description="An interpreter is needed for this language (ISO 639)."
    )
    caseworker: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Who meets them; defaults to the caller."
    )


class AppointmentOut(ResponseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID | None
    starts_at: datetime
    place: str
    interpreter_language: str | None
    caseworker: str
    created_by: str
    cancelled_at: datetime | None
    cancel_reason: str | None = Field(
        default=None, description="case_closed: cancelled because its case was closed; else empty"
    )


# --- the residence rule (§ 12a AufenthG) and closing a case ------------------------------


class ObligationIn(RequestModel):
    """A member's residence obligation: bound to the city until a day (at most three years
    from the recognition it runs from)."""

    bound_until: date
    recognised_on: date | None = Field(default=None, description="The recognition's day.")


class ObligationLiftIn(RequestModel):
    lifted_on: date = Field(description="The day it ended early (not ahead).")
    reason: ObligationLift = Field(description="employment, training, studies or other")


class ObligationOut(ResponseModel):
    member_id: uuid.UUID
    household_id: uuid.UUID
    recognised_on: date | None
    bound_until: date
    lifted_on: date | None
    lift_reason: ObligationLift | None
    recorded_by: str


class ClosureIn(RequestModel):
    reason: ClosureReason = Field(description="moved_away, naturalised or other")
    closed_on: date = Field(description="The day the case ended (not ahead).")


# --- referrals -----------------------------------------------------------------------


class ReferralIn(RequestModel):
    member_id: uuid.UUID = Field(description="The person referred (a household member).")
    target: ReferralTarget
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="What for; stays in intake, never in an event."
    )
    agency: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")] | None = Field(
        default=None,
        description="The connected partner agency it goes to (its id at the agency gateway), "
        "one the city knows (the setting CONSENT_AGENCIES; another is refused at this field); "
        "it then hears of it, with the person's consent.",
    )


class ReferralStateIn(RequestModel):
    state: ReferralState = Field(description="accepted, done or declined")


class ReferralOut(ResponseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID
    target: ReferralTarget
    agency: str | None
    purpose: str
    state: ReferralState
    sent_on: date
    state_changed_on: date | None
    created_by: str
