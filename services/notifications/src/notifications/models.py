"""Tables of the notifications service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from teilhabe.db import new_metadata
from teilhabe.queries import sql_enum
from teilhabe.service_tables import define_service_tables

from notifications.domain import AttemptOutcome, Channel, DeliveryStatus, RecipientKind


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging, audit_log, staff_session = define_service_tables(Base.metadata)


class Recipient(Base):
    """The directory: staff by their identity provider subject, volunteers by `volunteer:<id>`."""

    __tablename__ = "recipient"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[RecipientKind] = mapped_column(sql_enum(RecipientKind, "recipient_kind"))
    # Who reads this recipient's inbox: the staff member's own subject; for a volunteer,
    # set once an administrator links the volunteer's login.
    subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(16), server_default="de")
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (Index("ix_recipient_roles", "roles", postgresql_using="gin"),)


class Preference(Base):
    """A channel a recipient turned on or off for one event type; no row means on."""

    __tablename__ = "preference"

    recipient_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[Channel] = mapped_column(sql_enum(Channel, "channel"), primary_key=True)
    enabled: Mapped[bool]


class Household(Base):
    """The read model of a household: its reference and its caseworker."""

    __tablename__ = "household"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    allocation_notice_number: Mapped[str | None] = mapped_column(String(100))
    caseworker_id: Mapped[str | None] = mapped_column(String(200), index=True)
    # Time of the caseworker.assigned event applied last: an older one arriving later
    # does not undo a newer assignment.
    caseworker_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Mentorship(Base):
    """A volunteer matched to a household (volunteer.matched), until it ended
    (mentorship.ended): from `ended_on` the volunteer is no mentor of the household."""

    __tablename__ = "mentorship"

    household_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    volunteer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    match_id: Mapped[uuid.UUID]
    matched_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class Delivery(Base):
    """One event reaching one recipient on one channel; an inbox row is the notification."""

    __tablename__ = "delivery"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(sql_enum(Channel, "channel"))
    household_id: Mapped[uuid.UUID | None]
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[DeliveryStatus] = mapped_column(sql_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        order_by="DeliveryAttempt.id", lazy="raise"
    )

    __table_args__ = (
        UniqueConstraint("event_id", "recipient_id", "channel"),
        # The sender's claim: due e-mails, oldest due first; stays as small as the queue.
        Index(
            "ix_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_delivery_inbox", "recipient_id", "created_at", "id"),
        Index("ix_delivery_created_at", "created_at"),
    )


class DeliveryAttempt(Base):
    """The delivery log: every attempt to send an e-mail, with the relay's answer."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    outcome: Mapped[AttemptOutcome] = mapped_column(sql_enum(AttemptOutcome, "attempt_outcome"))
    smtp_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
