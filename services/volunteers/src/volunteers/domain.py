"""Rules of volunteering: pure functions, no database, clock or logger.

The extended police clearance (erweitertes Führungszeugnis, §72a SGB VIII) may be kept
only as three facts: that it was inspected (and when), the certificate's issue date, and
whether a relevant conviction is recorded. Everything here works on those facts alone.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from teilhabe.refusal import Refusal

# A certificate older than this at inspection is refused (common practice under §72a).
MAX_CERTIFICATE_AGE_MONTHS = 3
# §72a para. 5 SGB VIII: deleted at the latest three months after the activity ends.
RETENTION_AFTER_ACTIVITY_MONTHS = 3


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class MinorsClearance(StrEnum):
    """Whether a volunteer may work with minors, and if not, why."""

    VALID = "valid"
    MISSING = "missing"
    CONVICTION = "conviction"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Clearance:
    inspected_on: date
    issued_on: date
    relevant_conviction: bool


@dataclass(frozen=True)
class ClearanceRules:
    """The periods the city sets (settings), handed to the rules and use cases by their
    callers rather than read inside them, so that each rule is seen with its inputs."""

    validity_years: int  # from the issue date until a clearance must be re-inspected
    reminder_days: int  # how long before that the coordinators hear of it
    take_up_months: int  # how long a clearance is kept while no mentorship has started


@dataclass(frozen=True)
class Mentorship:
    """One match of the volunteer with a household: the activity the clearance is for."""

    started_on: date
    ended_on: date | None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def clearance_problems(*, inspected_on: date, issued_on: date, today: date) -> dict[str, str]:
    """Field → reason, for a clearance that cannot be accepted as given."""
    problems: dict[str, str] = {}
    if inspected_on > today:
        problems["inspected_on"] = "the inspection date lies in the future"
    if issued_on > inspected_on:
        problems["issued_on"] = "the certificate cannot be issued after its inspection"
    elif issued_on < add_months(inspected_on, -MAX_CERTIFICATE_AGE_MONTHS):
        problems["issued_on"] = (
            f"the certificate was more than {MAX_CERTIFICATE_AGE_MONTHS} months old"
            " when it was inspected; a newer one is needed"
        )
    return problems


def clearance_expires_on(issued_on: date, *, validity_years: int) -> date:
    """First day on which the clearance no longer counts and must be re-inspected."""
    return add_months(issued_on, 12 * validity_years)


def reinspection_reminder_on(
    clearance: Clearance, *, validity_years: int, lead_days: int
) -> date | None:
    """The day coordinators hear that the clearance runs out; None if it never counted."""
    if clearance.relevant_conviction:
        return None
    expires_on = clearance_expires_on(clearance.issued_on, validity_years=validity_years)
    return expires_on - timedelta(days=lead_days)


def minors_clearance(
    clearance: Clearance | None, *, on: date, validity_years: int
) -> MinorsClearance:
    if clearance is None:
        return MinorsClearance.MISSING
    if clearance.relevant_conviction:
        return MinorsClearance.CONVICTION
    if on >= clearance_expires_on(clearance.issued_on, validity_years=validity_years):
        return MinorsClearance.EXPIRED
    return MinorsClearance.VALID


def may_work_with_minors(clearance: Clearance | None, *, on: date, validity_years: int) -> bool:
    """Only with an inspected clearance, without relevant conviction, not yet expired."""
    return minors_clearance(clearance, on=on, validity_years=validity_years) is (
        MinorsClearance.VALID
    )


def is_retained(delete_after: date | None, *, today: date) -> bool:
    """False once the record's deletion day has come: it then counts as gone, purged or not."""
    return delete_after is None or today < delete_after


def visible_clearance(
    clearance: Clearance | None, *, delete_after: date | None, today: date
) -> Clearance | None:
    """The clearance as every rule and page sees it: none once its deletion day has come
    (it counts as gone from that day, whether the purge has run yet or not)."""
    if clearance is None or not is_retained(delete_after, today=today):
        return None
    return clearance


def mentor_needs_clearance(
    *, household_has_minors: bool, clearance: Clearance | None, on: date, rules: ClearanceRules
) -> bool:
    """Whether a running mentorship is to be flagged: its household has minors (a birth,
    a reunited child) and the mentor may not work with minors on that day."""
    return household_has_minors and not may_work_with_minors(
        clearance, on=on, validity_years=rules.validity_years
    )


