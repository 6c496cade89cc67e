"""Tables of the notifications service."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from teilhabe.db import new_metadata
from teilhabe.messaging.tables import define_inbox_table
from teilhabe.queries import sql_enum
from teilhabe.sealing import define_subject_key_table
from teilhabe.service_tables import define_service_tables

from notifications.domain import AttemptOutcome, Channel, DeliveryStatus, RecipientKind
from notifications.timing import DEFAULT_TIME_ZONE
from notifications.webhooks.policy import WebhookState


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging, audit_log, staff_session = define_service_tables(Base.metadata)
# The agency gateway's own inbox: it consumes some of the same events as the consumer.
agency_inbox = define_inbox_table(Base.metadata, "agency_inbox")
# Copies of volunteers' keys (volunteer.key_issued), and of staff sign-ins' keys until used
# (staff_member.key_issued; teilhabe.staff_directory): their sealed name and e-mail address
# open with them until the volunteer's erasure shreds them (teilhabe.sealing).
subject_key = define_subject_key_table(Base.metadata)


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
    # When e-mails go out, in the recipient's own time (notifications.timing): quiet hours
    # hold them until they end; with a digest time, one e-mail a day holds them all.
    time_zone: Mapped[str] = mapped_column(String(64), server_default=DEFAULT_TIME_ZONE)
    quiet_from: Mapped[time | None] = mapped_column(Time)
    quiet_until: Mapped[time | None] = mapped_column(Time)
    digest_at: Mapped[time | None] = mapped_column(Time)
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
    # The volunteer the event is about (its text names them): what their erasure removes.
    volunteer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
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
    # For an e-mail that went out within a daily digest: that digest's delivery.
    digest_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="SET NULL"), index=True
    )
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


class WebhookEndpoint(Base):
    """An agency's HTTPS endpoint that receives the events its subscriptions name.

    The signing secret is kept encrypted (key from the settings; signing needs the secret
    itself, so a hash would not do). During a rotation the previous secret signs too,
    until `previous_secret_expires_at`.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The agency's identifier, as the subscription table and the broker name it.
    agency: Mapped[str] = mapped_column(String(100), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    # Deliveries to this endpoint in flight at once: a slow receiver holds up only itself.
    max_in_flight: Mapped[int] = mapped_column(Integer, server_default=text("4"))
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """One event to one endpoint: its body as signed, its state and when it became due.

    `pending` deliveries are due now (the sender takes them, leasing each while it is in
    flight); `retrying` ones wait for their durable timer; `delivered` and `dead` are
    final until an administrator replays one, which is a new delivery (`replay_of`).
    """

    __tablename__ = "webhook_delivery"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[WebhookState] = mapped_column(sql_enum(WebhookState, "webhook_state"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    due_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    replay_of: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.id", lazy="raise"
    )

    __table_args__ = (
        # An event reaches an endpoint once (a replay is a delivery of its own).
        Index(
            "uq_webhook_delivery_event",
            "endpoint_id",
            "event_id",
            unique=True,
            postgresql_where=text("replay_of IS NULL"),
        ),
        # The sender's claim: due deliveries per endpoint, oldest first.
        Index(
            "ix_webhook_delivery_due",
            "endpoint_id",
            "due_since",
            postgresql_where=text("state = 'pending'"),
        ),
        # The delivery log and the replay of a time range.
        Index("ix_webhook_delivery_endpoint_created", "endpoint_id", "created_at"),
        Index("ix_webhook_delivery_created_at", "created_at"),
    )


class WebhookAttempt(Base):
    """The delivery log: every attempt, with the receiver's status or the error."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    duration_ms: Mapped[int]
    status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)


class Agency(Base):
    """A partner agency: its name is its broker user and the prefix of its routing keys."""

    __tablename__ = "agency"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    subscriptions: Mapped[list[AgencySubscription]] = relationship(
        order_by="AgencySubscription.event_type",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class AgencySubscription(Base):
    """What an agency hears of: one event type, for a purpose, with the fields it may see.

    Without `statutory`, only events about a person who consented to this agency and
    purpose pass; a statutory flow needs no consent and names its legal basis.
    """

    __tablename__ = "agency_subscription"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(63))
    # Payload fields the agency gets besides the consent subject's reference.
    fields: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}")
    statutory: Mapped[bool] = mapped_column(server_default=text("false"))
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("agency_id", "event_type", "purpose"),
        Index("ix_agency_subscription_event_type", "event_type"),
    )


class AgencyConsent(Base):
    """The gateway's read model of consents (consent.granted / consent.revoked)."""

    __tablename__ = "agency_consent"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    agency_id: Mapped[str] = mapped_column(String(63))
    purpose: Mapped[str] = mapped_column(String(63))
    # Null until the grant arrives (a revocation may come first); a revoked consent stays
    # revoked whatever arrives after.
    granted_on: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_agency_consent_household", "agency_id", "purpose", "household_id"),
        Index("ix_agency_consent_member", "agency_id", "purpose", "member_id"),
    )


class AgencyHousehold(Base):
    """The gateway's read model of whose consent a household-level event needs.

    The adult members of the household (all members, if none is adult), as the newest
    household.assigned / household.members_changed tells; `revision` orders them.
    """

    __tablename__ = "agency_household"

    household_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    deciding_members: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()))
