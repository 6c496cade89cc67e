"""Rules of courses and other offers: pure functions, no database, clock or logger."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from teilhabe.events.courses import Institution, OfferKind
from teilhabe.events.households import AgeGroup
from teilhabe.events.work import WorkPermitStatus
from teilhabe.refusal import Refusal


class EnrollmentStatus(StrEnum):
    """Where a person stands with a course.

    `completed` follows `enrolled` when the offer is finished (with its result, if any);
    `withdrawn` is the state of someone who gave up a seat or a waitlist place.
    """

    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class SeatOfferStatus(StrEnum):
    """A freed seat offered to someone waiting: open until answered or its deadline.

    `void`: the offer ended without an answer because the waiting person was withdrawn.
    """

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    VOID = "void"


# States that hold a seat or a waitlist place; a person has at most one per course.
ACTIVE_STATUSES = frozenset({EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED})

# Who takes part in a course's sessions: those holding a seat, and (to correct a record)
# those who completed it.
ATTENDING_STATUSES = frozenset({EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED})

ADULTS = frozenset({AgeGroup.ADULT})
EVERYONE = frozenset(AgeGroup)

# Who may take up which kind of offer, by age group on the allocation date. Kept as one
# table so that a change of practice (say, youth integration courses) is a change of data.
ELIGIBLE_AGE_GROUPS: Mapping[OfferKind, frozenset[AgeGroup]] = MappingProxyType(
    {
        OfferKind.INTEGRATION_COURSE: ADULTS,
        OfferKind.LITERACY_COURSE: ADULTS,
        OfferKind.LANGUAGE_CAFE: ADULTS,
        OfferKind.JOB_READINESS: ADULTS,
        OfferKind.SCHOOL_PLACE: frozenset({AgeGroup.SCHOOL}),
        OfferKind.KITA_PLACE: frozenset({AgeGroup.KITA}),
        OfferKind.LEISURE: EVERYONE,
        OfferKind.COMMUNITY: EVERYONE,
    }
)

# The kinds of offer that locals and volunteers may join too, as guests: a name and one
# contact, nothing more, deleted after the offer ends (courses.retention).
OPEN_TO_GUESTS: frozenset[OfferKind] = frozenset(
    {OfferKind.COMMUNITY, OfferKind.LANGUAGE_CAFE, OfferKind.LEISURE}
)


def is_eligible(kind: OfferKind, age_group: AgeGroup) -> bool:
    return age_group in ELIGIBLE_AGE_GROUPS[kind]


@dataclass(frozen=True)
class Seat:
    """The person gets one of the course's free seats."""


@dataclass(frozen=True)
class WaitlistPlace:
    """Every seat is taken: the person waits at `position` (1 = next in line)."""

    position: int


@dataclass(frozen=True)
class CourseState:
    kind: OfferKind
    seats: int
    ends_on: date | None
    enrolled: int
    waitlisted: int


def course_problems(*, starts_on: date, ends_on: date | None) -> dict[str, str]:
    """Field → reason, for a course that cannot be created as given."""
    if ends_on is not None and ends_on < starts_on:
        return {"ends_on": "a course cannot end before it starts"}
    return {}


def course_team(requested: str | None, teams: frozenset[str]) -> tuple[str | None, str | None]:
    """The team running a new course (its creator's), or why the requested one cannot.

    Without a request: the creator's team if they have exactly one, else none (then the
    creator alone sees the participants).
    """
    if requested is None:
        return (next(iter(teams)) if len(teams) == 1 else None), None
    if requested not in teams:
        return None, "team is not one of your teams"
    return requested, None


def decide_enrollment(
    course: CourseState, *, age_group: AgeGroup, already_listed: bool, today: date
) -> Seat | WaitlistPlace | Refusal:
    """A seat, a waitlist place or a refusal for one person asking to join a course.

    Nobody gets a seat directly while others wait: free seats go to the waitlist first
    (see `seats_to_offer_now`), so a free seat here also means an empty waitlist.
    """
    if course.ends_on is not None and course.ends_on < today:
        return Refusal("course-ended", f"the course ended on {course.ends_on.isoformat()}")
    if not is_eligible(course.kind, age_group):
        groups = ", ".join(sorted(ELIGIBLE_AGE_GROUPS[course.kind]))
        return Refusal(
            "not-eligible",
            f"a {course.kind} is open to the age groups {groups}, not to {age_group}",
            field="member_id",
        )
    if already_listed:
        return Refusal(
            "already-enrolled", "the person is already enrolled or waitlisted for this course"
        )
    if course.enrolled < course.seats and course.waitlisted == 0:
        return Seat()
    return WaitlistPlace(position=course.waitlisted + 1)


