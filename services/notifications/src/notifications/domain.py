"""Rules of notifications: who hears of what, on which channel, in which language.

Pure functions and data, no database, clock or logger. The routing table `RULES` is
data: each event type names the audiences that hear of it, in order of precedence.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from teilhabe.auth import Role

from notifications.timing import DeliveryTimes, sending_time

VOLUNTEER_PREFIX = "volunteer:"
DEFAULT_LANGUAGE = "de"
# Staff read German or English; volunteers also the languages of the people they help,
# wherever a text exists in it (otherwise German).
LANGUAGES = ("de", "en")
VOLUNTEER_LANGUAGES = ("de", "en", "ar", "uk", "fa", "ru", "tr")
RIGHT_TO_LEFT = frozenset({"ar", "fa"})


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # an e-mail waiting for its (next) attempt
    SENT = "sent"  # in the inbox, or accepted by the SMTP relay
    FAILED = "failed"  # no more attempts; kept with its log for an administrator
    HELD = "held"  # an e-mail waiting for the recipient's daily digest
    BUNDLED = "bundled"  # went out within a digest (the digest is a delivery of its own)


class AttemptOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


class RecipientKind(StrEnum):
    STAFF = "staff"
    VOLUNTEER = "volunteer"


class Audience(StrEnum):
    """How a recipient is related to an event; templates word their text by it."""

    CASEWORKER = "caseworker"  # the household's current caseworker
    NEW_CASEWORKER = "new_caseworker"  # the caseworker the event names
    MENTORS = "mentors"  # volunteers matched to the household
    VOLUNTEER = "volunteer"  # the volunteer the event is about
    HOUSING_OFFICERS = "housing_officers"
    VOLUNTEER_COORDINATORS = "volunteer_coordinators"
    CASEWORKERS = "caseworkers"  # every caseworker
    # The household's caseworker, or while it has none, every caseworker.
    CASEWORKER_OR_CASEWORKERS = "caseworker_or_caseworkers"
    # The volunteers an event names (those a help request went to, those of a shift).
    NAMED_VOLUNTEERS = "named_volunteers"
    REQUESTER = "requester"  # the member of staff who asked for help


# Audiences that are every staff recipient holding a role.
ROLE_AUDIENCES: Mapping[Audience, Role] = {
    Audience.HOUSING_OFFICERS: Role.HOUSING_OFFICER,
    Audience.VOLUNTEER_COORDINATORS: Role.VOLUNTEER_COORDINATOR,
    Audience.CASEWORKERS: Role.CASEWORKER,
}
# Audiences that are one person, or while there is none, everyone of a role audience.
FALLBACK_AUDIENCES: Mapping[Audience, tuple[Audience, Audience]] = {
    Audience.CASEWORKER_OR_CASEWORKERS: (Audience.CASEWORKER, Audience.CASEWORKERS),
}

RULES: Mapping[str, tuple[Audience, ...]] = {
    "household.assigned": (Audience.CASEWORKER, Audience.HOUSING_OFFICERS),
    "caseworker.assigned": (Audience.NEW_CASEWORKER,),
    "household.moved_in": (Audience.CASEWORKER, Audience.MENTORS),
    "household.moved_out": (Audience.CASEWORKER, Audience.MENTORS),
    "course.enrolled": (Audience.CASEWORKER, Audience.MENTORS),
    "course.waitlisted": (Audience.CASEWORKER, Audience.MENTORS),
    # Progress through an offer: the caseworker follows it (and may turn it off per kind).
    "course.attendance_recorded": (Audience.CASEWORKER,),
    "course.completed": (Audience.CASEWORKER, Audience.MENTORS),
    "course.withdrawn": (Audience.CASEWORKER,),
    # A freed seat offered to a person of the household, to answer by a deadline: the
    # caseworker may answer on their behalf, and hears if it passed unanswered. An answer
    # is the caseworker's or the coordinator's own act (course.enrolled follows an accept).
    "course.seat_offered": (Audience.CASEWORKER,),
    "course.seat_offer_expired": (Audience.CASEWORKER,),
    "course.seat_offer_accepted": (),
    "course.seat_offer_declined": (),
    "volunteer.matched": (Audience.VOLUNTEER, Audience.CASEWORKER),
    "volunteer.registered": (Audience.VOLUNTEER_COORDINATORS,),
    "staff_member.signed_in": (),  # keeps the directory; nobody is notified
    "member.residence_status_expiring": (Audience.CASEWORKER_OR_CASEWORKERS,),
    "member.residence_status_changed": (Audience.CASEWORKER,),
    "member.residence_obligation_ending": (Audience.CASEWORKER_OR_CASEWORKERS,),
    # Whose list the follow-up is on (the caseworker the event names).
    "follow_up.due": (Audience.NEW_CASEWORKER,),
    "volunteer.clearance_reinspection_due": (Audience.VOLUNTEER_COORDINATORS,),
    # The former mentor hears nothing more of the household; its caseworker is told.
    "mentorship.ended": (Audience.CASEWORKER,),
    # Beds opened or closed: those who place households plan with them.
    "unit.capacity_changed": (Audience.HOUSING_OFFICERS,),
    # Critical: the volunteers signed up must not come for nothing.
    "shift.cancelled": (Audience.NAMED_VOLUNTEERS,),
    # To the volunteers who match it (language, skill, availability).
    "help_request.opened": (Audience.NAMED_VOLUNTEERS,),
    # Critical: who asked learns who comes; the volunteer has it confirmed.
    "help_request.accepted": (Audience.REQUESTER, Audience.VOLUNTEER),
    # Critical: the volunteer who took it must not come for nothing; while it was open,
    # those it was offered to learn it is no longer asked.
    "help_request.withdrawn": (Audience.VOLUNTEER, Audience.NAMED_VOLUNTEERS),
}

# The event types someone hears of: the ones a recipient can turn channels on or off for.
EVENT_TYPES = tuple(event_type for event_type, audiences in RULES.items() if audiences)

# Events that always arrive, on every channel the recipient can be reached on, whatever
# they turned off, and at once rather than in a digest: missing or postponing one has
# consequences within a day (a residence title running out, volunteers coming to a shift
# called off or a help request withdrawn, staff waiting to hear who comes, a freed seat
# passing to the next in line when its deadline is missed).
CRITICAL_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "member.residence_status_expiring",
        "shift.cancelled",
        "help_request.accepted",
        "course.seat_offered",
        "help_request.withdrawn",
    }
)


def is_critical(event_type: str) -> bool:
    return event_type in CRITICAL_EVENT_TYPES


def volunteer_recipient_id(volunteer_id: object) -> str:
    return f"{VOLUNTEER_PREFIX}{volunteer_id}"


def recipient_kind(recipient_id: str) -> RecipientKind:
    if recipient_id.startswith(VOLUNTEER_PREFIX):
        return RecipientKind.VOLUNTEER
    return RecipientKind.STAFF


@dataclass(frozen=True)
class Circle:
    """The people around one event, as the read model knows them when it arrives."""

    caseworker: str | None = None
    new_caseworker: str | None = None
    mentors: Sequence[str] = ()
    volunteer: str | None = None
    staff_by_role: Mapping[Role, Sequence[str]] = field(default_factory=dict)
    named_volunteers: Sequence[str] = ()
    requester: str | None = None

    def members(self, audience: Audience) -> Sequence[str]:
        if audience in ROLE_AUDIENCES:
            return self.staff_by_role.get(ROLE_AUDIENCES[audience], ())
        if audience is Audience.MENTORS:
            return self.mentors
        if audience is Audience.NAMED_VOLUNTEERS:
            return self.named_volunteers
        person = {
            Audience.CASEWORKER: self.caseworker,
            Audience.NEW_CASEWORKER: self.new_caseworker,
            Audience.VOLUNTEER: self.volunteer,
            Audience.REQUESTER: self.requester,
        }[audience]
        return (person,) if person else ()


def roles_needed(event_type: str) -> tuple[Role, ...]:
    """Which staff roles the read model must look up to route this event type."""
    audiences = [FALLBACK_AUDIENCES.get(a, (a, a))[1] for a in RULES.get(event_type, ())]
    return tuple(ROLE_AUDIENCES[a] for a in audiences if a in ROLE_AUDIENCES)


def reaches_mentors(event_type: str) -> bool:
    """Whether the read model must look up a household's mentors to route this event type."""
    return Audience.MENTORS in RULES.get(event_type, ())


