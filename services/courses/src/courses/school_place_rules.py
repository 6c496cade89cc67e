"""Rules of school-place requests: pure functions, no database, clock or logger.

A request is open when intake asks for a place; a coordinator records what became of
it: a place at a school or Kita (final), a waiting list (still to be met), or closed with
a reason (final). Waiting may be recorded again (e.g. a second school asked).
"""

from __future__ import annotations

from enum import StrEnum

from teilhabe.events.courses import Institution
from teilhabe.events.households import AgeGroup
from teilhabe.refusal import Refusal


class SchoolPlaceStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    PLACED = "placed"
    CLOSED = "closed"


# Requests still to be met: what the coordinators' list shows by default.
PENDING = frozenset({SchoolPlaceStatus.OPEN, SchoolPlaceStatus.WAITING})
# School starts at six in NRW; below that a child's place is a Kita's.
SCHOOL_AGE = 6


def age_group(age: int) -> AgeGroup:
    """The age group of a child of `age` years, as intake's groups draw it."""
    if age < 3:
        return AgeGroup.UNDER_THREE
    if age < SCHOOL_AGE:
        return AgeGroup.KITA
    if age < 18:
        return AgeGroup.SCHOOL
    return AgeGroup.ADULT


def institution_for(age: int) -> Institution:
    """Where a child of `age` years would usually go: what the form suggests."""
    return Institution.KITA if age < SCHOOL_AGE else Institution.SCHOOL


def outcome_problem(status: SchoolPlaceStatus) -> Refusal | None:
    """Only a request still to be met takes an outcome; placed and closed are final."""
    if status in PENDING:
        return None
    return Refusal("request-decided", f"the school-place request is {status} already")
