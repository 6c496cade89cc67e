"""Rules of the residence obligation (§ 12a AufenthG), closing a case, and the follow-ups
an allocation starts (school duty, § 34(6) SchulG NRW; integration course, IntV)."""

from __future__ import annotations

from datetime import date

from intake import domain
from intake.domain import ClosureReason, CourseEntitlement, Obligation

TODAY = date(2026, 12, 3)


def test_an_obligation_lasts_three_years_from_recognition_at_most() -> None:
    recognised = date(2025, 2, 28)
    assert (
        domain.obligation_problems(
            bound_until=date(2028, 2, 28), recognised_on=recognised, today=TODAY
        )
        == {}
    )
    assert (
        "three years"
        in domain.obligation_problems(
            bound_until=date(2028, 3, 1), recognised_on=recognised, today=TODAY
        )["bound_until"]
    )
    assert (
        "after the recognition"
        in domain.obligation_problems(
            bound_until=recognised, recognised_on=recognised, today=TODAY
        )["bound_until"]
    )
    assert (
        "future"
        in domain.obligation_problems(
            bound_until=date(2030, 1, 1), recognised_on=date(2027, 1, 1), today=TODAY
        )["recognised_on"]
    )
    # Recognised on 29 February: three years on is 28 February.
    assert (
        domain.obligation_problems(
            bound_until=date(2027, 2, 28), recognised_on=date(2024, 2, 29), today=TODAY
        )
        == {}
    )


def test_an_obligation_binds_until_its_day_or_until_lifted() -> None:
    obligation = Obligation(0, bound_until=date(2027, 6, 1))
    assert obligation.binds_on(date(2027, 5, 31))
    assert not obligation.binds_on(date(2027, 6, 1))
    lifted = Obligation(0, bound_until=date(2027, 6, 1), lifted_on=date(2026, 12, 1))
    assert not lifted.binds_on(TODAY)
    assert (
        domain.lift_problems(
            lifted_on=TODAY, bound_until=date(2027, 6, 1), already_lifted=False, today=TODAY
        )
        == {}
    )
    assert domain.lift_problems(
        lifted_on=date(2026, 12, 4), bound_until=date(2027, 6, 1), already_lifted=False, today=TODAY
    ) == {"lifted_on": "an obligation is lifted on a day not ahead"}
    assert (
        "already"
        in domain.lift_problems(
            lifted_on=TODAY, bound_until=date(2027, 6, 1), already_lifted=True, today=TODAY
        )["lifted_on"]
    )
    assert domain.obligation_reminder_on(date(2027, 6, 1), lead_days=56) == date(2027, 4, 6)


def test_a_household_bound_to_the_city_cannot_be_closed_as_moved_away() -> None:
    bound = [Obligation(1, bound_until=date(2027, 6, 1)), Obligation(0, date(2027, 9, 1))]

    def problems(reason: ClosureReason, **overrides: object) -> dict[str, str]:
        facts: dict[str, object] = {
            "reason": reason,
            "closed_on": TODAY,
            "allocated_on": date(2026, 1, 10),
            "today": TODAY,
            "already_closed": False,
            "obligations": bound,
        }
        return domain.closure_problems(**(facts | overrides))  # type: ignore[arg-type]

    assert problems(ClosureReason.MOVED_AWAY) == {
        "reason": "member 1 is bound to the city until 2027-09-01 (§ 12a AufenthG)"
    }
    # Naturalised: the obligation is gone with the foreign status; other ends too.
    assert problems(ClosureReason.NATURALISED) == {}
    assert problems(ClosureReason.OTHER) == {}
    assert problems(ClosureReason.MOVED_AWAY, obligations=[]) == {}
    assert (
        problems(ClosureReason.MOVED_AWAY, closed_on=date(2027, 9, 1), today=date(2027, 9, 1)) == {}
    )
    assert problems(ClosureReason.OTHER, closed_on=date(2026, 12, 4)) == {
        "closed_on": "a case is closed on a day not ahead"
    }
    assert problems(ClosureReason.OTHER, closed_on=date(2026, 1, 9)) == {
        "closed_on": "a case cannot close before its allocation"
    }
    assert problems(ClosureReason.OTHER, already_closed=True) == {
        "closed_on": "the case is closed already"
    }


RULES = {
    "aufenthaltserlaubnis": CourseEntitlement.OBLIGED,
    "aufenthaltsgestattung": CourseEntitlement.ADMISSIBLE,
}


def test_an_allocation_starts_the_school_duty_and_integration_course_follow_ups() -> None:
    allocated = date(2026, 11, 20)
    members = [
        (date(1985, 1, 1), "aufenthaltserlaubnis"),  # adult, obliged
        (date(1990, 1, 1), "duldung"),  # adult, no rule configured: nothing
        (date(2015, 6, 1), "aufenthaltserlaubnis"),  # 11: school duty
        (date(2008, 11, 21), "aufenthaltsgestattung"),  # 17 on the allocation: school duty
        (date(2021, 1, 1), "aufenthaltsgestattung"),  # 5: not yet
        (date(2008, 11, 20), "aufenthaltsgestattung"),  # 18 that day: adult, admissible
    ]
    found = domain.arrival_follow_ups(
        members, allocated_on=allocated, today=TODAY, course_rules=RULES
    )
    assert [(f.member_position, f.kind, f.entitlement) for f in found] == [
        (0, "integration_course", CourseEntitlement.OBLIGED),
        (2, "school_duty", None),
        (3, "school_duty", None),
        (5, "integration_course", CourseEntitlement.ADMISSIBLE),
    ]
    # From today (the allocation lies before): a school place within a week.
    assert found[1].due_on == date(2026, 12, 10)
    assert "§ 34 Abs. 6 SchulG NRW" in found[1].reason
    assert "verpflichtet" in found[0].reason
    assert domain.in_school_duty(date(2020, 12, 3), TODAY)
    assert not domain.in_school_duty(date(2020, 12, 4), TODAY)


def test_a_closed_case_takes_nothing_new() -> None:
    assert domain.case_closed_refusal(None) is None
    refusal = domain.case_closed_refusal(date(2026, 11, 30))
    assert refusal is not None
    # No field is at fault: the case's state refuses (409), whatever was typed.
    assert (refusal.code, refusal.reason, refusal.field) == (
        "case-closed",
        "the case is closed",
        None,
    )
