import uuid
from datetime import date

from housing import domain
from teilhabe.events.housing import MoveOutReason

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
    assert domain.move_out_problem(date(2026, 1, 10), date(2099, 2, 1), False) is None
    long_ago = domain.move_out_problem(
        date(2025, 1, 10), date(2026, 1, 9), False, earliest=date(2026, 1, 10)
    )
    assert long_ago is not None
    assert (long_ago.code, long_ago.field) == ("move-out-too-long-ago", "moved_out_on")


def test_a_transfer_needs_another_unit_and_a_day_not_before_the_move_in() -> None:
    here, there = uuid.uuid4(), uuid.uuid4()
    moved_in = date(2026, 11, 25)

    def problem(target: uuid.UUID, day: date, already_out: bool = False) -> domain.Refusal | None:
        return domain.transfer_problem(
            current_unit_id=here,
            target_unit_id=target,
            moved_in_on=moved_in,
            moved_on=day,
            already_out=already_out,
        )

    assert problem(there, date(2026, 12, 1)) is None
    assert problem(here, date(2026, 12, 1)) == domain.Refusal(
        "same-unit", "the household lives in this unit already", field="unit_id"
    )
    before = problem(there, date(2026, 11, 24))
    assert before is not None
    assert before.field == "moved_on"
    ended = problem(there, date(2026, 12, 1), already_out=True)
    assert ended is not None
    assert ended.code == "already-moved-out"


def test_only_a_household_moved_out_for_a_transfer_awaits_a_new_place() -> None:
    assert domain.status_after_move_out(MoveOutReason.TRANSFER) is domain.WaitingStatus.AWAITING
    for reason in set(MoveOutReason) - {MoveOutReason.TRANSFER}:
        assert domain.status_after_move_out(reason) is domain.WaitingStatus.PLACED


def test_free_beds_are_those_neither_occupied_nor_reserved() -> None:
    assert domain.free_bed_count(beds=6, occupied=2, reserved=3) == 1
    assert domain.free_bed_count(beds=6, occupied=2, reserved=0) == 4
    assert domain.free_bed_count(beds=2, occupied=2, reserved=1) == 0, "never below nothing"


def test_beds_reserved_for_others_are_not_open_to_a_household() -> None:
    assert domain.beds_open_to(BEDS, reserved_for_others=0) == tuple(BEDS)
    assert len(domain.beds_open_to(BEDS, reserved_for_others=3)) == 2
    assert domain.beds_open_to(BEDS[:2], reserved_for_others=3) == ()
    # Placing chooses among the open beds only: 5 unheld, 3 reserved for others.
    open_unit = domain.UnitVacancy(uuid.uuid4(), False, domain.beds_open_to(BEDS, 3))
    refusal = domain.plan_placement(waiting(3), open_unit, bed_count=None, split_reason=None)
    assert isinstance(refusal, domain.Refusal)
    assert (refusal.code, refusal.reason) == (
        "not-enough-beds",
        "the unit has 2 free beds, 3 are needed",
    )
    plan = domain.plan_placement(waiting(2), open_unit, bed_count=None, split_reason=None)
    assert isinstance(plan, domain.PlacementPlan)
    assert len(plan.bed_ids) == 2


def test_a_reservation_follows_the_rules_of_a_placement() -> None:
    def reserve(
        household: domain.WaitingHousehold,
        vacancy: domain.UnitVacancy,
        bed_count: int | None = None,
        split_reason: str | None = None,
        already_reserved: bool = False,
    ) -> int | domain.Refusal:
        return domain.plan_reservation(
            household,
            vacancy,
            bed_count=bed_count,
            split_reason=split_reason,
            already_reserved=already_reserved,
        )

    assert reserve(waiting(3), unit(5)) == 3
    assert reserve(waiting(3), unit(5), 2, "Vater kommt später nach") == 2
    codes = {
        "split-without-reason": reserve(waiting(3), unit(5), 2),
        "too-many-beds": reserve(waiting(2), unit(5), 3),
        "not-accessible": reserve(waiting(1, accessible=True), unit(5)),
        "not-enough-beds": reserve(waiting(3), unit(2)),
        "already-placed": reserve(waiting(1, status=domain.WaitingStatus.PLACED), unit(5)),
        "already-reserved": reserve(waiting(1), unit(5), already_reserved=True),
    }
    for code, refusal in codes.items():
        assert isinstance(refusal, domain.Refusal)
        assert refusal.code == code


def test_an_ended_reservation_is_not_cancelled_again() -> None:
    assert domain.cancel_problem(ended=False) is None
    refusal = domain.cancel_problem(ended=True)
    assert refusal is not None
    assert refusal.code == "reservation-ended"


def test_a_transferred_household_keeps_its_share_unless_the_officer_says_otherwise() -> None:
    split = domain.BedShare(2, "Familie teilt sich auf")
    assert domain.share_after_transfer(split, bed_count=None, split_reason=None) == split
    assert domain.share_after_transfer(split, bed_count=3, split_reason="neu") == (
        domain.BedShare(3, "neu")
    )
    assert domain.share_after_transfer(split, bed_count=3, split_reason=None) == (
        domain.BedShare(3, "Familie teilt sich auf")
    )


def test_closed_beds_nobody_holds_are_not_free() -> None:
    assert domain.free_bed_count(4, 1, 1, closed=1) == 1
    assert domain.free_bed_count(4, 2, 0, closed=3) == 0