@dataclass(frozen=True)
class Addressee:
    recipient_id: str
    audience: Audience


def addressees(event_type: str, circle: Circle) -> list[Addressee]:
    """Who hears of an event: each person once, under the first audience that names them."""
    seen: set[str] = set()
    result = []
    for rule in RULES.get(event_type, ()):
        audience = rule
        if rule in FALLBACK_AUDIENCES:
            first, otherwise = FALLBACK_AUDIENCES[rule]
            audience = first if circle.members(first) else otherwise
        for recipient_id in circle.members(audience):
            if recipient_id not in seen:
                seen.add(recipient_id)
                result.append(Addressee(recipient_id, audience))
    return result


@dataclass(frozen=True)
class RecipientProfile:
    """What routing needs of a recipient; someone not in the directory has no e-mail."""

    recipient_id: str
    language: str = DEFAULT_LANGUAGE
    email: str | None = None
    name: str | None = None
    times: DeliveryTimes = field(default_factory=DeliveryTimes)


@dataclass(frozen=True)
class EmailPlan:
    status: DeliveryStatus
    next_attempt_at: datetime | None


def email_plan(event_type: str, times: DeliveryTimes, now: datetime) -> EmailPlan:
    """How an e-mail starts out: held for the digest, or due now or when quiet hours end.

    A critical event goes out at once: it must arrive before it is too late.
    """
    if is_critical(event_type):
        return EmailPlan(DeliveryStatus.PENDING, now)
    if times.digest_at is not None:
        return EmailPlan(DeliveryStatus.HELD, None)
    return EmailPlan(DeliveryStatus.PENDING, sending_time(now, times))


