"""Rules of intake: pure functions, no database, clock or logger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from teilhabe.events.households import AgeGroup
from teilhabe.refusal import Refusal

ADULT_AGE = 18
SCHOOL_AGE = 6
KITA_AGE = 3


class ResidenceStatus(StrEnum):
    """Residence title under German law; decides benefits and course entitlement."""

    AUFENTHALTSGESTATTUNG = "aufenthaltsgestattung"
    DULDUNG = "duldung"
    AUFENTHALTSERLAUBNIS = "aufenthaltserlaubnis"
    NIEDERLASSUNGSERLAUBNIS = "niederlassungserlaubnis"
    FIKTIONSBESCHEINIGUNG = "fiktionsbescheinigung"
    UNGEKLAERT = "ungeklaert"


# Titles that always carry an expiry date; a settlement permit does not.
EXPIRING_STATUSES = frozenset(
    {
        ResidenceStatus.AUFENTHALTSGESTATTUNG,
        ResidenceStatus.DULDUNG,
        ResidenceStatus.AUFENTHALTSERLAUBNIS,
        ResidenceStatus.FIKTIONSBESCHEINIGUNG,
    }
)


class HousingStatus(StrEnum):
    """Whether a household is accommodated, as intake learns it from housing's events."""

    AWAITING = "awaiting"
    HOUSED = "housed"
    MOVED_OUT = "moved_out"


def housing_status_wins(recorded_at: datetime, current_recorded_at: datetime | None) -> bool:
    """Whether a status housing recorded at `recorded_at` replaces the one intake holds.

    Housing's events may arrive out of order (several relays, retry delays): the status
    housing recorded last wins, not the event that happens to arrive last.
    """
    return current_recorded_at is None or recorded_at >= current_recorded_at


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    UNSPECIFIED = "unspecified"


