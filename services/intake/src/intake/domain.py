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


# --- the residence rule (§ 12a AufenthG) -------------------------------------------------


class ObligationLift(StrEnum):
    """Why a residence obligation ended before its day (§ 12a(1) sentence 2 AufenthG)."""

    EMPLOYMENT = "employment"  # 15 hours a week subject to social insurance, enough income
    TRAINING = "training"  # vocational training
    STUDIES = "studies"
    OTHER = "other"  # e.g. lifted by the authority for hardship


@dataclass(frozen=True)
class Obligation:
    """A member's residence obligation as the rules see it."""

    member_position: int
    bound_until: date
    lifted_on: date | None = None

    def binds_on(self, day: date) -> bool:
        """Whether it still ties the member to the city on `day`."""
        return day < self.bound_until and (self.lifted_on is None or day < self.lifted_on)


def obligation_problems(
    *, bound_until: date | None, recognised_on: date | None, today: date
) -> dict[str, str]:
    """An obligation ends after the recognition it runs from, three years at the most."""
    problems: dict[str, str] = {}
    if bound_until is not None and recognised_on is not None:
        if bound_until <= recognised_on:
            problems["bound_until"] = "the obligation ends after the recognition"
        elif bound_until > _years_after(recognised_on, 3):
            problems["bound_until"] = "the obligation lasts three years from recognition at most"
    if recognised_on is not None and recognised_on > today:
        problems["recognised_on"] = "recognition lies in the future"
    return problems


def lift_problems(
    *, lifted_on: date, bound_until: date, already_lifted: bool, today: date
) -> dict[str, str]:
    if already_lifted:
        return {"lifted_on": "the obligation is lifted already"}
    if lifted_on > today:
        return {"lifted_on": "an obligation is lifted on a day not ahead"}
    if lifted_on >= bound_until:
        return {"lifted_on": "the obligation has ended by then anyway"}
    return {}


def obligation_reminder_on(bound_until: date, *, lead_days: int) -> date:
    """The day the caseworker hears that the obligation ends: `lead_days` before."""
    return bound_until - timedelta(days=lead_days)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- closing a case ----------------------------------------------------------------------


class ClosureReason(StrEnum):
    MOVED_AWAY = "moved_away"  # left the city
    NATURALISED = "naturalised"  # became German: no refugee case any more
    OTHER = "other"  # e.g. deceased, returned, care no longer needed


def closure_problems(
    *,
    reason: ClosureReason,
    closed_on: date,
    allocated_on: date,
    today: date,
    already_closed: bool,
    obligations: list[Obligation],
) -> dict[str, str]:
    """A case closes once, on a day from its allocation up to today; a household whose
    member is still bound to the city (§ 12a AufenthG) cannot be closed as moved away:
    the obligation must be lifted (or have ended) first."""
    if already_closed:
        return {"closed_on": "the case is closed already"}
    problems: dict[str, str] = {}
    if closed_on > today:
        problems["closed_on"] = "a case is closed on a day not ahead"
    elif closed_on < allocated_on:
        problems["closed_on"] = "a case cannot close before its allocation"
    if reason is ClosureReason.MOVED_AWAY:
        bound = sorted(
            (o for o in obligations if o.binds_on(closed_on)), key=lambda o: o.member_position
        )
        if bound:
            first = bound[0]
            problems["reason"] = (
                f"member {first.member_position + 1} is bound to the city until "
                f"{first.bound_until.isoformat()} (§ 12a AufenthG)"
            )
    return problems


CASE_CLOSED = "the case is closed"
# Why a follow-up still open when its case closed is done (FollowUp.done_reason).
DONE_CASE_CLOSED = "case_closed"
# Why an appointment still ahead when its case closed is cancelled (Appointment.cancel_reason).
CANCELLED_CASE_CLOSED = "case_closed"


def case_closed_refusal(closed_on: date | None) -> Refusal | None:
    """A closed case takes nothing new: no follow-up, appointment, referral, residence
    obligation or case note for the household or its members, and no appointment is
    cancelled any more (what is on record stays, and may still be finished: a follow-up
    done, a referral answered, a note corrected by an addendum)."""
    if closed_on is None:
        return None
    return Refusal("case-closed", CASE_CLOSED)


# --- school duty and integration course ------------------------------------------------

