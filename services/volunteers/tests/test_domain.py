import uuid
from datetime import UTC, date, datetime, timedelta

from volunteers import domain

TODAY = date(2026, 11, 25)
YEARS = 5


def clearance(issued_on: date = date(2026, 10, 1), *, conviction: bool = False) -> domain.Clearance:
    return domain.Clearance(inspected_on=TODAY, issued_on=issued_on, relevant_conviction=conviction)


def test_months_are_added_as_calendar_months() -> None:
    assert domain.add_months(date(2026, 11, 25), -3) == date(2026, 8, 25)
    assert domain.add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)
    assert domain.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert domain.add_months(date(2024, 2, 29), 12 * 5) == date(2029, 2, 28)


def test_a_certificate_at_most_three_months_old_at_inspection_is_accepted() -> None:
    assert not domain.clearance_problems(
        inspected_on=TODAY, issued_on=date(2026, 8, 25), today=TODAY
    )
    problems = domain.clearance_problems(
        inspected_on=TODAY, issued_on=date(2026, 8, 24), today=TODAY
    )
    assert set(problems) == {"issued_on"}
    assert "3 months" in problems["issued_on"]


def test_the_age_counts_at_inspection_not_at_recording() -> None:
    inspected = date(2026, 10, 1)
    assert not domain.clearance_problems(
        inspected_on=inspected, issued_on=date(2026, 7, 1), today=TODAY
    )


def test_impossible_dates_are_refused() -> None:
    problems = domain.clearance_problems(
        inspected_on=date(2026, 12, 1), issued_on=date(2026, 12, 2), today=TODAY
    )
    assert set(problems) == {"inspected_on", "issued_on"}


def test_a_clearance_expires_after_the_renewal_period_from_its_issue_date() -> None:
    issued = date(2026, 10, 1)
    assert domain.clearance_expires_on(issued, validity_years=5) == date(2031, 10, 1)
    assert domain.may_work_with_minors(clearance(issued), on=date(2031, 9, 30), validity_years=5)
    assert not domain.may_work_with_minors(
        clearance(issued), on=date(2031, 10, 1), validity_years=5
    )
    assert domain.minors_clearance(clearance(issued), on=date(2031, 10, 1), validity_years=5) is (
        domain.MinorsClearance.EXPIRED
    )
    # The city sets the period: three years makes the same certificate lapse earlier.
    assert not domain.may_work_with_minors(
        clearance(issued), on=date(2029, 10, 1), validity_years=3
    )


def test_no_work_with_minors_without_clearance_or_with_a_conviction() -> None:
    assert not domain.may_work_with_minors(None, on=TODAY, validity_years=YEARS)
    assert domain.minors_clearance(None, on=TODAY, validity_years=YEARS) is (
        domain.MinorsClearance.MISSING
    )
    convicted = clearance(conviction=True)
    assert not domain.may_work_with_minors(convicted, on=TODAY, validity_years=YEARS)
    assert domain.minors_clearance(convicted, on=TODAY, validity_years=YEARS) is (
        domain.MinorsClearance.CONVICTION
    )
    assert domain.may_work_with_minors(clearance(), on=TODAY, validity_years=YEARS)


def refusal(
    has_minors: bool, given: domain.Clearance | None, started_on: date = TODAY
) -> domain.Refusal | None:
    return domain.match_refusal(
        household_has_minors=has_minors,
        clearance=given,
        started_on=started_on,
        today=TODAY,
        validity_years=YEARS,
        already_matched=False,
    )


def test_a_household_with_minors_needs_a_volunteer_cleared_for_minors() -> None:
    for refused in (None, clearance(conviction=True), clearance(date(2021, 11, 1))):
        result = refusal(True, refused)
        assert result is not None
        assert result.code == "clearance-required"
        assert result.field is None
    assert refusal(True, clearance()) is None


def test_a_household_without_minors_needs_no_clearance() -> None:
    assert refusal(False, None) is None
    assert refusal(False, clearance(conviction=True)) is None