def channels(
    profile: RecipientProfile, event_type: str, muted: Collection[tuple[str, Channel]]
) -> list[Channel]:
    """The channels an event reaches a recipient on: every channel not turned off, and
    for a critical event every channel.

    E-mail needs an address; the inbox is always there, even before a staff member
    has created a directory entry, so nothing is missed in the first days.
    """
    wanted = [Channel.INBOX]
    if profile.email:
        wanted.append(Channel.EMAIL)
    if is_critical(event_type):
        return wanted
    return [channel for channel in wanted if (event_type, channel) not in muted]


def template_language(preferred: str | None, available: Collection[str] = LANGUAGES) -> str:
    """The language to write in: the preferred one if texts exist, else German.

    Region and script subtags are ignored: `en-GB` is written in `en`.
    """
    primary = (preferred or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in available else DEFAULT_LANGUAGE


def languages_for(kind: RecipientKind) -> tuple[str, ...]:
    return VOLUNTEER_LANGUAGES if kind is RecipientKind.VOLUNTEER else LANGUAGES


def text_direction(language: str) -> str:
    """`rtl` for a language written right to left, else `ltr` (HTML's dir values)."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def household_reference(household_id: object, notice_number: str | None) -> str:
    """How texts name a household: its allocation notice number, else a short reference."""
    if notice_number:
        return notice_number
    return f"H-{str(household_id).replace('-', '')[:8]}"


# --- e-mail attempts ------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    outcome: AttemptOutcome
    retry_in_seconds: float | None = None


def after_failed_attempt(
    attempt: int, delays: Sequence[float], *, permanent: bool
) -> AttemptResult:
    """What follows the `attempt`-th failed attempt (counting from 1).

    The n-th failure waits `delays[n-1]`; a failure past the last delay, or one the
    server called permanent, is final.
    """
    if permanent or attempt > len(delays):
        return AttemptResult(AttemptOutcome.FAILED)
    return AttemptResult(AttemptOutcome.RETRY, retry_in_seconds=delays[attempt - 1])


def is_permanent_refusal(code: int | None, *, recipient_refused: bool) -> bool:
    """Whether an SMTP failure will not get better by retrying.

    Only a 5xx refusal of the recipient address is final (the mailbox does not exist or
    takes no mail). Everything else, 4xx, a 5xx to the connection, login, sender or
    content, or no answer at all, is taken as the relay's trouble and retried: a
    misconfigured relay must not fail every queued message at once.
    """
    return recipient_refused and code is not None and 500 <= code < 600


@dataclass(frozen=True)
class CaseworkerAssignment:
    household_id: object
    caseworker_id: str
    since: datetime


def latest_assignments(
    assignments: Sequence[CaseworkerAssignment],
) -> list[CaseworkerAssignment]:
    """Per household the caseworker assigned last: the latest caseworker wins, of two at the
    same moment the later one in `assignments`. (The table keeps the same rule against what
    it holds, for assignments that arrive after a later one.)"""
    latest: dict[object, CaseworkerAssignment] = {}
    for assignment in assignments:
        held = latest.get(assignment.household_id)
        if held is None or held.since <= assignment.since:
            latest[assignment.household_id] = assignment
    return list(latest.values())
