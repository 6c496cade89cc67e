from datetime import UTC, date, datetime

from intake import domain
from teilhabe.events.households import AgeGroup

TODAY = date(2026, 11, 25)


def test_age_counts_the_birthday_itself() -> None:
    assert domain.age_on(date(2008, 11, 25), TODAY) == 18
    assert domain.age_on(date(2008, 11, 26), TODAY) == 17


def test_age_groups_follow_kita_and_school_age() -> None:
    assert domain.age_group(date(2025, 1, 1), TODAY) is AgeGroup.UNDER_THREE
    assert domain.age_group(date(2022, 1, 1), TODAY) is AgeGroup.KITA
    assert domain.age_group(date(2015, 1, 1), TODAY) is AgeGroup.SCHOOL
    assert domain.age_group(date(1990, 1, 1), TODAY) is AgeGroup.ADULT


def test_allocation_problems_name_each_field() -> None:
    problems = domain.allocation_problems(
        allocated_on=date(2026, 12, 1),
        expected_arrival_on=date(2026, 11, 1),
        members=[
            domain.MemberFacts(
                date(1990, 1, 1), domain.ResidenceStatus.NIEDERLASSUNGSERLAUBNIS, None
            ),
            domain.MemberFacts(date(2027, 1, 1), domain.ResidenceStatus.DULDUNG, None),
        ],
        today=TODAY,
    )
    assert set(problems) == {
        "allocated_on",
        "expected_arrival_on",
        "members[1].date_of_birth",
        "members[1].residence_status_expires_on",
    }


def test_a_valid_allocation_has_no_problems() -> None:
    assert not domain.allocation_problems(
        allocated_on=TODAY,
        expected_arrival_on=None,
        members=[
            domain.MemberFacts(
                date(1990, 1, 1), domain.ResidenceStatus.AUFENTHALTSGESTATTUNG, date(2027, 5, 1)
            )
        ],
        today=TODAY,
    )


def test_assigning_the_same_caseworker_again_changes_nothing() -> None:
    assert domain.change_caseworker("cw-1", "cw-1") is None
    change = domain.change_caseworker("cw-1", "cw-2")
    assert change == domain.CaseworkerChange("cw-2", "cw-1")


def test_the_housing_status_recorded_last_wins_whatever_arrives_last() -> None:
    earlier = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    later = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    assert domain.housing_status_wins(earlier, None)
    assert domain.housing_status_wins(later, earlier)
    assert domain.housing_status_wins(later, later)
    assert not domain.housing_status_wins(earlier, later)