def seats_to_offer_now(*, seats: int, taken: int, open_offers: int) -> int:
    """Free seats not yet offered to anyone: each goes to the next on the waitlist."""
    return max(seats - taken - open_offers, 0)


def seat_offer_problem(status: SeatOfferStatus) -> Refusal | None:
    """Only an open offer can be accepted or declined."""
    if status is SeatOfferStatus.OPEN:
        return None
    if status is SeatOfferStatus.EXPIRED:
        return Refusal("offer-expired", "the seat offer expired; the seat went to the next")
    return Refusal("offer-closed", f"the seat offer is {status} already")


def free_seats(*, seats: int, enrolled: int) -> int:
    """Seats nobody holds; never below none (seats may be cut below those enrolled)."""
    return max(seats - enrolled, 0)


def guest_problem(
    *, kind: OfferKind, ends_on: date | None, taken: int, seats: int, waitlisted: int, today: date
) -> Refusal | None:
    """Why a guest (a local, a volunteer) cannot join this offer, if they cannot.

    A guest's data goes when the offer ends, so only offers with a known end take guests;
    guests get a free seat or none (no waitlist: a seat offer would need more of their
    data), and never one a waiting person is due.
    """
    if kind not in OPEN_TO_GUESTS:
        return Refusal("not-open-to-guests", f"a {kind} is open to allocated people only")
    if ends_on is None:
        return Refusal(
            "no-end",
            "guests may join only an offer with an end date (their data goes when it ends)",
        )
    if ends_on < today:
        return Refusal("course-ended", f"the offer ended on {ends_on.isoformat()}")
    if taken >= seats or waitlisted > 0:
        return Refusal("no-free-seat", "every seat of the offer is taken")
    return None


def withdrawal_problem(status: EnrollmentStatus) -> Refusal | None:
    if status is EnrollmentStatus.WITHDRAWN:
        return Refusal("already-withdrawn", "the enrollment is already withdrawn")
    if status is EnrollmentStatus.COMPLETED:
        return Refusal("already-completed", "the enrollment is completed; nothing to withdraw")
    return None


def completion_problem(status: EnrollmentStatus) -> Refusal | None:
    """Only a seat can be completed: not a waitlist place, nor twice."""
    if status is EnrollmentStatus.ENROLLED:
        return None
    if status is EnrollmentStatus.COMPLETED:
        return Refusal("already-completed", "the enrollment is already completed")
    return Refusal("not-enrolled", f"only an enrolled participant can complete, not {status}")


