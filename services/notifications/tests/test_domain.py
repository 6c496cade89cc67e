from datetime import UTC, datetime

from notifications import domain
from notifications.domain import Addressee, Audience, Channel, Circle, RecipientProfile
from notifications.handlers import HANDLERS
from teilhabe.auth import Role
from teilhabe.events.catalogue import CATALOGUE, load_catalogue

CIRCLE = Circle(
    caseworker="cw-anna",
    new_caseworker="cw-bert",
    mentors=("volunteer:m1", "volunteer:m2"),
    volunteer="volunteer:v1",
    staff_by_role={
        Role.HOUSING_OFFICER: ("ho-carla", "cw-anna"),
        Role.VOLUNTEER_COORDINATOR: ("vc-dana",),
    },
)


def ids(event_type: str, circle: Circle = CIRCLE) -> list[str]:
    return [a.recipient_id for a in domain.addressees(event_type, circle)]


def test_every_event_notifications_handles_has_a_rule() -> None:
    # An erasure is obeyed (notifications.erasure), not told to anyone; a volunteer's key
    # is kept to open their sealed name and address, not told either, nor a sign-in's.
    told_nobody = {"erasure.requested", "volunteer.key_issued", "staff_member.key_issued"}
    assert {model.event_type for model in HANDLERS} - told_nobody == set(domain.RULES)


def test_notifications_handles_every_event_but_those_that_keep_other_read_models() -> None:
    load_catalogue()
    # What housing alone needs; a household's members as they are now (courses, housing
    # and volunteers keep them; nobody is told); consents (the agency gateway's); what
    # agencies send in (their receivers'); an erasure and its confirmations (told to nobody);
    # a closed case (each service ends its own, and their events tell whom it concerns);
    # a school-place request (courses keeps it for its coordinators); a referral's steps
    # (for the named agency, by the agency gateway).
    sent_in = {event_type for (event_type, _), model in CATALOGUE.items() if model.inbound}
    not_notices = sent_in | {
        "household.referred_to_housing",
        "household.members_changed",
        "consent.granted",
        "consent.revoked",
        "erasure.requested",
        "erasure.completed",
        # Work: for partner agencies by consent (the gateway); staff read it in courses.
        "employment.started",
        "employment.ended",
        "work.handed_over_to_jobcenter",
        "work_placement.started",
        "work_placement.ended",
        "household.case_closed",
        "school_place.requested",
        # What became of it: intake closes the school-duty follow-up; caseworkers read the
        # school in courses.
        "school_place.assigned",
        "school_place.waiting",
        "school_place.closed",
        "referral.sent",
        "referral.state_changed",
        # An arrival is housing's; a no-show becomes the caseworker's follow-up in intake,
        # which reminds them when it is due.
        "household.arrived",
        "household.not_arrived",
        # A volunteer's key (notifications keeps it to open their sealed contact data),
        # and a sign-in's (kept until it opened the sign-in).
        "volunteer.key_issued",
        "staff_member.key_issued",
    }
    assert {event_type for event_type, _ in CATALOGUE} - not_notices == set(domain.RULES)


def test_an_allocation_reaches_the_caseworker_and_every_housing_officer_once() -> None:
    assert domain.addressees("household.assigned", CIRCLE) == [
        Addressee("cw-anna", Audience.CASEWORKER),
        Addressee("ho-carla", Audience.HOUSING_OFFICERS),
    ]


def test_an_allocation_without_caseworker_reaches_the_housing_officers() -> None:
    circle = Circle(staff_by_role={Role.HOUSING_OFFICER: ("ho-carla",)})
    assert ids("household.assigned", circle) == ["ho-carla"]


def test_a_new_caseworker_hears_of_their_assignment_alone() -> None:
    assert ids("caseworker.assigned") == ["cw-bert"]


def test_moves_and_courses_reach_the_caseworker_and_the_mentors() -> None:
    for event_type in (
        "household.moved_in",
        "household.moved_out",
        "course.enrolled",
        "course.waitlisted",
    ):
        assert ids(event_type) == ["cw-anna", "volunteer:m1", "volunteer:m2"], event_type


def test_a_match_reaches_the_volunteer_and_the_caseworker() -> None:
    assert domain.addressees("volunteer.matched", CIRCLE) == [
        Addressee("volunteer:v1", Audience.VOLUNTEER),
        Addressee("cw-anna", Audience.CASEWORKER),
    ]


def test_a_registration_reaches_the_volunteer_coordinators() -> None:
    assert ids("volunteer.registered") == ["vc-dana"]
    assert domain.roles_needed("volunteer.registered") == (Role.VOLUNTEER_COORDINATOR,)


def test_a_residence_reminder_reaches_the_caseworker_or_while_none_every_caseworker() -> None:
    event_type = "member.residence_status_expiring"
    caseworkers = {Role.CASEWORKER: ("cw-anna", "cw-bert")}
    assert domain.addressees(
        event_type, Circle(caseworker="cw-anna", staff_by_role=caseworkers)
    ) == [Addressee("cw-anna", Audience.CASEWORKER)]
    assert domain.addressees(event_type, Circle(staff_by_role=caseworkers)) == [
        Addressee("cw-anna", Audience.CASEWORKERS),
        Addressee("cw-bert", Audience.CASEWORKERS),
    ]
    assert domain.roles_needed(event_type) == (Role.CASEWORKER,)


def test_a_clearance_reminder_reaches_the_volunteer_coordinators() -> None:
    assert ids("volunteer.clearance_reinspection_due") == ["vc-dana"]


def test_nobody_around_means_nobody_hears() -> None:
    assert ids("household.moved_in", Circle()) == []
    assert ids("unknown.event") == []


