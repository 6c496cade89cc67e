from datetime import date

import pytest
from courses import domain
from teilhabe.events.courses import OfferKind
from teilhabe.events.households import AgeGroup

TODAY = date(2026, 11, 25)
U3, KITA, SCHOOL, ADULT = (
    AgeGroup.UNDER_THREE,
    AgeGroup.KITA,
    AgeGroup.SCHOOL,
    AgeGroup.ADULT,
)

# The expected table, written out independently of domain.ELIGIBLE_AGE_GROUPS.
EXPECTED = {
    OfferKind.INTEGRATION_COURSE: {ADULT},
    OfferKind.LITERACY_COURSE: {ADULT},
    OfferKind.LANGUAGE_CAFE: {ADULT},
    OfferKind.JOB_READINESS: {ADULT},
    OfferKind.SCHOOL_PLACE: {SCHOOL},
    OfferKind.KITA_PLACE: {KITA},
    OfferKind.LEISURE: {U3, KITA, SCHOOL, ADULT},
    OfferKind.COMMUNITY: {U3, KITA, SCHOOL, ADULT},
}


@pytest.mark.parametrize("kind", list(OfferKind))
@pytest.mark.parametrize("age_group", list(AgeGroup))
def test_eligibility_table(kind: OfferKind, age_group: AgeGroup) -> None:
    assert domain.is_eligible(kind, age_group) is (age_group in EXPECTED[kind])


def test_every_kind_of_offer_has_a_row() -> None:
    assert set(domain.ELIGIBLE_AGE_GROUPS) == set(OfferKind)


def course(
    kind: OfferKind = OfferKind.INTEGRATION_COURSE,
    *,
    seats: int = 3,
    enrolled: int = 0,
    waitlisted: int = 0,
    ends_on: date | None = None,
) -> domain.CourseState:
    return domain.CourseState(kind, seats, ends_on, enrolled, waitlisted)


def decide(
    state: domain.CourseState, age_group: AgeGroup = ADULT, *, listed: bool = False
) -> domain.Seat | domain.WaitlistPlace | domain.Refusal:
    return domain.decide_enrollment(state, age_group=age_group, already_listed=listed, today=TODAY)


def test_a_free_seat_is_given() -> None:
    assert decide(course(seats=3, enrolled=2)) == domain.Seat()


def test_a_full_course_waitlists_at_the_end_of_the_line() -> None:
    assert decide(course(seats=3, enrolled=3)) == domain.WaitlistPlace(position=1)
    assert decide(course(seats=3, enrolled=3, waitlisted=4)) == domain.WaitlistPlace(position=5)


def test_nobody_jumps_the_waitlist() -> None:
    assert decide(course(seats=3, enrolled=2, waitlisted=1)) == domain.WaitlistPlace(position=2)


def test_an_ineligible_person_is_refused_naming_the_member() -> None:
    refusal = decide(course(OfferKind.KITA_PLACE), SCHOOL)
    assert isinstance(refusal, domain.Refusal)
    assert (refusal.code, refusal.field) == ("not-eligible", "member_id")
    assert "kita" in refusal.reason


def test_a_person_is_listed_once_per_course() -> None:
    refusal = decide(course(), listed=True)
    assert isinstance(refusal, domain.Refusal)
    assert refusal.code == "already-enrolled"
    assert refusal.field is None


def test_an_ended_course_takes_nobody() -> None:
    refusal = decide(course(ends_on=date(2026, 11, 24)))
    assert isinstance(refusal, domain.Refusal)
    assert refusal.code == "course-ended"
    assert decide(course(ends_on=TODAY)) == domain.Seat()


def test_a_course_cannot_end_before_it_starts() -> None:
    assert domain.course_problems(starts_on=TODAY, ends_on=date(2026, 11, 1)) == {
        "ends_on": "a course cannot end before it starts"
    }
    assert domain.course_problems(starts_on=TODAY, ends_on=TODAY) == {}
    assert domain.course_problems(starts_on=TODAY, ends_on=None) == {}


def test_free_seats_not_yet_offered_go_to_the_waitlist() -> None:
    assert domain.seats_to_offer_now(seats=3, taken=2, open_offers=0) == 1
    assert domain.seats_to_offer_now(seats=5, taken=2, open_offers=1) == 2
    assert domain.seats_to_offer_now(seats=3, taken=3, open_offers=0) == 0
    # Seats cut below those taken offer nothing, never a negative count.
    assert domain.seats_to_offer_now(seats=2, taken=3, open_offers=1) == 0


def test_a_withdrawn_enrollment_is_not_withdrawn_again() -> None:
    assert domain.withdrawal_problem(domain.EnrollmentStatus.ENROLLED) is None
    assert domain.withdrawal_problem(domain.EnrollmentStatus.WAITLISTED) is None
    refusal = domain.withdrawal_problem(domain.EnrollmentStatus.WITHDRAWN)
    assert refusal is not None
    assert refusal.code == "already-withdrawn"


def test_free_seats_are_those_nobody_holds_and_never_fewer_than_none() -> None:
    assert domain.free_seats(seats=12, enrolled=5) == 7
    assert domain.free_seats(seats=12, enrolled=12) == 0
    assert domain.free_seats(seats=10, enrolled=12) == 0