def clearance_delete_after(
    *, inspected_on: date, mentorships: Sequence[Mentorship], take_up_months: int
) -> date | None:
    """The day from which the clearance record must be gone; None while the activity runs.

    Only mentorships since the inspection count. One still running keeps the record. One
    that ran at least a day was taken up: the record goes three months after the last
    ended. One ended on the day it was to start was not taken up: the record goes at
    once. With no mentorship yet, the record waits `take_up_months` for one, then counts
    as not taken up.
    """
    ended: list[tuple[date, date]] = []
    for mentorship in mentorships:
        if mentorship.ended_on is None:
            return None
        if mentorship.ended_on >= inspected_on:
            ended.append((mentorship.started_on, mentorship.ended_on))
    taken_up = [ended_on for started_on, ended_on in ended if ended_on > started_on]
    if taken_up:
        return add_months(max(taken_up), RETENTION_AFTER_ACTIVITY_MONTHS)
    if ended:
        return max(ended_on for _, ended_on in ended)
    return add_months(inspected_on, take_up_months)


def match_refusal(
    *,
    household_has_minors: bool,
    clearance: Clearance | None,
    started_on: date,
    today: date,
    validity_years: int,
    already_matched: bool,
) -> Refusal | None:
    """Why this volunteer cannot become the household's mentor, or None if they can.

    A household with minors needs a volunteer who may work with minors today and on the
    day the mentorship starts.
    """
    if already_matched:
        return Refusal("already-matched", "the volunteer is already this household's mentor")
    check_on = max(today, started_on)
    if household_has_minors and not may_work_with_minors(
        clearance, on=check_on, validity_years=validity_years
    ):
        return Refusal(
            "clearance-required",
            "the household has minors: its mentor needs a valid extended police clearance"
            " (§72a SGB VIII) without a relevant conviction, not expired on "
            f"{check_on.isoformat()}",
        )
    return None


def end_match_problem(*, started_on: date, ended_on: date, already_ended: bool) -> Refusal | None:
    if already_ended:
        return Refusal("already-ended", "the mentorship has already ended")
    if ended_on < started_on:
        return Refusal(
            "before-start", "a mentorship cannot end before it started", field="ended_on"
        )
    return None


# --- shifts (Volunteer Planner's core) ---------------------------------------------------


def signup_refusal(
    *,
    slots: int,
    taken: int,
    already_signed_up: bool,
    cancelled: bool,
    started: bool,
    needs_clearance: bool,
    clearance: Clearance | None,
    shift_day: date,
    today: date,
    validity_years: int,
) -> Refusal | None:
    """Why the volunteer cannot take a slot of the shift, or None if they can.

    A shift with work with children needs a clearance valid today and on the shift's day.
    """
    if cancelled:
        return Refusal("shift-cancelled", "the shift has been cancelled")
    if started:
        return Refusal("shift-started", "the shift has already begun")
    if already_signed_up:
        return Refusal("already-signed-up", "the volunteer is already signed up for this shift")
    if needs_clearance and not all(
        may_work_with_minors(clearance, on=day, validity_years=validity_years)
        for day in (today, max(today, shift_day))
    ):
        return Refusal(
            "clearance-required",
            "this shift includes work with children: it needs a valid extended police"
            " clearance (§72a SGB VIII) without a relevant conviction, not expired on "
            f"{max(today, shift_day).isoformat()}",
        )
    if taken >= slots:
        return Refusal("shift-full", "every slot of this shift is taken")
    return None


def shift_problems(*, starts_at: datetime, ends_at: datetime, now: datetime) -> dict[str, str]:
    """Field → reason, for a shift that cannot be planned as given."""
    problems: dict[str, str] = {}
    if ends_at <= starts_at:
        problems["ends_at"] = "a shift must end after it starts"
    elif starts_at <= now:
        problems["starts_at"] = "a shift must lie in the future"
    return problems


# --- help requests from staff to the volunteer pool ------------------------------------


@dataclass(frozen=True)
class HelpNeed:
    """What a help request asks for: a language and a skill (either may be open), when."""

    language: str | None
    skill: str | None
    starts_at: datetime
    ends_at: datetime
    weekday: Weekday  # of the start, in the city's time


@dataclass(frozen=True)
class Helper:
    volunteer_id: UUID
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    available_weekdays: tuple[str, ...]
    # Shifts and accepted requests of the volunteer: (start, end) each.
    busy: tuple[tuple[datetime, datetime], ...] = ()