def session_problems(*, starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    if ends_at <= starts_at:
        return {"ends_at": "a session ends after it starts"}
    return {}


def attendance_problems(entries: Sequence[UUID], participants: Collection[UUID]) -> dict[str, str]:
    """Field → reason: each entry names a participant holding a seat, once."""
    if len(set(entries)) != len(entries):
        return {"entries": "a participant is named more than once"}
    strangers = [entry for entry in entries if entry not in participants]
    if strangers:
        return {"entries": "not an enrolled participant of this course: " + str(strangers[0])}
    return {}


# --- work: permits, opportunities and placements ------------------------------------------
# (WorkPermitStatus is the event catalogue's; the rules about it are here.)

NO_PERMIT = "no work permit status recorded that allows employment on this day"
NO_PERMIT_FOR_PLACEMENT = "no work permit status recorded that allows this placement on this day"


class OpportunityKind(StrEnum):
    """What a work opportunity is. Job-readiness offers and Arbeitsgelegenheiten under
    § 5 AsylbLG are no employment; an internship (Praktikum) and an Arbeitsgelegenheit
    under § 16d SGB II need a permit that allows employment."""

    JOB_READINESS = "job_readiness"
    INTERNSHIP = "internship"
    AGH_ASYLBLG = "agh_asylblg"  # Arbeitsgelegenheit, § 5 AsylbLG
    AGH_SGB2 = "agh_sgb2"  # Arbeitsgelegenheit, § 16d SGB II


NEEDS_PERMIT = frozenset({OpportunityKind.INTERNSHIP, OpportunityKind.AGH_SGB2})


class PlacementStatus(StrEnum):
    PROPOSED = "proposed"
    STARTED = "started"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"  # proposed, never started


OPEN_PLACEMENTS = frozenset({PlacementStatus.PROPOSED, PlacementStatus.STARTED})


class PlacementOutcome(StrEnum):
    COMPLETED = "completed"  # finished as planned
    EMPLOYMENT = "employment"  # went on into work
    TRAINING = "training"  # went on into vocational training
    BROKE_OFF = "broke_off"
    OTHER = "other"


class ConsentState(StrEnum):
    """Whether the Jobcenter may receive events about a person (their consent to it)."""

    GIVEN = "given"
    REVOKED = "revoked"
    NONE = "none"


# Partner agencies are named by their broker user; the Jobcenter's starts so
# (e.g. jobcenter-kreis-coesfeld), whichever Jobcenter serves the city.
JOBCENTER_AGENCY_PREFIX = "jobcenter"


def permit_allows_employment(
    status: WorkPermitStatus | None, valid_until: date | None, on: date
) -> bool:
    """Whether a recorded permit status allows employment on day `on`: permitted (also
    with the foreigners' authority's approval) and not run out before that day."""
    if status is None or not status.allows_employment:
        return False
    return valid_until is None or valid_until >= on


def employment_start_problem(
    status: WorkPermitStatus | None, valid_until: date | None, started_on: date
) -> dict[str, str]:
    if permit_allows_employment(status, valid_until, started_on):
        return {}
    return {"member_id": NO_PERMIT}


def placement_needs_permit(kind: OpportunityKind) -> bool:
    return kind in NEEDS_PERMIT


def placement_problem(
    kind: OpportunityKind, status: WorkPermitStatus | None, valid_until: date | None, on: date
) -> dict[str, str]:
    """A placement proposed or started on day `on`: refused at the person for a kind that
    needs a permit when none allows employment that day."""
    if not placement_needs_permit(kind) or permit_allows_employment(status, valid_until, on):
        return {}
    return {"member_id": NO_PERMIT_FOR_PLACEMENT}


def placement_change_problem(current: PlacementStatus, wanted: PlacementStatus) -> Refusal | None:
    """proposed → started or withdrawn; started → ended; nothing after ended or withdrawn."""
    allowed = {
        PlacementStatus.PROPOSED: {PlacementStatus.STARTED, PlacementStatus.WITHDRAWN},
        PlacementStatus.STARTED: {PlacementStatus.ENDED},
    }
    if wanted in allowed.get(current, set()):
        return None
    return Refusal(
        code=f"placement-{current.value}",
        reason=f"a {current.value} placement cannot be {wanted.value}",
    )


def jobcenter_consent(
    consents: Sequence[tuple[str, date, date | None]], on: date
) -> tuple[ConsentState, date | None]:
    """The person's consent to the Jobcenter on day `on`, from (agency, granted_on,
    revoked_on) rows: given (since when), revoked (when), or none."""
    state, since = ConsentState.NONE, None
    for agency, granted_on, revoked_on in sorted(consents, key=lambda c: c[1]):
        if not agency.startswith(JOBCENTER_AGENCY_PREFIX) or granted_on > on:
            continue
        if revoked_on is None or revoked_on > on:
            return ConsentState.GIVEN, granted_on
        state, since = ConsentState.REVOKED, revoked_on
    return state, since


# --- school places: a child's request for a place at a school or Kita ---------------------
#
# A request is open when intake asks for a place; a coordinator records what became of
# it: a place at a school or Kita (final), a waiting list (still to be met), or closed with
# a reason (final). Waiting may be recorded again (e.g. a second school asked).


class SchoolPlaceStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    PLACED = "placed"
    CLOSED = "closed"


# Requests still to be met: what the coordinators' list shows by default.
PENDING_SCHOOL_PLACES = frozenset({SchoolPlaceStatus.OPEN, SchoolPlaceStatus.WAITING})
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
    if status in PENDING_SCHOOL_PLACES:
        return None
    return Refusal("request-decided", f"the school-place request is {status} already")
