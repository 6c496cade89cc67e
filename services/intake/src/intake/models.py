"""Tables of the intake service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Date, DateTime, Enum, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from teilhabe.calendar import define_calendar_feed_table
from teilhabe.db import new_metadata
from teilhabe.messaging.tables import define_inbox_table
from teilhabe.sealing import define_subject_key_table
from teilhabe.service_tables import define_service_tables

from intake.domain import HousingStatus, ResidenceStatus, Sex


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging, audit_log, staff_session = define_service_tables(Base.metadata)
# The inbound consumer's own inbox (events partner agencies send in; teilhabe.messaging.agencies).
inbound_inbox = define_inbox_table(Base.metadata, "inbound_inbox")
# Caseworkers' calendar feed addresses, kept hashed (teilhabe.calendar).
calendar_feed = define_calendar_feed_table(Base.metadata)
# The keys of staff sign-ins, each kept only until it opened its sign-in
# (teilhabe.staff_directory).
subject_key = define_subject_key_table(Base.metadata)


class Household(Base):
    __tablename__ = "household"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    allocation_notice_number: Mapped[str] = mapped_column(String(100), unique=True)
    allocated_on: Mapped[date] = mapped_column(Date, index=True)
    allocating_authority: Mapped[str] = mapped_column(String(200))
    expected_arrival_on: Mapped[date | None] = mapped_column(Date)
    needs_accessible_housing: Mapped[bool] = mapped_column(default=False)
    # The team responsible (a group at the identity provider); its caseworkers see the
    # household. Households registered before teams existed have none: team leads only.
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    caseworker_id: Mapped[str | None] = mapped_column(String(200), index=True)
    housing_status: Mapped[str] = mapped_column(String(30), default=HousingStatus.AWAITING)
    # When housing recorded that status: its events may arrive out of order.
    housing_status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where housing placed it (site and unit names from the move-in), while housed.
    housing_site: Mapped[str | None] = mapped_column(String(200))
    housing_unit: Mapped[str | None] = mapped_column(String(200))
    # Counts the changes of its members after registration (0: as registered); published
    # with each change so that consumers apply only newer ones.
    members_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The case closed (domain.ClosureReason) on a day: its retention clock starts then.
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    members: Mapped[list[Member]] = relationship(
        back_populates="household",
        cascade="all, delete-orphan",
        order_by="Member.position",
        lazy="selectin",
    )


class Member(Base):
    __tablename__ = "member"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(
        Enum(Sex, name="sex", values_callable=lambda e: [m.value for m in e])
    )
    nationality: Mapped[str] = mapped_column(String(3))
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)
    residence_status: Mapped[ResidenceStatus] = mapped_column(
        Enum(
            ResidenceStatus, name="residence_status", values_callable=lambda e: [m.value for m in e]
        )
    )
    residence_status_expires_on: Mapped[date | None] = mapped_column(Date)
    special_needs: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(back_populates="members")


class StaffMember(Base):
    """Staff known from their sign-ins (staff_member.signed_in): whom a case can go to."""

    __tablename__ = "staff_member"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(postgresql.ARRAY(String(50)), default=list)
    teams: Mapped[list[str]] = mapped_column(postgresql.ARRAY(String(200)), default=list)
    # When the sign-in applied last happened: an older one arriving later changes nothing.
    signed_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MemberChange(Base):
    """One change of a household's members after registration: what, why, who, when.

    Keeps no personal data of the member beyond the reference; a removed member's row in
    `member` is gone, this line says that and why.
    """

    __tablename__ = "member_change"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))  # domain.MemberChangeKind
    reason: Mapped[str] = mapped_column(String(20))  # domain.MemberChangeReason
    revision: Mapped[int]
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ResidenceStatusRecord(Base):
    """A member's residence status from a day on: their history, newest last."""

    __tablename__ = "residence_status_record"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    residence_status: Mapped[str] = mapped_column(String(40))  # domain.ResidenceStatus
    previous_residence_status: Mapped[str | None] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Consent(Base):
    """A person's consent that events about them reach one agency for one purpose."""

    __tablename__ = "consent"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(63))
    purpose: Mapped[str] = mapped_column(String(63))
    granted_on: Mapped[date] = mapped_column(Date)
    # Where the signed declaration is kept (file or document number), not the document.
    evidence_reference: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # One standing consent per person, agency and purpose.
        Index(
            "uq_consent_standing",
            "member_id",
            "agency",
            "purpose",
            unique=True,
            postgresql_where=text("revoked_on IS NULL"),
        ),
    )


