"""Tables of work: a person's work permit status with its history, their employments,
their handovers to the Jobcenter and their consents to it, work opportunities and the
placements of people into them.

No employer names: the employer's category and the hours per week.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from teilhabe.events.work import EmployerCategory, EmploymentEndReason, WorkPermitStatus
from teilhabe.queries import sql_enum

from courses.domain import OpportunityKind, PlacementOutcome, PlacementStatus
from courses.models import Base


class WorkPermit(Base):
    """Whether a person may work, as recorded by their caseworker or a coordinator."""

    __tablename__ = "work_permit"

    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[WorkPermitStatus] = mapped_column(
        sql_enum(WorkPermitStatus, "work_permit_status")
    )
    valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Employment(Base):
    """One employment of a person: from its start to its end."""

    __tablename__ = "employment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    employer_category: Mapped[EmployerCategory] = mapped_column(
        sql_enum(EmployerCategory, "employer_category")
    )
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    # The permit status the start was recorded under (what allowed it).
    work_permit_status: Mapped[WorkPermitStatus] = mapped_column(
        sql_enum(WorkPermitStatus, "work_permit_status")
    )
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[EmploymentEndReason | None] = mapped_column(
        sql_enum(EmploymentEndReason, "employment_end_reason")
    )
    recorded_by: Mapped[str] = mapped_column(String(200))
    ended_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        # One running employment per person (a second job is a later addition).
        Index(
            "uq_employment_running",
            "member_id",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
    )


class WorkPermitChange(Base):
    """Each recording of a person's permit status, oldest first: its history."""

    __tablename__ = "work_permit_change"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[WorkPermitStatus] = mapped_column(
        sql_enum(WorkPermitStatus, "work_permit_status")
    )
    valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class JobcenterHandover(Base):
    """A handover of a person to the Jobcenter (the event reaches it only by consent)."""

    __tablename__ = "jobcenter_handover"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    handed_over_on: Mapped[date] = mapped_column(Date)
    work_permit_status: Mapped[WorkPermitStatus] = mapped_column(
        sql_enum(WorkPermitStatus, "work_permit_status")
    )
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class WorkConsent(Base):
    """A person's consent to share with a partner agency, as intake tells it
    (consent.granted, consent.revoked): for the handover's consent state."""

    __tablename__ = "work_consent"

    consent_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    agency: Mapped[str] = mapped_column(String(63))
    purpose: Mapped[str] = mapped_column(String(63))
    granted_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)


class WorkOpportunity(Base):
    """A job-readiness offer, an internship or an Arbeitsgelegenheit: no employer name."""

    __tablename__ = "work_opportunity"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[OpportunityKind] = mapped_column(
        sql_enum(OpportunityKind, "work_opportunity_kind")
    )
    title: Mapped[str] = mapped_column(String(200))
    employer_category: Mapped[EmployerCategory] = mapped_column(
        sql_enum(EmployerCategory, "employer_category")
    )
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    place: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(5))
    seats: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # The creator's team (as for courses): whose coordinators place people into it.
    team: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )


class WorkPlacement(Base):
    """A person placed into an opportunity: proposed, started, ended with an outcome."""

    __tablename__ = "work_placement"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("work_opportunity.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[PlacementStatus] = mapped_column(
        sql_enum(PlacementStatus, "work_placement_status")
    )
    # The permit status when it was proposed (what allowed it).
    work_permit_status: Mapped[WorkPermitStatus] = mapped_column(
        sql_enum(WorkPermitStatus, "work_permit_status")
    )
    proposed_on: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[PlacementOutcome | None] = mapped_column(
        sql_enum(PlacementOutcome, "work_placement_outcome")
    )
    recorded_by: Mapped[str] = mapped_column(String(200))
    changed_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        # One open placement of a person in one opportunity.
        Index(
            "uq_work_placement_open",
            "opportunity_id",
            "member_id",
            unique=True,
            postgresql_where=text("status IN ('proposed', 'started')"),
        ),
    )