def test_the_clearance_must_still_be_valid_when_the_mentorship_starts() -> None:
    expiring = clearance(date(2021, 12, 1))  # valid until 2026-11-30
    assert refusal(True, expiring, started_on=TODAY) is None
    late = refusal(True, expiring, started_on=date(2026, 12, 1))
    assert late is not None
    assert late.code == "clearance-required"


def test_a_volunteer_is_not_matched_twice_to_one_household() -> None:
    refusal = domain.match_refusal(
        household_has_minors=False,
        clearance=None,
        started_on=TODAY,
        today=TODAY,
        validity_years=YEARS,
        already_matched=True,
    )
    assert refusal is not None
    assert refusal.code == "already-matched"


def test_deletion_waits_for_take_up_then_follows_the_activity() -> None:
    inspected = date(2026, 11, 2)

    def delete_after(*mentorships: domain.Mentorship) -> date | None:
        return domain.clearance_delete_after(
            inspected_on=inspected, mentorships=mentorships, take_up_months=3
        )

    # No mentorship yet: kept for the take-up period only.
    assert delete_after() == date(2027, 2, 2)
    # A running mentorship keeps it.
    assert delete_after(domain.Mentorship(date(2026, 11, 10), None)) is None
    # Three months after the (last) activity ended.
    assert delete_after(
        domain.Mentorship(date(2026, 11, 10), date(2027, 3, 31)),
        domain.Mentorship(date(2026, 12, 1), date(2027, 1, 15)),
    ) == date(2027, 6, 30)
    # A mentorship ended before it began was not taken up: delete at once.
    assert delete_after(domain.Mentorship(date(2026, 12, 1), date(2026, 12, 1))) == date(
        2026, 12, 1
    )
    # Activities that ended before this inspection do not count for it.
    assert delete_after(domain.Mentorship(date(2025, 1, 1), date(2026, 6, 30))) == date(2027, 2, 2)


def test_a_lapsed_record_counts_as_gone() -> None:
    assert domain.is_retained(None, today=TODAY)
    assert domain.is_retained(date(2026, 11, 26), today=TODAY)
    assert not domain.is_retained(TODAY, today=TODAY)


def test_ending_a_mentorship() -> None:
    start = date(2026, 11, 1)
    before = domain.end_match_problem(
        started_on=start, ended_on=date(2026, 10, 31), already_ended=False
    )
    assert before is not None
    assert before.field == "ended_on"
    ended = domain.end_match_problem(started_on=start, ended_on=start, already_ended=True)
    assert ended is not None
    assert ended.code == "already-ended"
    assert domain.end_match_problem(started_on=start, ended_on=start, already_ended=False) is None


def prospect(
    name: str,
    languages: tuple[str, ...],
    *,
    cleared: bool = True,
    postcode: str | None = None,
    weekdays: tuple[str, ...] = ("tue",),
    running: int = 0,
) -> domain.MentorProspect:
    return domain.MentorProspect(
        uuid.uuid4(), name, languages, postcode, weekdays, running, clearance() if cleared else None
    )


def test_suggestions_respect_minors_and_rank_by_shared_languages() -> None:
    both = prospect("Bärbel", ("de", "ar", "ku"))
    one = prospect("Anton", ("de", "ar"))
    uncleared = prospect("Carla", ("ar", "ku"), cleared=False)

    def suggest(has_minors: bool) -> list[domain.MentorProspect]:
        ranked = domain.rank_mentors(
            [one, uncleared, both],
            household_languages=("ar", "ku"),
            household_postcode=None,
            household_has_minors=has_minors,
            today=TODAY,
            validity_years=YEARS,
        )
        return [r.prospect for r in ranked]

    assert suggest(True) == [both, one]
    assert suggest(False) == [both, uncleared, one]


