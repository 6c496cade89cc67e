"""Events about households allocated to the city (published by intake)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import Reference


def normalise_notice_number(typed: str) -> str:
    """An allocation notice number as stored and compared: capitals, no outer spaces,
    inner runs of spaces as one (` bra-ar2-66264 ` is `BRA-AR2-66264`).

    Every service that looks a household up by its notice number compares this form.
    """
    return " ".join(typed.split()).upper()


class AgeGroup(StrEnum):
    """Age group on the allocation date: decides Kita, school or adult offers."""

    UNDER_THREE = "under_three"
    KITA = "kita"
    SCHOOL = "school"
    ADULT = "adult"


class AllocatedMember(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    member_id: Reference
    age_group: AgeGroup
    languages: tuple[str, ...] = Field(default=(), description="ISO 639 codes.")


class HouseholdAssigned(EventPayload):
    """A household was allocated to the city (Zuweisung) and registered.

    Version 2 leaves out the barrier-free need, which only housing needs (it hears it from
    household.referred_to_housing). Version 1 carried it to every consumer; as no consumer
    of version 1 was ever deployed, version 1 left the catalogue at once.
    """

    event_type: ClassVar[str] = "household.assigned"
    event_version: ClassVar[int] = 2
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    allocation_notice_number: str
    allocated_on: date
    expected_arrival_on: date | None = None
    member_count: int = Field(ge=1)
    minor_count: int = Field(ge=0)
    members: tuple[AllocatedMember, ...]
    team: str | None = Field(
        default=None,
        description="Team responsible for the household (a group at the identity provider); "
        "services scope what caseworkers see by it.",
    )


class HouseholdReferredToHousing(EventPayload):
    """A registered household needs accommodation: what placing it takes, for housing alone."""

    event_type: ClassVar[str] = "household.referred_to_housing"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    allocation_notice_number: str
    allocated_on: date
    expected_arrival_on: date | None = None
    member_count: int = Field(ge=1)
    minor_count: int = Field(ge=0)
    needs_accessible_housing: bool = Field(
        description="A member needs a barrier-free unit (health-related: housing only)."
    )
    team: str | None = Field(
        default=None,
        description="The caseworkers' team of the household: housing lets them record its "
        "protection needs.",
    )


class CaseworkerAssigned(EventPayload):
    """A caseworker took over the social care of a household."""

    event_type: ClassVar[str] = "caseworker.assigned"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    caseworker_id: str = Field(description="The caseworker's subject at the identity provider.")
    previous_caseworker_id: str | None = None


class ResidenceStatusExpiring(EventPayload):
    """A member's residence status expires soon: time for the caseworker to see to it.

    Published once per member and expiry date, the configured lead time before it
    (intake's timer); references only, the caseworker reads the rest in intake.
    """

    event_type: ClassVar[str] = "member.residence_status_expiring"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference
    expires_on: date


class HouseholdMembersChanged(EventPayload):
    """Who belongs to a household changed after its registration: a member was added (a
    birth, a reunited relative), corrected (e.g. a date of birth) or removed (moved out of
    the household, registered in error).

    Carries the household's members as they are now, so that a consumer replaces what it
    holds; `revision` counts the household's changes, and a consumer applies an event only
    over an older revision (events may arrive out of order). Age groups and the minor
    count are taken on the day of the change. No names, no reason: intake keeps those.
    """

    event_type: ClassVar[str] = "household.members_changed"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    revision: int = Field(ge=1, description="The household's member revision, 1 and up.")
    allocation_notice_number: str
    team: str | None = None
    member_count: int = Field(ge=1)
    minor_count: int = Field(ge=0)
    members: tuple[AllocatedMember, ...]


class ResidenceStatusChanged(EventPayload):
    """A member's residence status changed (e.g. from Aufenthaltsgestattung to
    Aufenthaltserlaubnis, or a Duldung extended), with the day it applies from."""

    event_type: ClassVar[str] = "member.residence_status_changed"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference
    residence_status: str = Field(description="intake's residence status code")
    previous_residence_status: str | None = None
    valid_from: date
    expires_on: date | None = None


class FollowUpDue(EventPayload):
    """A follow-up (Wiedervorlage) of a household is due today: its caseworker is reminded.

    Published once per follow-up and day by intake's timer; references only (the reason
    stays in intake).
    """

    event_type: ClassVar[str] = "follow_up.due"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    follow_up_id: Reference
    caseworker_id: str = Field(description="Whose list it is on (subject at the provider).")
    due_on: date


class ResidenceObligationEnding(EventPayload):
    """A member's residence obligation (Wohnsitzauflage, § 12a AufenthG) ends soon: the
    caseworker sees to what follows (the person may then move elsewhere).

    Published once per member and end day, the configured lead time before it (intake's
    timer); references only.
    """

    event_type: ClassVar[str] = "member.residence_obligation_ending"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference
    ends_on: date


class CaseClosureReason(StrEnum):
    MOVED_AWAY = "moved_away"
    NATURALISED = "naturalised"
    OTHER = "other"


class HouseholdCaseClosed(EventPayload):
    """A household's case is closed (it moved away, was naturalised, or the case ended
    otherwise): every service ends what it holds for it (placements and reservations,
    enrolments, mentorships) on that day."""

    event_type: ClassVar[str] = "household.case_closed"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    reason: CaseClosureReason
    closed_on: date


class SchoolPlaceRequested(EventPayload):
    """A child of an allocated household is of school age: compulsory school applies from
    the allocation (§ 34(6) SchulG NRW), and a school place is needed. Courses records the
    request for the coordinators who find the place; the age group and languages are all
    it needs, no name or birth date."""

    event_type: ClassVar[str] = "school_place.requested"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"

    household_id: Reference
    member_id: Reference
    age: int = Field(ge=0, le=25, description="Age in years on the day of the request.")
    languages: tuple[str, ...] = Field(default=(), description="ISO 639 codes.")
    requested_on: date


class ReferralSent(EventPayload):
    """A caseworker referred a person to a partner agency or service (the Jobcenter, the
    immigration office, migration counselling, a doctor, a school, a course).

    Agencies hear of it through the agency gateway, the named agency alone and only with
    the person's consent (or a statutory subscription). No purpose text: the agency learns
    the purpose from the caseworker, and the person's case stays in intake.
    """

    event_type: ClassVar[str] = "referral.sent"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"
    consent_subject: ClassVar[str | None] = "member_id"

    referral_id: Reference
    household_id: Reference
    member_id: Reference
    target: str = Field(description="intake's referral target code, e.g. jobcenter")
    agency: str | None = Field(
        default=None, description="The connected agency it is addressed to, if any."
    )
    sent_on: date


class ReferralStateChanged(EventPayload):
    """A referral was accepted, done or declined (recorded by the caseworker)."""

    event_type: ClassVar[str] = "referral.state_changed"
    published_by: ClassVar[frozenset[str]] = frozenset({"intake"})
    subject_field: ClassVar[str | None] = "household_id"
    consent_subject: ClassVar[str | None] = "member_id"

    referral_id: Reference
    household_id: Reference
    member_id: Reference
    agency: str | None = None
    state: str = Field(description="accepted, done or declined")
    changed_on: date