def can_help(helper: Helper, need: HelpNeed) -> bool:
    """Speaks the language, has the skill (a tag containing it, in any case), is usually
    available on that weekday, and has nothing else at that time."""
    if need.language and need.language not in helper.languages:
        return False
    if need.skill and not any(need.skill.casefold() in tag.casefold() for tag in helper.skills):
        return False
    if need.weekday.value not in helper.available_weekdays:
        return False
    return not any(start < need.ends_at and need.starts_at < end for start, end in helper.busy)


def helpers_for(need: HelpNeed, helpers: Sequence[Helper]) -> list[UUID]:
    """The volunteers the request goes to, in a stable order."""
    return sorted((h.volunteer_id for h in helpers if can_help(h, need)), key=str)


class HelpStatus(StrEnum):
    OPEN = "open"  # nobody took it yet, and its time is still to come: it may be accepted
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"  # by whoever asked, or a coordinator
    CLOSED = "closed"  # its time began without anyone taking it


def help_status(
    *, accepted: bool, withdrawn: bool, starts_at: datetime, now: datetime
) -> HelpStatus:
    """Where a help request stands: the one rule of when it is open (the use cases, the
    pages and the list of a volunteer's requests all ask this; `help_requests.open_now`
    says the same in SQL)."""
    if withdrawn:
        return HelpStatus.WITHDRAWN
    if accepted:
        return HelpStatus.ACCEPTED
    return HelpStatus.OPEN if starts_at > now else HelpStatus.CLOSED


def accept_refusal(*, status: HelpStatus, offered: bool) -> Refusal | None:
    """One acceptance closes a request: the others are told it is taken."""
    if not offered:
        return Refusal("not-offered", "this request was not offered to this volunteer")
    if status is not HelpStatus.OPEN:
        return Refusal("already-accepted", "this request has already been accepted or withdrawn")
    return None


def withdraw_refusal(
    *, status: HelpStatus, asked_by_them: bool, coordinator: bool
) -> Refusal | None:
    """Whoever asked (or a coordinator) may withdraw a request, open or accepted, until
    its time begins; the volunteers it reached are then told."""
    if not (asked_by_them or coordinator):
        return Refusal("not-yours", "only who asked for the help or a coordinator may withdraw it")
    if status is HelpStatus.WITHDRAWN:
        return Refusal("already-withdrawn", "this request has already been withdrawn")
    if status is HelpStatus.CLOSED:
        return Refusal("already-begun", "the time of this request has begun")
    return None


# --- mentorship suggestions --------------------------------------------------------------

# Distance between two German postcodes, approximated by how many leading digits they
# share: the first digit is the postal zone, the first two the region (Leitregion), the
# first three roughly a town or district. Good enough to rank "nearby" without geodata.
POSTCODE_UNKNOWN = 5


def postcode_distance(first: str | None, second: str | None) -> int:
    """0 same postcode, 1 same district (3 digits), 2 same region (2), 3 same zone (1),
    4 elsewhere, 5 if either is unknown."""
    if not first or not second or len(first) != 5 or len(second) != 5:
        return POSTCODE_UNKNOWN
    shared = 0
    for a, b in zip(first, second, strict=True):
        if a != b:
            break
        shared += 1
    return {5: 0, 4: 1, 3: 1, 2: 2, 1: 3}.get(shared, 4)


@dataclass(frozen=True)
class MentorProspect:
    volunteer_id: UUID
    display_name: str
    languages: tuple[str, ...]
    postcode: str | None
    available_weekdays: tuple[str, ...]
    running_mentorships: int
    clearance: Clearance | None


@dataclass(frozen=True)
class RankedMentor:
    prospect: MentorProspect
    shared_languages: tuple[str, ...]
    distance: int


def rank_mentors(
    prospects: Sequence[MentorProspect],
    *,
    household_languages: Sequence[str],
    household_postcode: str | None,
    household_has_minors: bool,
    today: date,
    validity_years: int,
) -> list[RankedMentor]:
    """Volunteers who may mentor the household, best first: most shared languages, then
    nearest (postcode_distance), then most weekdays available, then fewest mentorships
    already running, then by name. A household with minors gets only volunteers who
    may work with minors."""
    spoken = set(household_languages)
    ranked = [
        RankedMentor(
            prospect,
            tuple(code for code in prospect.languages if code in spoken),
            postcode_distance(prospect.postcode, household_postcode),
        )
        for prospect in prospects
        if not household_has_minors
        or may_work_with_minors(prospect.clearance, on=today, validity_years=validity_years)
    ]
    return sorted(
        ranked,
        key=lambda r: (
            -len(r.shared_languages),
            r.distance,
            -len(r.prospect.available_weekdays),
            r.prospect.running_mentorships,
            r.prospect.display_name.casefold(),
        ),
    )