def test_postcode_distance_goes_by_shared_leading_digits() -> None:
    assert domain.postcode_distance("48249", "48249") == 0
    assert domain.postcode_distance("48249", "48653") == 2  # Dülmen, Coesfeld: region 48
    assert domain.postcode_distance("48249", "48231") == 1  # same district, 482..
    assert domain.postcode_distance("48249", "44137") == 3  # Dortmund: zone 4
    assert domain.postcode_distance("48249", "10115") == 4  # Berlin
    assert domain.postcode_distance("48249", None) == domain.POSTCODE_UNKNOWN
    assert domain.postcode_distance("4824", "48249") == domain.POSTCODE_UNKNOWN


def test_mentors_rank_by_language_then_distance_then_availability_then_load() -> None:
    far = prospect("Anna", ("ar",), postcode="10115")
    near = prospect("Berta", ("ar",), postcode="48249", weekdays=("mon",))
    near_more_days = prospect("Cem", ("ar",), postcode="48249", weekdays=("mon", "wed", "fri"))
    near_busy = prospect(
        "Dora", ("ar",), postcode="48249", weekdays=("mon", "wed", "fri"), running=2
    )
    no_language = prospect("Emil", ("de",), postcode="48249", weekdays=("mon", "wed", "fri"))
    ranked = domain.rank_mentors(
        [far, near_busy, no_language, near, near_more_days],
        household_languages=("ar",),
        household_postcode="48249",
        household_has_minors=False,
        today=TODAY,
        validity_years=YEARS,
    )
    assert [r.prospect.display_name for r in ranked] == ["Cem", "Dora", "Berta", "Anna", "Emil"]
    assert [r.distance for r in ranked] == [0, 0, 0, 4, 0]
    assert ranked[0].shared_languages == ("ar",)


def test_a_shift_slot_is_refused_when_full_cancelled_begun_taken_or_not_cleared() -> None:
    base = {
        "slots": 3,
        "taken": 2,
        "already_signed_up": False,
        "cancelled": False,
        "started": False,
        "needs_clearance": False,
        "clearance": None,
        "shift_day": TODAY,
        "today": TODAY,
        "validity_years": YEARS,
    }
    assert domain.signup_refusal(**base) is None  # type: ignore[arg-type]
    for change, code in (
        ({"taken": 3}, "shift-full"),
        ({"cancelled": True}, "shift-cancelled"),
        ({"started": True}, "shift-started"),
        ({"already_signed_up": True}, "already-signed-up"),
        ({"needs_clearance": True}, "clearance-required"),
    ):
        refusal = domain.signup_refusal(**(base | change))  # type: ignore[arg-type]
        assert refusal is not None
        assert refusal.code == code
    cleared = base | {"needs_clearance": True, "clearance": clearance()}
    assert domain.signup_refusal(**cleared) is None  # type: ignore[arg-type]


def test_a_help_request_matches_language_skill_weekday_and_free_time() -> None:
    starts = datetime(2026, 12, 8, 9, tzinfo=UTC)
    need = domain.HelpNeed(
        "ar", "dolmetsch", starts, starts + timedelta(hours=1), domain.Weekday.TUE
    )

    def helper(**changes: object) -> domain.Helper:
        fields: dict[str, object] = {
            "volunteer_id": uuid.uuid4(),
            "languages": ("ar", "de"),
            "skills": ("Dolmetschen",),
            "available_weekdays": ("tue",),
            "busy": (),
        }
        return domain.Helper(**(fields | changes))  # type: ignore[arg-type]

    fits = helper()
    assert domain.can_help(fits, need)
    assert not domain.can_help(helper(languages=("de",)), need)
    assert not domain.can_help(helper(skills=("Nachhilfe",)), need)
    assert not domain.can_help(helper(available_weekdays=("wed",)), need)
    overlapping = ((starts + timedelta(minutes=30), starts + timedelta(hours=2)),)
    assert not domain.can_help(helper(busy=overlapping), need)
    adjacent = ((starts + timedelta(hours=1), starts + timedelta(hours=2)),)
    assert domain.can_help(helper(busy=adjacent), need)
    assert domain.helpers_for(need, [helper(languages=("fa",)), fits]) == [fits.volunteer_id]
    open_need = domain.HelpNeed(None, None, starts, starts + timedelta(hours=1), domain.Weekday.TUE)
    assert domain.can_help(helper(languages=("fa",), skills=()), open_need)