def test_a_closure_closes_the_unit_or_its_beds_on_its_days_only() -> None:
    bed = uuid.uuid4()
    closures = [
        domain.ClosureSpan(None, date(2026, 12, 10), date(2026, 12, 12)),
        domain.ClosureSpan(bed, date(2026, 12, 1), date(2026, 12, 3)),
    ]
    assert domain.closed_on(closures, date(2026, 12, 2)) == (False, frozenset({bed}))
    assert domain.closed_on(closures, date(2026, 12, 12)) == (True, frozenset())
    assert domain.closed_on(closures, date(2026, 12, 13)) == (False, frozenset())


def test_who_lives_in_a_closure_is_to_be_transferred() -> None:
    bed, other = uuid.uuid4(), uuid.uuid4()
    closure = domain.ClosureSpan(bed, date(2026, 12, 10), date(2026, 12, 12))
    living = {"moved_in_on": date(2026, 11, 1), "moved_out_on": None}
    assert domain.lives_in_closure(closure, **living, bed_ids=[bed, other])
    assert not domain.lives_in_closure(closure, **living, bed_ids=[other])
    gone = {"moved_in_on": date(2026, 11, 1), "moved_out_on": date(2026, 12, 10)}
    assert not domain.lives_in_closure(closure, **gone, bed_ids=[bed]), "out on its first day"
    later = {"moved_in_on": date(2026, 12, 13), "moved_out_on": None}
    assert not domain.lives_in_closure(closure, **later, bed_ids=[bed])
    whole = domain.ClosureSpan(None, date(2026, 12, 10), date(2026, 12, 12))
    assert domain.lives_in_closure(whole, **living, bed_ids=[])


def test_a_unit_lacking_what_a_protection_need_requires_is_refused_unless_overridden() -> None:
    women = domain.ProtectionNeed("women_alone", frozenset({"women_only", "lockable"}))
    disability = domain.ProtectionNeed("disability", frozenset())
    assert domain.missing_protections([women, disability], ["lockable"]) == {
        "women_alone": frozenset({"women_only"})
    }
    refused = domain.protection_problem([women], ["lockable"], override_reason=None)
    assert refused is not None
    assert (refused.code, refused.field) == ("unsuited-unit", "unit_id")
    assert domain.protection_problem([women], ["lockable"], override_reason="  ") is not None
    assert domain.protection_problem([women], ["lockable"], override_reason="Notfall") is None
    assert (
        domain.protection_problem([women], ["women_only", "lockable"], override_reason=None) is None
    )
    assert domain.protection_problem([disability], [], override_reason=None) is None
    assert domain.unknown_codes(["lgbtiq", "vip", "lgbtiq"], {"lgbtiq"}) == ["vip"]


def test_the_waiting_queue_orders_by_urgency_and_says_why() -> None:
    today = date(2026, 12, 3)
    old = domain.QueueCandidate(uuid.uuid4(), date(2026, 10, 1), None, 0, raised=False)
    arriving = domain.QueueCandidate(
        uuid.uuid4(), date(2026, 11, 30), date(2026, 12, 5), 0, raised=False
    )
    protected = domain.QueueCandidate(uuid.uuid4(), date(2026, 12, 1), None, 1, raised=False)
    queue = domain.order_queue([old, arriving, protected], today=today, arriving_within_days=7)

    assert [p.household_id for p in queue] == [
        protected.household_id,
        arriving.household_id,
        old.household_id,
    ]
    assert [p.position for p in queue] == [1, 2, 3]
    kinds = [[reason.kind for reason in p.reasons] for p in queue]
    assert kinds == [
        [domain.QueueReasonKind.PROTECTION, domain.QueueReasonKind.WAITING],
        [domain.QueueReasonKind.ARRIVING, domain.QueueReasonKind.WAITING],
        [domain.QueueReasonKind.WAITING],
    ]
    assert queue[1].reasons[0].days == 2
    assert queue[2].reasons[0] == domain.QueueReason(
        domain.QueueReasonKind.WAITING, date(2026, 10, 1), 63
    )

    raised = domain.QueueCandidate(old.household_id, old.allocated_on, None, 0, raised=True)
    queue = domain.order_queue([arriving, protected, raised], today=today, arriving_within_days=7)
    assert queue[0].household_id == old.household_id
    assert queue[0].reasons[0].kind is domain.QueueReasonKind.RAISED


def test_an_arrival_beyond_the_window_waits_its_turn_and_an_overdue_one_comes_first() -> None:
    today = date(2026, 12, 3)
    later = domain.QueueCandidate(uuid.uuid4(), date(2026, 11, 1), date(2027, 1, 10), 0, False)
    overdue = domain.QueueCandidate(uuid.uuid4(), date(2026, 11, 20), date(2026, 12, 1), 0, False)
    soon = domain.QueueCandidate(uuid.uuid4(), date(2026, 11, 10), date(2026, 12, 8), 0, False)
    queue = domain.order_queue([later, soon, overdue], today=today, arriving_within_days=7)
    assert [p.household_id for p in queue] == [
        overdue.household_id,
        soon.household_id,
        later.household_id,
    ]
    assert queue[0].reasons[0].days == -2
    assert [r.kind for r in queue[2].reasons] == [domain.QueueReasonKind.WAITING]


def test_raising_a_priority_needs_a_reason() -> None:
    refused = domain.priority_problem("  ")
    assert refused is not None
    assert refused.field == "reason"
    assert domain.priority_problem("Schwangerschaft, Entbindung in zwei Wochen") is None
