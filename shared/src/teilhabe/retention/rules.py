"""Retention rules as data: one declaration per table of a service.

A `Rule` says what starts the clock (a SQL expression over the table, the moment the
purpose ended: case closed, notification delivered, ...), how long the record is kept
after that, on which legal basis, and whether it is deleted or anonymised. `Follows`
names rows that go with their parent's (a foreign key cascade), `Exempt` a table without
personal data or one kept by other means, with the reason. Every table of a service's
metadata needs exactly one declaration (tests/test_retention.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# Offers the expiring records (their keys) to the city's archive before they are deleted,
# in the retention run's transaction, writing into the configured directory.
Archiver = Callable[[AsyncSession, Sequence[Any], Path], Awaitable[None]]


@dataclass(frozen=True)
class Rule:
    table: str
    # What the record is and what starts its clock, in words (for the generated table).
    record: str
    clock_starts: str
    # SQL expression over the table (a date or a time): when the clock started. NULL
    # means it has not started (the case is still open).
    clock: str
    keep_days: int
    legal_basis: str
    # Only rows meeting this SQL condition are looked at (e.g. a status).
    where: str = "TRUE"
    # Column -> SQL expression: anonymise these instead of deleting the row.
    anonymise: Mapping[str, str] = field(default_factory=dict)
    # Records the city must offer to its archive (ArchivG NRW) first: the run exports
    # them by `archive` (keyed by the column `key`) before deleting them, and refuses to
    # delete without an archive directory configured (ARCHIVE_OFFER_DIR).
    archive: Archiver | None = None
    key: str = "id"

    @property
    def keep(self) -> timedelta:
        return timedelta(days=self.keep_days)

    @property
    def action(self) -> str:
        return "anonymise" if self.anonymise else "delete"


@dataclass(frozen=True)
class Follows:
    """Rows deleted with their parent row (by a foreign key's ON DELETE CASCADE)."""

    table: str
    parent: str
    record: str


@dataclass(frozen=True)
class Exempt:
    """A table no retention run touches, and why (no personal data, or handled elsewhere)."""

    table: str
    reason: str


Declaration = Rule | Follows | Exempt


# The tables every service keeps beside its own (teilhabe.service_tables): handled by the
# backbone's own housekeeping, or kept by law.
SHARED_TABLES: tuple[Declaration, ...] = (
    Exempt(
        "outbox_message",
        "events waiting to be published; the relay deletes published rows after 7 days",
    ),
    Exempt("inbox_message", "ids of handled events; the consumer deletes them after 30 days"),
    Exempt("timer", "due work; the timer worker deletes fired timers after 30 days"),
    Exempt("staff_session", "sign-in sessions; deleted when they expire or at sign-out"),
    Exempt(
        "audit_entry",
        "who read or changed which record, by reference and without content; append-only "
        "and sealed in a chain, kept as proof of lawful processing (Art. 5(2) GDPR)",
    ),
)


@dataclass(frozen=True)
class Retention:
    """A service's declarations; the shared tables' ones are added."""

    declarations: Sequence[Declaration]

    @property
    def all(self) -> tuple[Declaration, ...]:
        return (*self.declarations, *SHARED_TABLES)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(item for item in self.declarations if isinstance(item, Rule))

    def rule(self, table: str) -> Rule:
        for rule in self.rules:
            if rule.table == table:
                return rule
        raise KeyError(table)

    def tables(self) -> list[str]:
        return [item.table for item in self.all]