def test_channels_follow_the_address_and_the_settings() -> None:
    with_mail = RecipientProfile("cw-anna", email="anna@duelmen.example")
    assert domain.channels(with_mail, "course.enrolled", ()) == [Channel.INBOX, Channel.EMAIL]
    muted = {("course.enrolled", Channel.EMAIL)}
    assert domain.channels(with_mail, "course.enrolled", muted) == [Channel.INBOX]
    assert domain.channels(with_mail, "course.waitlisted", muted) == [
        Channel.INBOX,
        Channel.EMAIL,
    ]
    no_mail = RecipientProfile("cw-anna")
    assert domain.channels(no_mail, "course.enrolled", ()) == [Channel.INBOX]
    everything_off = {("course.enrolled", Channel.INBOX)}
    assert domain.channels(no_mail, "course.enrolled", everything_off) == []


def test_a_critical_event_ignores_what_was_turned_off() -> None:
    event_type = "member.residence_status_expiring"
    assert domain.is_critical(event_type)
    with_mail = RecipientProfile("cw-anna", email="anna@duelmen.example")
    everything_off = {(event_type, Channel.INBOX), (event_type, Channel.EMAIL)}
    assert domain.channels(with_mail, event_type, everything_off) == [
        Channel.INBOX,
        Channel.EMAIL,
    ]
    assert not domain.is_critical("course.enrolled")


def test_a_seat_offer_with_its_deadline_is_critical() -> None:
    assert domain.is_critical("course.seat_offered")
    assert not domain.is_critical("course.seat_offer_expired")


def test_every_critical_event_is_one_somebody_hears_of() -> None:
    assert set(domain.EVENT_TYPES) >= domain.CRITICAL_EVENT_TYPES


def test_template_language_falls_back_to_german() -> None:
    assert domain.template_language("en") == "en"
    assert domain.template_language("en-GB") == "en"
    assert domain.template_language("EN_us") == "en"
    assert domain.template_language("de") == "de"
    assert domain.template_language("ar") == "de"
    assert domain.template_language("uk") == "de"
    assert domain.template_language("") == "de"
    assert domain.template_language(None) == "de"
    assert domain.template_language("ar", available=("de", "en", "ar")) == "ar"


def test_household_reference_prefers_the_notice_number() -> None:
    assert domain.household_reference("c0ffee00-1111-2222-3333-444455556666", "BRA-7") == "BRA-7"
    assert domain.household_reference("c0ffee00-1111-2222-3333-444455556666", None) == "H-c0ffee00"


def test_volunteers_and_staff_have_distinct_recipient_ids() -> None:
    recipient_id = domain.volunteer_recipient_id("5d7f")
    assert recipient_id == "volunteer:5d7f"
    assert domain.recipient_kind(recipient_id) is domain.RecipientKind.VOLUNTEER
    assert domain.recipient_kind("f3b1c2d4-keycloak-subject") is domain.RecipientKind.STAFF


DELAYS = (1.0, 5.0, 30.0, 120.0, 600.0)


def test_failed_attempts_back_off_then_give_up() -> None:
    waits = [
        domain.after_failed_attempt(attempt, DELAYS, permanent=False).retry_in_seconds
        for attempt in range(1, 6)
    ]
    assert waits == list(DELAYS)
    final = domain.after_failed_attempt(6, DELAYS, permanent=False)
    assert final == domain.AttemptResult(domain.AttemptOutcome.FAILED)


def test_a_permanent_refusal_is_final_at_once() -> None:
    result = domain.after_failed_attempt(1, DELAYS, permanent=True)
    assert result.outcome is domain.AttemptOutcome.FAILED


def test_only_a_refused_mailbox_is_permanent() -> None:
    assert domain.is_permanent_refusal(550, recipient_refused=True)
    assert not domain.is_permanent_refusal(451, recipient_refused=True)
    assert not domain.is_permanent_refusal(554, recipient_refused=False)  # the relay's trouble
    assert not domain.is_permanent_refusal(None, recipient_refused=False)


def test_the_latest_caseworker_wins_and_of_two_at_once_the_later_in_the_run() -> None:
    nine = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    ten = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    run = [
        domain.CaseworkerAssignment("h1", "cw-late", ten),
        domain.CaseworkerAssignment("h1", "cw-early", nine),
        domain.CaseworkerAssignment("h2", "cw-first", nine),
        domain.CaseworkerAssignment("h2", "cw-second", nine),
    ]
    chosen = {a.household_id: a.caseworker_id for a in domain.latest_assignments(run)}
    assert chosen == {"h1": "cw-late", "h2": "cw-second"}


def test_shifts_and_help_requests_reach_the_volunteers_they_name_and_who_asked() -> None:
    circle = Circle(
        volunteer="volunteer:v1",
        named_volunteers=("volunteer:v1", "volunteer:v2"),
        requester="cw-anna",
    )
    for event_type in ("shift.cancelled", "help_request.opened"):
        assert domain.addressees(event_type, circle) == [
            Addressee("volunteer:v1", Audience.NAMED_VOLUNTEERS),
            Addressee("volunteer:v2", Audience.NAMED_VOLUNTEERS),
        ]
    assert domain.addressees("help_request.accepted", circle) == [
        Addressee("cw-anna", Audience.REQUESTER),
        Addressee("volunteer:v1", Audience.VOLUNTEER),
    ]


def test_a_seat_offer_and_its_expiry_reach_the_caseworker_only() -> None:
    for event_type in ("course.seat_offered", "course.seat_offer_expired"):
        assert domain.addressees(event_type, CIRCLE) == [
            Addressee("cw-anna", Audience.CASEWORKER)
        ], event_type
    for event_type in ("course.seat_offer_accepted", "course.seat_offer_declined"):
        assert domain.addressees(event_type, CIRCLE) == [], event_type