# Compulsory schooling in NRW: full-time from six for ten school years, then vocational
# school to eighteen (§§ 34–38 SchulG NRW); for children of asylum seekers from their
# allocation to a municipality (§ 34(6)).
SCHOOL_DUTY_FROM = 6
SCHOOL_DUTY_UNTIL = 18
# The city looks for a school place at once: the follow-up is due within a week.
SCHOOL_PLACE_FOLLOW_UP_DAYS = 7
# Registering for an integration course: three months after admission (IntV § 7).
INTEGRATION_COURSE_FOLLOW_UP_DAYS = 14


# The school-duty follow-up's reason, by which a place found in courses
# (school_place.assigned) finds the follow-up to close.
SCHOOL_DUTY_REASON = "Schulpflicht (§ 34 Abs. 6 SchulG NRW): Schulplatz finden und anmelden"


def in_school_duty(date_of_birth: date, day: date) -> bool:
    return SCHOOL_DUTY_FROM <= age_on(date_of_birth, day) < SCHOOL_DUTY_UNTIL


class CourseEntitlement(StrEnum):
    """What a residence status gives towards the integration course (IntV, §§ 44, 44a
    AufenthG), as the city configures it (the law changes; the rule is data)."""

    ENTITLED = "entitled"  # Teilnahmeberechtigung
    OBLIGED = "obliged"  # Teilnahmeverpflichtung
    ADMISSIBLE = "admissible"  # may be admitted on application (e.g. Gestattung)


@dataclass(frozen=True)
class ArrivalFollowUp:
    """A follow-up an allocation starts for one member: what, and by when."""

    member_position: int
    kind: str  # "school_duty" or "integration_course"
    due_on: date
    reason: str
    entitlement: CourseEntitlement | None = None


def arrival_follow_ups(
    members: list[tuple[date, str]],
    *,
    allocated_on: date,
    today: date,
    course_rules: dict[str, CourseEntitlement],
) -> list[ArrivalFollowUp]:
    """The follow-ups an allocation needs: a school place for every member in school duty,
    and the integration course for adults whose status gives an entitlement, obligation or
    admission. `members` are (date of birth, residence status) in the household's order."""
    start = max(allocated_on, today)
    found = []
    for position, (date_of_birth, status) in enumerate(members):
        if in_school_duty(date_of_birth, allocated_on):
            found.append(
                ArrivalFollowUp(
                    position,
                    "school_duty",
                    start + timedelta(days=SCHOOL_PLACE_FOLLOW_UP_DAYS),
                    SCHOOL_DUTY_REASON,
                )
            )
        elif age_on(date_of_birth, allocated_on) >= ADULT_AGE and status in course_rules:
            entitlement = course_rules[status]
            found.append(
                ArrivalFollowUp(
                    position,
                    "integration_course",
                    start + timedelta(days=INTEGRATION_COURSE_FOLLOW_UP_DAYS),
                    INTEGRATION_COURSE_REASONS[entitlement],
                    entitlement,
                )
            )
    return found


INTEGRATION_COURSE_REASONS = {
    CourseEntitlement.ENTITLED: "Integrationskurs (IntV): teilnahmeberechtigt, Anmeldung "
    "beim Kursträger begleiten",
    CourseEntitlement.OBLIGED: "Integrationskurs (IntV): zur Teilnahme verpflichtet, "
    "Anmeldung veranlassen",
    CourseEntitlement.ADMISSIBLE: "Integrationskurs (IntV): Zulassung beim BAMF beantragen, "
    "dann binnen drei Monaten anmelden",
}


# --- referrals ---------------------------------------------------------------------------


class ReferralTarget(StrEnum):
    """Where a caseworker refers a person to."""

    JOBCENTER = "jobcenter"
    IMMIGRATION_OFFICE = "auslaenderbehoerde"
    MIGRATION_COUNSELLING = "migration_counselling"
    DOCTOR = "doctor"
    SCHOOL = "school"
    COURSE = "course"


class ReferralState(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DONE = "done"
    DECLINED = "declined"


# Where a referral may go from each state: accepted or declined by the agency, then done.
REFERRAL_STEPS: dict[ReferralState, frozenset[ReferralState]] = {
    ReferralState.SENT: frozenset({ReferralState.ACCEPTED, ReferralState.DECLINED}),
    ReferralState.ACCEPTED: frozenset({ReferralState.DONE, ReferralState.DECLINED}),
    ReferralState.DONE: frozenset(),
    ReferralState.DECLINED: frozenset(),
}


def referral_step_refusal(current: ReferralState, new: ReferralState) -> Refusal | None:
    if new in REFERRAL_STEPS[current]:
        return None
    if not REFERRAL_STEPS[current]:
        return Refusal("referral-closed", f"the referral is {current.value} already")
    return Refusal("referral-step", f"a referral that is {current.value} cannot become {new.value}")