def age_on(date_of_birth: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def age_group(date_of_birth: date, day: date) -> AgeGroup:
    age = age_on(date_of_birth, day)
    if age >= ADULT_AGE:
        return AgeGroup.ADULT
    if age >= SCHOOL_AGE:
        return AgeGroup.SCHOOL
    if age >= KITA_AGE:
        return AgeGroup.KITA
    return AgeGroup.UNDER_THREE


@dataclass(frozen=True)
class MemberFacts:
    """What the rules look at of a member; None where it is not known (typed wrongly)."""

    date_of_birth: date | None
    residence_status: ResidenceStatus | None
    residence_status_expires_on: date | None


def allocation_problems(
    *,
    allocated_on: date | None,
    expected_arrival_on: date | None,
    members: list[MemberFacts],
    today: date,
) -> dict[str, str]:
    """Field path → reason, for an allocation notice that cannot be registered as given.

    Facts not known (None) are left out of the rules that need them, so that a form with
    some fields typed wrongly is told every rule it breaks in the same round.
    """
    problems: dict[str, str] = {}
    if allocated_on is not None and allocated_on > today:
        problems["allocated_on"] = "allocation date lies in the future"
    if (
        allocated_on is not None
        and expected_arrival_on is not None
        and expected_arrival_on < allocated_on
    ):
        problems["expected_arrival_on"] = "arrival cannot be before the allocation"
    for index, member in enumerate(members):
        if member.date_of_birth is not None and member.date_of_birth > today:
            problems[f"members[{index}].date_of_birth"] = "date of birth lies in the future"
        if (
            member.residence_status in EXPIRING_STATUSES
            and member.residence_status_expires_on is None
        ):
            problems[f"members[{index}].residence_status_expires_on"] = (
                f"{member.residence_status} needs an expiry date"
            )
    return problems


def expired_statuses(members: list[MemberFacts], today: date) -> list[int]:
    """Positions of members whose residence status expired before `today`: worth a warning,
    not a refusal (an expired title is often being renewed)."""
    return [
        index
        for index, member in enumerate(members)
        if member.residence_status_expires_on is not None
        and member.residence_status_expires_on < today
    ]


@dataclass(frozen=True)
class CaseworkerChange:
    caseworker_id: str
    previous_caseworker_id: str | None


def change_caseworker(current: str | None, requested: str) -> CaseworkerChange | None:
    """The change to record, or None when the household already has this caseworker."""
    if current == requested:
        return None
    return CaseworkerChange(caseworker_id=requested, previous_caseworker_id=current)


@dataclass(frozen=True)
class TeamChoice:
    """The team a new household belongs to, or why none could be chosen."""

    team: str | None
    problem: str | None = None


def registering_team(requested: str | None, teams: frozenset[str], *, leads: bool) -> TeamChoice:
    """Which team a registered household belongs to.

    A caseworker registers for one of their own teams; with exactly one team it is the
    default. A team lead may register for any team, but must name one unless they belong
    to exactly one.
    """
    if requested:
        if leads or requested in teams:
            return TeamChoice(requested)
        return TeamChoice(None, "team is not one of your teams")
    if len(teams) == 1:
        return TeamChoice(next(iter(teams)))
    return TeamChoice(None, "team is required: you belong to no team or to several")


def residence_reminder_on(expires_on: date, *, lead_days: int) -> date:
    """The day the caseworker hears that a residence status expires: `lead_days` before."""
    return expires_on - timedelta(days=lead_days)


# --- the household over time ------------------------------------------------------------


class MemberChangeKind(StrEnum):
    ADDED = "added"
    CORRECTED = "corrected"
    REMOVED = "removed"


class MemberChangeReason(StrEnum):
    """Why a household's members changed: kept in intake, never published."""

    BIRTH = "birth"
    REUNION = "reunion"  # a family member followed (Familiennachzug)
    CORRECTION = "correction"  # recorded wrongly, or registered in error
    MOVED_OUT = "moved_out"
    DECEASED = "deceased"
    OTHER = "other"


# Which reasons fit which change.
REASONS_FOR: dict[MemberChangeKind, frozenset[MemberChangeReason]] = {
    MemberChangeKind.ADDED: frozenset(
        {MemberChangeReason.BIRTH, MemberChangeReason.REUNION, MemberChangeReason.OTHER}
    ),
    MemberChangeKind.CORRECTED: frozenset({MemberChangeReason.CORRECTION}),
    MemberChangeKind.REMOVED: frozenset(
        {
            MemberChangeReason.MOVED_OUT,
            MemberChangeReason.DECEASED,
            MemberChangeReason.CORRECTION,
            MemberChangeReason.OTHER,
        }
    ),
}


def member_problems(member: MemberFacts, today: date, *, prefix: str = "") -> dict[str, str]:
    """Field path → reason, for a member added to or corrected in a household."""
    problems = allocation_problems(
        allocated_on=None, expected_arrival_on=None, members=[member], today=today
    )
    return {prefix + key.removeprefix("members[0]."): value for key, value in problems.items()}


def addition_problems(
    member: MemberFacts, reason: MemberChangeReason, today: date
) -> dict[str, str]:
    problems = member_problems(member, today)
    if reason not in REASONS_FOR[MemberChangeKind.ADDED]:
        problems["reason"] = "not a reason to add a member"
    # A birth is recent: a child of more than a year is a reunion or another addition.
    if (
        reason is MemberChangeReason.BIRTH
        and member.date_of_birth is not None
        and member.date_of_birth < today - timedelta(days=366)
    ):
        problems["date_of_birth"] = "a birth more than a year ago is not a new birth"
    return problems


def removal_refusal(member_count: int, reason: MemberChangeReason) -> Refusal | None:
    """Why a member cannot be removed: the reason does not fit, or they are the last."""
    if reason not in REASONS_FOR[MemberChangeKind.REMOVED]:
        return Refusal("invalid-reason", "not a reason to remove a member", field="reason")
    if member_count <= 1:
        return Refusal(
            "last-member",
            "the household's last member cannot be removed; close the case instead",
        )
    return None


@dataclass(frozen=True)
class Composition:
    """What the others learn of a household's members on a day: age groups, minors."""

    groups: tuple[AgeGroup, ...]

    @property
    def minor_count(self) -> int:
        return sum(group is not AgeGroup.ADULT for group in self.groups)


def composition(dates_of_birth: list[date], day: date) -> Composition:
    return Composition(tuple(age_group(born, day) for born in dates_of_birth))


def residence_change_problems(
    *,
    status: ResidenceStatus,
    valid_from: date,
    expires_on: date | None,
    previous_valid_from: date | None,
    today: date,
) -> dict[str, str]:
    """Field → reason, for a new residence status of a member."""
    problems: dict[str, str] = {}
    if valid_from > today:
        problems["valid_from"] = "a status is recorded once it applies, not ahead"
    elif previous_valid_from is not None and valid_from < previous_valid_from:
        problems["valid_from"] = "lies before the status recorded last"
    if status in EXPIRING_STATUSES and expires_on is None:
        problems["expires_on"] = f"{status} needs an expiry date"
    if expires_on is not None and expires_on <= valid_from:
        problems["expires_on"] = "expiry must lie after the day it applies from"
    return problems


# --- case notes -------------------------------------------------------------------------


class NoteCategory(StrEnum):
    BERATUNG = "beratung"  # counselling
    HAUSBESUCH = "hausbesuch"  # home visit
    KRISENINTERVENTION = "krisenintervention"
    BEHOERDENKONTAKT = "behoerdenkontakt"  # with an authority (Ausländerbehörde, Jobcenter)
    TELEFONAT = "telefonat"
    SONSTIGES = "sonstiges"


def note_edit_refusal(
    *, author: str, editor: str, created_at: datetime, now: datetime, window: timedelta
) -> Refusal | None:
    """A note is its author's to edit for `window` after writing it; then it stands as
    written, and only an addendum adds to it (an audit-proof record)."""
    if editor != author:
        return Refusal("not-author", "only the note's author may change it; add an addendum")
    if now > created_at + window:
        return Refusal("note-locked", "the note can no longer be changed; add an addendum")
    return None


def note_problems(*, noted_on: date | None, today: date) -> dict[str, str]:
    if noted_on is not None and noted_on > today:
        return {"noted_on": "a note is about what happened, not ahead"}
    return {}


# --- follow-ups (Wiedervorlagen) --------------------------------------------------------


class Due(StrEnum):
    """Where a follow-up stands on a caseworker's list."""

    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    LATER = "later"


def due(due_on: date, today: date) -> Due:
    """Overdue, due today, due later this week (to Sunday), or later."""
    if due_on < today:
        return Due.OVERDUE
    if due_on == today:
        return Due.TODAY
    if due_on <= week_end(today):
        return Due.THIS_WEEK
    return Due.LATER


def week_end(day: date) -> date:
    """The Sunday of `day`'s week (weeks run Monday to Sunday, as in Germany)."""
    return day + timedelta(days=6 - day.weekday())


def follow_up_problems(*, due_on: date | None, today: date, created: bool) -> dict[str, str]:
    """A new follow-up is due today or later; a changed one may stay overdue."""
    if created and due_on is not None and due_on < today:
        return {"due_on": "a follow-up is due today or later"}
    return {}


def appointment_problems(*, starts_at: datetime | None, now: datetime) -> dict[str, str]:
    """A new appointment lies ahead."""
    if starts_at is not None and starts_at < now:
        return {"starts_at": "an appointment is made for a time ahead"}
    return {}
