"""Help requests and called-off shifts reach the volunteers they name, in their inboxes,
and an acceptance reaches who asked: notifications' side, on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from teilhabe.auth import Role
from teilhabe.events.volunteers import (
    HelpRequestAccepted,
    HelpRequested,
    HelpRequestWithdrawn,
    ShiftCancelled,
)
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.sealing import volunteer_registration
from teilhabe_dev.testing.service_fixtures import Deliver

STARTS = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in the city
ENDS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


async def volunteer(deliver: Deliver, name: str, language: str = "de") -> tuple[uuid.UUID, str]:
    volunteer_id, login = uuid.uuid4(), f"vol-{uuid.uuid4().hex[:8]}"
    await deliver(
        *volunteer_registration(
            volunteer_id,
            name,
            f"{login}@example.org",
            preferred_language=language,
            languages=("ar",),
            account_subject=login,
        )
    )
    return volunteer_id, login


async def inbox(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, object]]:
    response = await client.get("/inbox", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_a_help_request_reaches_the_matching_volunteers_and_its_acceptance_who_asked(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    amal, amal_login = await volunteer(deliver, "Amal K.")
    basel, basel_login = await volunteer(deliver, "Basel H.", language="en")
    _, other_login = await volunteer(deliver, "Chris D.")
    as_amal = auth_headers(identity, Role.VOLUNTEER, subject=amal_login)
    as_basel = auth_headers(identity, Role.VOLUNTEER, subject=basel_login)
    as_other = auth_headers(identity, Role.VOLUNTEER, subject=other_login)
    request_id = uuid.uuid4()
    await deliver(
        HelpRequested(
            help_request_id=request_id,
            language_needed="ar",
            skill_needed="Dolmetschen",
            starts_at=STARTS,
            ends_at=ENDS,
            volunteer_ids=(amal, basel),
        )
    )
    [to_amal] = await inbox(notifications, as_amal)
    assert to_amal["event_type"] == "help_request.opened"
    assert "12.01.2027, 10:00 Uhr" in str(to_amal["title"])
    assert "Arabisch" in str(to_amal["body"])
    [to_basel] = await inbox(notifications, as_basel)
    assert "Arabic" in str(to_basel["body"])
    assert "Amal" not in str(to_basel["body"])  # no volunteer learns of another
    assert await inbox(notifications, as_other) == []

    caseworker = f"cw-{uuid.uuid4().hex[:6]}"
    await deliver(
        HelpRequestAccepted(
            help_request_id=request_id,
            volunteer_id=amal,
            requested_by=caseworker,
            language_needed="ar",
            skill_needed="Dolmetschen",
            starts_at=STARTS,
            ends_at=ENDS,
        )
    )
    [told] = await inbox(notifications, auth_headers(identity, Role.CASEWORKER, subject=caseworker))
    assert told["event_type"] == "help_request.accepted"
    assert "Amal K." in str(told["body"])
    assert [n["event_type"] for n in await inbox(notifications, as_amal)] == [
        "help_request.accepted",
        "help_request.opened",
    ]
    assert len(await inbox(notifications, as_basel)) == 1


async def test_a_called_off_shift_reaches_the_volunteers_signed_up(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    signed_up, login = await volunteer(deliver, "Dana P.")
    _, other_login = await volunteer(deliver, "Emil R.")
    await deliver(
        ShiftCancelled(
            shift_id=uuid.uuid4(),
            facility_id=uuid.uuid4(),
            facility_name="Begegnungscafé St. Viktor",
            title="Kinderbetreuung",
            starts_at=STARTS,
            ends_at=ENDS,
            volunteer_ids=(signed_up,),
        )
    )
    [told] = await inbox(notifications, auth_headers(identity, Role.VOLUNTEER, subject=login))
    assert told["title"] == "Schicht abgesagt: Kinderbetreuung am 12.01.2027, 10:00 Uhr"
    assert "Begegnungscafé St. Viktor" in str(told["body"])
    other = auth_headers(identity, Role.VOLUNTEER, subject=other_login)
    assert await inbox(notifications, other) == []


async def test_a_called_off_shift_reaches_a_volunteer_at_once_whatever_they_chose(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    """Critical for the volunteer: past quiet hours and the daily digest, and it cannot be
    turned off; a help request, not critical, waits for the digest as they chose."""
    volunteer_id, login = await volunteer(deliver, "Farah N.", language="ar")
    as_volunteer = auth_headers(identity, Role.VOLUNTEER, subject=login)
    chosen = await notifications.put(
        "/me/delivery-times",
        json={
            "time_zone": "Europe/Berlin",
            "quiet_from": "00:00",
            "quiet_until": "23:59",
            "digest_at": "18:00",
        },
        headers=as_volunteer,
    )
    assert chosen.status_code == 200, chosen.text
    refused = await notifications.put(
        "/me/preferences",
        json={
            "preferences": [{"event_type": "shift.cancelled", "channel": "email", "enabled": False}]
        },
        headers=as_volunteer,
    )
    assert refused.status_code == 422

    await deliver(
        ShiftCancelled(
            shift_id=uuid.uuid4(),
            facility_id=uuid.uuid4(),
            facility_name="Begegnungscafé St. Viktor",
            title="Kinderbetreuung",
            starts_at=STARTS,
            ends_at=ENDS,
            volunteer_ids=(volunteer_id,),
        ),
        HelpRequested(
            help_request_id=uuid.uuid4(),
            language_needed="ar",
            skill_needed="Dolmetschen",
            starts_at=STARTS,
            ends_at=ENDS,
            volunteer_ids=(volunteer_id,),
        ),
    )
    admin = auth_headers(identity, Role.ADMIN, subject=f"admin-{uuid.uuid4().hex[:6]}")
    response = await notifications.get(
        "/deliveries",
        params={"recipient_id": f"volunteer:{volunteer_id}", "channel": "email"},
        headers=admin,
    )
    emails = {d["event_type"]: d for d in response.json()["items"]}
    cancelled = emails["shift.cancelled"]
    assert cancelled["status"] in ("pending", "sent")
    assert cancelled["language"] == "ar"
    due = cancelled["next_attempt_at"] or cancelled["sent_at"]
    assert datetime.fromisoformat(due) <= datetime.now(UTC), "not held for quiet hours"
    assert emails["help_request.opened"]["status"] == "held", "waits for the digest"


async def test_a_withdrawn_request_reaches_those_it_was_offered_to_or_who_took_it(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    offered, offered_login = await volunteer(deliver, "Gül A.", language="tr")
    took, took_login = await volunteer(deliver, "Hanna S.", language="uk")
    _, other_login = await volunteer(deliver, "Ilja W.", language="ru")
    open_request = HelpRequestWithdrawn(
        help_request_id=uuid.uuid4(), volunteer_ids=(offered,), starts_at=STARTS, ends_at=ENDS
    )
    taken_request = HelpRequestWithdrawn(
        help_request_id=uuid.uuid4(), volunteer_id=took, starts_at=STARTS, ends_at=ENDS
    )
    await deliver(open_request, taken_request)
    [to_offered] = await inbox(
        notifications, auth_headers(identity, Role.VOLUNTEER, subject=offered_login)
    )
    assert to_offered["event_type"] == "help_request.withdrawn"
    assert str(to_offered["title"]).startswith("Yardım talebi geri çekildi")
    [to_took] = await inbox(
        notifications, auth_headers(identity, Role.VOLUNTEER, subject=took_login)
    )
    assert str(to_took["title"]).startswith("Запит на допомогу відкликано: приходити")
    assert "Приходити не потрібно" in str(to_took["body"])
    other = auth_headers(identity, Role.VOLUNTEER, subject=other_login)
    assert await inbox(notifications, other) == []
