"""The outbox, inbox and timer tables every service keeps in its own database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)

from teilhabe.timers import define_timer_table

OUTBOX_TABLE = "outbox_message"
INBOX_TABLE = "inbox_message"


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    timers: Table


def define_messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", String(200), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("body", LargeBinary, nullable=False, comment="CloudEvent, structured JSON"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        # After a failed publish: not offered again before this time.
        Column("retry_at", DateTime(timezone=True)),
        # The relay claims unpublished rows in id order; this index stays tiny.
        Index(
            "ix_outbox_message_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
        Index("ix_outbox_message_published_at", "published_at"),
    )
    inbox = define_inbox_table(metadata, INBOX_TABLE)
    return MessagingTables(outbox=outbox, inbox=inbox, timers=define_timer_table(metadata))


def define_inbox_table(metadata: MetaData, name: str) -> Table:
    """An inbox: the ids of the events a consumer handled (a second consumer of the same
    events, e.g. the agency gateway, keeps its own)."""
    return Table(
        name,
        metadata,
        Column("event_id", String(200), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # Pruning finds the ids older than the retention without reading the whole inbox.
        Index(f"ix_{name}_handled_at", "handled_at"),
    )
