import uuid
from datetime import date

from housing import domain

BEDS = [uuid.UUID(int=n) for n in range(1, 6)]


def waiting(
    members: int = 3,
    *,
    accessible: bool = False,
    status: domain.WaitingStatus = domain.WaitingStatus.AWAITING,
) -> domain.WaitingHousehold:
    return domain.WaitingHousehold(uuid.uuid4(), members, accessible, status)


def unit(free: int, *, accessible: bool = False) -> domain.UnitVacancy:
    return domain.UnitVacancy(uuid.uuid4(), accessible, BEDS[:free])


def test_a_household_gets_one_bed_per_member() -> None:
    plan = domain.plan_placement(waiting(3), unit(5), bed_count=None, split_reason=None)
    assert plan == domain.PlacementPlan(tuple(BEDS[:3]))


def test_not_enough_free_beds_is_refused() -> None:
    refusal = domain.plan_placement(waiting(3), unit(2), bed_count=None, split_reason=None)
    assert isinstance(refusal, domain.Refusal)
    assert refusal.code == "not-enough-beds"


def test_splitting_a_household_needs_a_reason() -> None:
    refusal = domain.plan_placement(waiting(3), unit(5), bed_count=2, split_reason=" ")
    assert isinstance(refusal, domain.Refusal)
    assert refusal.field == "split_reason"
    plan = domain.plan_placement(
        waiting(3), unit(5), bed_count=2, split_reason="Vater im Krankenhaus"
    )
    assert isinstance(plan, domain.PlacementPlan)
    assert len(plan.bed_ids) == 2


def test_never_more_beds_than_members() -> None:
    refusal = domain.plan_placement(waiting(2), unit(5), bed_count=3, split_reason=None)
    assert isinstance(refusal, domain.Refusal)
    assert refusal.code == "too-many-beds"


def test_barrier_free_need_requires_an_accessible_unit() -> None:
    refusal = domain.plan_placement(
        waiting(1, accessible=True), unit(5), bed_count=None, split_reason=None
    )
    assert isinstance(refusal, domain.Refusal)
    assert refusal.code == "not-accessible"
    assert isinstance(
        domain.plan_placement(
            waiting(1, accessible=True), unit(5, accessible=True), bed_count=None, split_reason=None
        ),
        domain.PlacementPlan,
    )


def test_a_placed_household_is_not_placed_again() -> None:
    refusal = domain.plan_placement(
        waiting(1, status=domain.WaitingStatus.PLACED), unit(5), bed_count=None, split_reason=None
    )
    assert isinstance(refusal, domain.Refusal)
    assert refusal.code == "already-placed"


def test_move_out_rules() -> None:
    assert domain.move_out_problem(date(2026, 1, 10), date(2026, 1, 9), False) is not None
    assert domain.move_out_problem(date(2026, 1, 10), date(2026, 1, 10), True) is not None
    assert domain.move_out_problem(date(2026, 1, 10), date(2026, 2, 1), False) is None
