"""Field-level annotations of personal data: what each column holds, why, and who gets it.

Every service declares, beside its models (in its `processing.py`), one `Fields` per table:
the columns holding personal data, each with its `Personal` annotation (category,
purpose, legal basis, recipients; the retention comes from the table's retention
declaration), and the columns that look as if they could but do not (`not_personal`).

Which columns must be declared is decided by `could_be_personal`: every column that can
carry text or a date (a name, an e-mail address, a note, a date of birth, a JSON body, a
list of strings, a binary body), and every column whose name says it refers to a person,
whatever its type (`member_id`, `caseworker`, `sex`, ...). Numbers, flags, timestamps
and enums with a neutral name are left out: they cannot name anyone. `unannotated`
lists the columns that could be personal and are not declared either way; the record of
processing test fails on any (tests/test_processing_record.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    Date,
    Enum,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.type_api import TypeEngine


@dataclass(frozen=True)
class Personal:
    """A personal field: what kind of data, for which purpose, on which basis, for whom.

    `recipients` names who outside the owning service receives the field (other services
    by event, agencies, the mail server); empty means no one. `retention` is left to the
    table's retention declaration unless the field goes earlier (e.g. anonymised first).
    """

    category: str
    purpose: str
    legal_basis: str
    recipients: tuple[str, ...] = ()
    retention: str | None = None

    def of(self, *columns: str) -> dict[str, Personal]:
        """This annotation for each of `columns` (to spread into a `Fields`)."""
        return dict.fromkeys(columns, self)


@dataclass(frozen=True)
class Fields:
    """A table's personal columns and the columns that look personal but are not."""

    table: str
    personal: Mapping[str, Personal]
    # Columns `could_be_personal` picks that hold nothing about a person (a code, a
    # status, a course title), named so that the decision is on record.
    not_personal: Sequence[str] = field(default_factory=tuple)


# Column names that refer to a person (or a household) whatever their type.
_PERSON_NAME = re.compile(
    r"(^|_)(name|email|e_mail|mail|phone|address|birth|sex|gender|nationality|language|"
    r"languages|subject|actor|author|caseworker|assignee|recipient|member|household|"
    r"volunteer|mentor|person|user|by|note|notes|text|body|reason|result|needs|minors|conviction|"
    r"residence|health|disability|religion)(_|$)"
)
_TEXT_TYPES: tuple[type[TypeEngine[Any]], ...] = (
    String,
    Text,
    JSON,
    JSONB,
    ARRAY,
    LargeBinary,
    Date,
)


def could_be_personal(column: Column[object]) -> bool:
    """Whether a column could name or describe a person, so it must be declared.

    Any column that can carry text or a date could (a name, a note, a birth date); an
    enum, a reference, a number or a flag only if its name says it is about a person (a
    closed set of codes or a count names no one by itself, but `sex`, `member_id` or
    `relevant_conviction` are about someone).
    """
    if isinstance(column.type, _TEXT_TYPES) and not isinstance(column.type, Enum):
        return True
    return bool(_PERSON_NAME.search(column.name))


def declared(declarations: Iterable[Fields]) -> dict[str, Fields]:
    found: dict[str, Fields] = {}
    for item in declarations:
        if item.table in found:
            raise ValueError(f"{item.table}: declared twice")
        both = set(item.personal) & set(item.not_personal)
        if both:
            raise ValueError(f"{item.table}: {sorted(both)} both personal and not personal")
        found[item.table] = item
    return found


def unannotated(metadata: MetaData, declarations: Iterable[Fields]) -> list[str]:
    """`table.column` of every column that could be personal and is declared neither way."""
    by_table = declared(declarations)
    missing = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        item = by_table.get(table.name)
        known = set(item.personal) | set(item.not_personal) if item else set()
        missing += [
            f"{table.name}.{column.name}"
            for column in table.columns
            if could_be_personal(column) and column.name not in known
        ]
    return missing


def unknown(metadata: MetaData, declarations: Iterable[Fields]) -> list[str]:
    """Declared `table.column`s the models do not have (a renamed or dropped column)."""
    stale = []
    for item in declarations:
        table = metadata.tables.get(item.table)
        columns = set(table.columns.keys()) if table is not None else set()
        stale += [
            f"{item.table}.{name}"
            for name in (*item.personal, *item.not_personal)
            if name not in columns
        ]
    return stale


# The tables every service keeps (teilhabe.service_tables), declared once for all.
_BACKBONE = "the system's own operation: delivering events, firing timers, signing in"
SHARED_FIELDS: tuple[Fields, ...] = (
    Fields(
        "outbox_message",
        Personal(
            "event bodies: references to people and what the consumers need; personal "
            "fields sealed with the person's key (teilhabe.sealing)",
            _BACKBONE,
            "Art. 6(1)(e) GDPR (as each event's purpose)",
            ("the services and agencies receiving the event",),
            "deleted 7 days after publishing",
        ).of("body")
        | Personal(
            "error text of a failed publish (no content)",
            _BACKBONE,
            "Art. 6(1)(e) GDPR",
            retention="with its row",
        ).of("last_error"),
        not_personal=("event_id", "event_type"),
    ),
    Fields("inbox_message", {}, not_personal=("event_id", "event_type")),
    Fields(
        "timer",
        Personal(
            "due work: references to records (household or member ids)",
            _BACKBONE,
            "Art. 6(1)(e) GDPR",
            retention="deleted 30 days after firing",
        ).of("key", "payload"),
        not_personal=("kind", "state", "last_error", "traceparent"),
    ),
    Fields(
        "staff_session",
        Personal(
            "staff sign-in: user name, the provider's session and tokens",
            _BACKBONE,
            "Art. 6(1)(e) GDPR, § 18 DSG NRW",
            retention="deleted when the session expires or at sign-out",
        ).of("subject", "provider_session", "data"),
        not_personal=("id_hash",),
    ),
    Fields(
        "audit_entry",
        Personal(
            "who (user name, roles) read or changed which record (by reference)",
            "proof of lawful processing",
            "Art. 5(2), 32 GDPR",
            ("the data-protection officer",),
        ).of("actor", "actor_roles", "resource_id"),
        not_personal=(
            "action",
            "resource_type",
            "trace_id",
            "previous_hash",
            "entry_hash",
        ),
    ),
)