def test_one_acceptance_closes_a_request() -> None:
    open_ = domain.HelpStatus.OPEN
    assert domain.accept_refusal(status=open_, offered=True) is None
    for status in (
        domain.HelpStatus.ACCEPTED,
        domain.HelpStatus.WITHDRAWN,
        domain.HelpStatus.CLOSED,
    ):
        taken = domain.accept_refusal(status=status, offered=True)
        assert taken is not None
        assert taken.code == "already-accepted"
    not_offered = domain.accept_refusal(status=open_, offered=False)
    assert not_offered is not None
    assert not_offered.code == "not-offered"


def test_a_request_is_open_until_taken_withdrawn_or_begun() -> None:
    now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    later = now + timedelta(hours=1)

    def status(
        *, accepted: bool = False, withdrawn: bool = False, starts_at: datetime = later
    ) -> str:
        return domain.help_status(
            accepted=accepted, withdrawn=withdrawn, starts_at=starts_at, now=now
        )

    assert status() == "open"
    assert status(accepted=True) == "accepted"
    assert status(withdrawn=True) == "withdrawn"
    assert status(accepted=True, withdrawn=True) == "withdrawn"
    assert status(starts_at=now) == "closed"
    assert status(accepted=True, starts_at=now) == "accepted"


def test_who_asked_or_a_coordinator_withdraws_a_request_before_it_begins() -> None:
    open_, accepted = domain.HelpStatus.OPEN, domain.HelpStatus.ACCEPTED
    for status in (open_, accepted):
        assert domain.withdraw_refusal(status=status, asked_by_them=True, coordinator=False) is None
        assert domain.withdraw_refusal(status=status, asked_by_them=False, coordinator=True) is None
    codes = {
        refusal.code
        for refusal in (
            domain.withdraw_refusal(status=open_, asked_by_them=False, coordinator=False),
            domain.withdraw_refusal(
                status=domain.HelpStatus.WITHDRAWN, asked_by_them=True, coordinator=False
            ),
            domain.withdraw_refusal(
                status=domain.HelpStatus.CLOSED, asked_by_them=True, coordinator=True
            ),
        )
        if refusal is not None
    }
    assert codes == {"not-yours", "already-withdrawn", "already-begun"}


RULES = domain.ClearanceRules(validity_years=YEARS, reminder_days=28, take_up_months=3)


def test_a_clearance_is_seen_until_its_deletion_day_and_not_from_then() -> None:
    held = clearance()
    assert domain.visible_clearance(held, delete_after=None, today=TODAY) == held
    assert domain.visible_clearance(held, delete_after=date(2026, 11, 26), today=TODAY) == held
    assert domain.visible_clearance(held, delete_after=TODAY, today=TODAY) is None
    assert domain.visible_clearance(None, delete_after=None, today=TODAY) is None


def test_a_mentor_is_flagged_only_for_minors_and_by_the_validity_passed_in() -> None:
    issued = date(2021, 12, 1)  # five years later: 01.12.2026
    old = clearance(issued)

    def flagged(*, minors: bool, held: domain.Clearance | None, years: int = YEARS) -> bool:
        rules = domain.ClearanceRules(validity_years=years, reminder_days=28, take_up_months=3)
        return domain.mentor_needs_clearance(
            household_has_minors=minors, clearance=held, on=TODAY, rules=rules
        )

    assert not flagged(minors=False, held=None)
    assert flagged(minors=True, held=None)
    assert flagged(minors=True, held=clearance(conviction=True))
    assert not flagged(minors=True, held=old)  # valid until 30.11.2026
    # The city's validity decides, as passed in: four years and the same one has run out.
    assert flagged(minors=True, held=old, years=4)
    assert not flagged(minors=True, held=clearance(), years=RULES.validity_years)
