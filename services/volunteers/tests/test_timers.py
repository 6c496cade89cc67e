"""Volunteers' timers as the timer worker fires them, on the service's migrated database."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import create_engine, create_session_factory
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from volunteers.config import VolunteersSettings
from volunteers.domain import add_months
from volunteers.timers import TIMERS

from .test_api import fetch, known_household, register, valid_clearance


@pytest.fixture
def coordinator(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coordinator-tim")


async def fire_due_timers(database_url: str) -> None:
    """What the timer worker does when it wakes: fire every timer that is due."""
    settings = VolunteersSettings(database_url=database_url)
    engine = create_engine(database_url, pool_size=1)
    worker = TimerWorker(
        TimerOptions.from_settings(settings),
        session_factory=create_session_factory(engine),
        handlers=TIMERS,
    )
    while await worker.fire_due() == settings.timer_batch_size:
        pass
    await engine.dispose()


def inspected_five_years_ago() -> dict[str, str]:
    """A clearance that runs out in ten days: inside the reminder's four weeks."""
    day = add_months(today(), -60) + timedelta(days=10)
    return valid_clearance(inspected_on=day.isoformat(), issued_on=day.isoformat())


async def test_a_clearance_running_out_reminds_the_coordinators_once(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    volunteer = await register(volunteers, coordinator)
    put = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance",
        json=inspected_five_years_ago(),
        headers=coordinator,
    )
    assert put.status_code == 200, put.text
    household = await known_household(volunteers_database, minors=0)
    matched = await volunteers.post(
        "/matches",
        json={
            "volunteer_id": volunteer["id"],
            "household_id": household,
            "started_on": today().isoformat(),
        },
        headers=coordinator,
    )
    assert matched.status_code == 201, matched.text  # kept while the mentorship runs

    await fire_due_timers(volunteers_database)
    await fire_due_timers(volunteers_database)

    reminders = await fetch(
        volunteers_database,
        "SELECT convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'due_on' AS due_on "
        "FROM outbox_message WHERE event_type = 'volunteer.clearance_reinspection_due' "
        "AND convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'volunteer_id' = $1",
        volunteer["id"],
    )
    assert [r["due_on"] for r in reminders] == [(today() + timedelta(days=10)).isoformat()]
    kept = await volunteers.get(f"/volunteers/{volunteer['id']}/clearance", headers=coordinator)
    assert kept.status_code == 200


async def test_a_clearance_is_deleted_on_its_deletion_day_by_its_timer(
    volunteers: httpx.AsyncClient, coordinator: dict[str, str], volunteers_database: str
) -> None:
    volunteer = await register(volunteers, coordinator)
    put = await volunteers.put(
        f"/volunteers/{volunteer['id']}/clearance",
        json=inspected_five_years_ago(),
        headers=coordinator,
    )
    assert put.status_code == 200, put.text  # never taken up: its deletion day has passed
    [timer] = await fetch(
        volunteers_database,
        "SELECT state FROM timer WHERE kind = 'clearance_deletion' AND key = $1",
        volunteer["id"],
    )
    assert timer["state"] == "pending"

    await fire_due_timers(volunteers_database)

    gone = await volunteers.get(f"/volunteers/{volunteer['id']}/clearance", headers=coordinator)
    assert gone.status_code == 404
    purges = await fetch(
        volunteers_database,
        "SELECT actor FROM audit_entry WHERE action = 'purge' AND resource_id = $1",
        volunteer["id"],
    )
    assert [p["actor"] for p in purges] == ["system:clearance-purge"]
    left = await fetch(
        volunteers_database,
        "SELECT kind, state FROM timer WHERE key = $1 AND state = 'pending'",
        volunteer["id"],
    )
    assert left == [], "no reminder for a clearance that is gone"
