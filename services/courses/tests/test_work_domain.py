"""The rules of work as pure functions: which permit allows employment on which day, which
opportunity needs one, how a placement moves on, and the consent to the Jobcenter."""

from __future__ import annotations

from datetime import date

import pytest
from courses import domain
from courses.domain import ConsentState, OpportunityKind, PlacementStatus
from teilhabe.events.work import WorkPermitStatus

DAY = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("status", "valid_until", "allowed"),
    [
        (None, None, False),
        (WorkPermitStatus.UNKNOWN, None, False),
        (WorkPermitStatus.NOT_PERMITTED, None, False),
        (WorkPermitStatus.PERMITTED, None, True),
        (WorkPermitStatus.PERMITTED_WITH_APPROVAL, None, True),
        (WorkPermitStatus.PERMITTED, DAY, True),  # valid through its last day
        (WorkPermitStatus.PERMITTED, date(2026, 11, 1), False),  # run out the day before
    ],
)
def test_a_permit_allows_employment_while_it_applies(
    status: WorkPermitStatus | None, valid_until: date | None, allowed: bool
) -> None:
    assert domain.permit_allows_employment(status, valid_until, DAY) is allowed
    problems = domain.employment_start_problem(status, valid_until, DAY)
    assert (problems == {}) is allowed
    if not allowed:
        assert problems == {"member_id": domain.NO_PERMIT}


def test_internships_and_sgb2_work_opportunities_need_a_permit() -> None:
    banned = WorkPermitStatus.NOT_PERMITTED
    for kind in OpportunityKind:
        refused = domain.placement_problem(kind, banned, None, DAY)
        assert bool(refused) is (kind in {OpportunityKind.INTERNSHIP, OpportunityKind.AGH_SGB2})
        assert domain.placement_problem(kind, WorkPermitStatus.PERMITTED, None, DAY) == {}
    assert domain.placement_problem(OpportunityKind.INTERNSHIP, None, None, DAY) == {
        "member_id": domain.NO_PERMIT_FOR_PLACEMENT
    }


def test_a_placement_moves_on_once() -> None:
    P = PlacementStatus  # noqa: N806 - short, for the table below
    assert domain.placement_change_problem(P.PROPOSED, P.STARTED) is None
    assert domain.placement_change_problem(P.PROPOSED, P.WITHDRAWN) is None
    assert domain.placement_change_problem(P.STARTED, P.ENDED) is None
    for current, wanted in [
        (P.PROPOSED, P.ENDED),
        (P.STARTED, P.STARTED),
        (P.STARTED, P.WITHDRAWN),
        (P.ENDED, P.ENDED),
        (P.WITHDRAWN, P.STARTED),
    ]:
        refusal = domain.placement_change_problem(current, wanted)
        assert refusal is not None
        assert refusal.code == f"placement-{current.value}"


def test_the_consent_to_the_jobcenter_on_a_day() -> None:
    granted = ("jobcenter-kreis-coesfeld", date(2026, 10, 1), None)
    revoked = ("jobcenter-kreis-coesfeld", date(2026, 10, 1), date(2026, 11, 1))
    other = ("vhs-duelmen", date(2026, 9, 1), None)
    assert domain.jobcenter_consent([], DAY) == (ConsentState.NONE, None)
    assert domain.jobcenter_consent([other], DAY) == (ConsentState.NONE, None)
    assert domain.jobcenter_consent([granted], DAY) == (ConsentState.GIVEN, date(2026, 10, 1))
    assert domain.jobcenter_consent([granted], date(2026, 9, 30)) == (ConsentState.NONE, None)
    assert domain.jobcenter_consent([revoked], DAY) == (ConsentState.REVOKED, date(2026, 11, 1))
    assert domain.jobcenter_consent([revoked], date(2026, 10, 31))[0] is ConsentState.GIVEN
    # Granted again after a revocation: given.
    again = ("jobcenter-kreis-coesfeld", date(2026, 11, 2), None)
    assert domain.jobcenter_consent([revoked, again], DAY) == (ConsentState.GIVEN, DAY)