class CaseNote(Base):
    """A dated note of the household's team about the household or one of its members.

    Never leaves intake: no event, notification or log line carries its text. Its author
    may change it for a short while (`locked_after`); then it stands, and an addendum (a
    note with `addendum_to`) adds to it. The database refuses a change after that time.
    """

    __tablename__ = "case_note"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    addendum_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_note.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(30))  # domain.NoteCategory
    noted_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ErasureRequest(Base):
    """The data-protection officer's request to erase a person's data in every service.

    Kept as the record that, when and why the data was erased (Art. 5(2), 17 GDPR): the
    subject only by its id, which after the erasure names nothing any more.
    """

    __tablename__ = "erasure_request"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # When the last service confirmed; None while any is outstanding.
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    confirmations: Mapped[list[ErasureConfirmation]] = relationship(
        cascade="all, delete-orphan", order_by="ErasureConfirmation.service", lazy="selectin"
    )


class ErasureConfirmation(Base):
    """One service's confirmation that it erased the subject of a request."""

    __tablename__ = "erasure_confirmation"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("erasure_request.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(50), primary_key=True)
    records: Mapped[int]
    confirmed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class FollowUp(Base):
    """A follow-up (Wiedervorlage): something to see to about a household by a day.

    The reason is the team's working text and stays in intake like a case note; the
    reminder on its day names only the household and the day.
    """

    __tablename__ = "follow_up"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    # Whose list it is on: a caseworker's subject at the identity provider.
    assignee: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by: Mapped[str | None] = mapped_column(String(200))
    # Why it is done when no one saw to it: its case was closed (domain.DONE_CASE_CLOSED).
    done_reason: Mapped[str | None] = mapped_column(String(30))

    __table_args__ = (
        Index("ix_follow_up_open", "assignee", "due_on", postgresql_where=text("done_on IS NULL")),
    )


class Appointment(Base):
    """An appointment with a household or one of its members: when, where, whether an
    interpreter is needed and for which language, with which caseworker."""

    __tablename__ = "appointment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200))
    # The language an interpreter is needed for (ISO 639); none: no interpreter.
    interpreter_language: Mapped[str | None] = mapped_column(String(8))
    caseworker: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why it was cancelled when no one cancelled it by hand: its case was closed
    # (domain.CANCELLED_CASE_CLOSED).
    cancel_reason: Mapped[str | None] = mapped_column(String(30))

    __table_args__ = (
        Index(
            "ix_appointment_upcoming",
            "caseworker",
            "starts_at",
            postgresql_where=text("cancelled_at IS NULL"),
        ),
    )


class ArchiveOffer(Base):
    """A case file offered to the city's archive (ArchivG NRW) before its deletion."""

    __tablename__ = "archive_offer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # No foreign key: the household is deleted right after its offer, the offer stays.
    household_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AllocationImport(Base):
    """An allocation list uploaded as a file, and its report: which rows had problems
    (row, column, reason), which notices were registered already, how many households it
    brought in. The report names rows and notice numbers, never a person's name."""

    __tablename__ = "allocation_import"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    # The uploader's teams: their caseworkers see the report (team leads see every one).
    teams: Mapped[list[str]] = mapped_column(postgresql.ARRAY(String(200)), default=list)
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    row_count: Mapped[int]
    # [{"row": 7, "column": "Geburtsdatum", "reason": "date", "notice": "BRA-…"}, …]
    problems: Mapped[list[dict[str, object]]] = mapped_column(postgresql.JSONB, default=list)
    # [{"row": 9, "notice": "BRA-…"}, …]: already registered, skipped
    skipped: Mapped[list[dict[str, object]]] = mapped_column(postgresql.JSONB, default=list)
    ready_count: Mapped[int]  # households ready to import when previewed
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str | None] = mapped_column(String(200))
    imported_count: Mapped[int | None]


class AllocationImportDraft(Base):
    """The households of a previewed import, waiting for its confirmation (the request
    models as JSON); deleted when it is imported, and after a day if it never is."""

    __tablename__ = "allocation_import_draft"

    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("allocation_import.id", ondelete="CASCADE"), primary_key=True
    )
    # [{"rows": [3, 4], "allocation": {AllocationIn as JSON}}, …]
    households: Mapped[list[dict[str, Any]]] = mapped_column(postgresql.JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ResidenceObligation(Base):
    """A member's residence obligation (Wohnsitzauflage, § 12a AufenthG): bound to the city
    until a day, unless lifted earlier for a reason (domain.ObligationLift)."""

    __tablename__ = "residence_obligation"

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    recognised_on: Mapped[date | None] = mapped_column(Date)
    bound_until: Mapped[date] = mapped_column(Date)
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lift_reason: Mapped[str | None] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Referral(Base):
    """A person referred to a partner agency or service (domain.ReferralTarget), with a
    purpose, and its state (domain.ReferralState). The purpose is the team's working text
    and stays in intake like a case note."""

    __tablename__ = "referral"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(30))
    # The connected partner agency it goes to (its id at the gateway), if any.
    agency: Mapped[str | None] = mapped_column(String(63))
    purpose: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    state_changed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    state_changed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
