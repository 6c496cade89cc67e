"""What each service declares of its processing of personal data (Art. 30(1) GDPR).

A service's `processing.py` names its purposes, the people its data is about and the
kinds of data it keeps, and who outside the system receives any of it; the rest of the
record of processing activities is derived from what the system already declares (the
events it publishes and who consumes them, what partner agencies may subscribe to, the
retention rules). `python -m teilhabe.processing --write` renders it into
shared/processing-record.md; `--check` (in `make lint`) fails when that file is not
current.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from teilhabe.processing.fields import SHARED_FIELDS, Fields, Personal

__all__ = ["SHARED_FIELDS", "DataCategory", "Fields", "Personal", "Processing"]


@dataclass(frozen=True)
class DataCategory:
    """A kind of personal data the service keeps, and whose (one of its data subjects)."""

    about: str
    data: str
    # Art. 9 (special categories: health, ...) or Art. 10 (criminal convictions) GDPR.
    special: str | None = None


@dataclass(frozen=True)
class Processing:
    """A service's processing activity, as the record of processing names it."""

    activity: str
    purposes: tuple[str, ...]
    legal_basis: str
    data_subjects: tuple[str, ...]
    categories: tuple[DataCategory, ...]
    # Recipients outside the system (authorities, providers); the services and partner
    # agencies reached by events are derived from the event catalogue.
    external_recipients: tuple[str, ...] = ()
    # Transfers to third countries or international organisations (Art. 30(1)(e)).
    third_countries: str = "none"
    # Each table's personal fields (teilhabe.processing.fields); the shared tables' are
    # added by `all_fields`.
    fields: Sequence[Fields] = ()

    @property
    def all_fields(self) -> tuple[Fields, ...]:
        return (*self.fields, *SHARED_FIELDS)
