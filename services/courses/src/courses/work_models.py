"""Tables of work: a person's work permit status and their employments.

No employer names: the employer's category and the hours per week.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Numeric, String, func, text
from sqlalchemy.orm import Mapped, mapped_column
from teilhabe.events.work import EmployerCategory, EmploymentEndReason, WorkPermitStatus
from teilhabe.queries import sql_enum

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
