"""The notifications API in-process against its own PostgreSQL database.

Deliveries are created by the service's own handlers, called with a session as the
consumer calls them (the `deliver` fixture).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from notifications import domain
from teilhabe.auth import Role
from teilhabe.events import new_event
from teilhabe.events.courses import CourseEnrolled, OfferKind
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    CaseworkerAssigned,
    HouseholdAssigned,
    ResidenceStatusExpiring,
)
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe.events.volunteers import VolunteerMatched
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.sealing import volunteer_registration

Deliver = Any  # the conftest fixture: await deliver(*payloads) -> received events


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def admin(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.ADMIN, subject=unique("admin"))


def allocation(household_id: uuid.UUID, notice: str) -> HouseholdAssigned:
    return HouseholdAssigned(
        household_id=household_id,
        allocation_notice_number=notice,
        allocated_on=date(2026, 11, 20),
        member_count=1,
        minor_count=0,
        members=(AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.ADULT),),
    )


def enrollment(household_id: uuid.UUID, title: str) -> CourseEnrolled:
    return CourseEnrolled(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title=title,
        course_kind=OfferKind.INTEGRATION_COURSE,
        household_id=household_id,
        member_id=uuid.uuid4(),
    )


async def deliveries_of(
    client: httpx.AsyncClient, admin: dict[str, str], **filters: str
) -> list[dict[str, Any]]:
    response = await client.get("/deliveries", params={**filters, "limit": 200}, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_every_route_declares_its_roles(
    notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    assert routes_without_declared_roles(notifications.app) == []  # type: ignore[attr-defined]
    assert (await notifications.get("/inbox")).status_code == 401
    volunteer = auth_headers(identity, Role.VOLUNTEER, subject=unique("vol"))
    assert (await notifications.get("/inbox", headers=volunteer)).status_code == 200
    assert (await notifications.get("/deliveries", headers=volunteer)).status_code == 403
    assert (await notifications.get("/recipients", headers=volunteer)).status_code == 403
    assert (await notifications.put("/me", json={}, headers=volunteer)).status_code == 403
    agency = auth_headers(identity, Role.AGENCY, subject=unique("agency"))
    assert (await notifications.get("/inbox", headers=agency)).status_code == 200


async def test_a_staff_member_keeps_their_own_entry(
    notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    subject = unique("cw")
    headers = auth_headers(identity, Role.CASEWORKER, Role.HOUSING_OFFICER, subject=subject)
    first = await notifications.get("/me", headers=headers)
    assert first.status_code == 200, "known from the first call, without registering"
    assert (first.json()["email"], first.json()["language"]) == (None, "de")

    put = await notifications.put(
        "/me",
        json={"name": "Anna Schmidt", "email": "anna.schmidt@duelmen.example", "language": "en"},
        headers=headers,
    )
    assert put.status_code == 200, put.text
    me = (await notifications.get("/me", headers=headers)).json()
    assert me["id"] == subject
    assert me["kind"] == "staff"
    assert me["roles"] == ["caseworker", "housing_officer"]  # from the token, not the body
    assert (me["email"], me["language"]) == ("anna.schmidt@duelmen.example", "en")

    refused = await notifications.put("/me", json={"language": "fr"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "language"
    unknown = await notifications.put("/me", json={"roles": ["admin"]}, headers=headers)
    assert unknown.status_code == 422


async def test_staff_are_recipients_from_their_first_call_with_the_tokens_data(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    subject = unique("ho")
    token = identity.mint(
        subject=subject,
        roles=[Role.HOUSING_OFFICER],
        preferred_username="Greta Vogt",
        email="greta.vogt@duelmen.example",
        locale="en-GB",
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert (await notifications.get("/inbox", headers=headers)).json()["total"] == 0
    me = (await notifications.get("/me", headers=headers)).json()
    assert (me["name"], me["email"], me["language"], me["roles"]) == (
        "Greta Vogt",
        "greta.vogt@duelmen.example",
        "en",
        ["housing_officer"],
    )
    # A notice addressed to the role reaches her, though she never registered.
    household_id = uuid.uuid4()
    await deliver(allocation(household_id, unique("BRA")))
    inbox = (await notifications.get("/inbox", headers=headers)).json()
    assert [n["household_id"] for n in inbox["items"]] == [str(household_id)]
    # What she set herself stays when her token says otherwise.
    await notifications.put("/me", json={"email": "g.vogt@duelmen.example"}, headers=headers)
    other = identity.mint(
        subject=subject, roles=[Role.HOUSING_OFFICER, Role.ADMIN], email="old@duelmen.example"
    )
    again = await notifications.get("/me", headers={"Authorization": f"Bearer {other}"})
    assert (again.json()["email"], again.json()["roles"]) == (
        "g.vogt@duelmen.example",
        ["admin", "housing_officer"],
    )


async def test_nobody_sees_another_persons_notifications(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    anna, bert = unique("cw-anna"), unique("cw-bert")
    await deliver(
        CaseworkerAssigned(household_id=uuid.uuid4(), caseworker_id=anna),
        CaseworkerAssigned(household_id=uuid.uuid4(), caseworker_id=bert),
    )
    as_anna = auth_headers(identity, Role.CASEWORKER, subject=anna)
    as_bert = auth_headers(identity, Role.CASEWORKER, subject=bert)
    annas = (await notifications.get("/inbox", headers=as_anna)).json()
    berts = (await notifications.get("/inbox", headers=as_bert)).json()
    assert annas["total"] == berts["total"] == 1
    bert_notification = berts["items"][0]["id"]
    assert bert_notification not in [n["id"] for n in annas["items"]]

    # Another's id is not found, whatever the verb, and nothing changes.
    assert (
        await notifications.get(f"/inbox/{bert_notification}", headers=as_anna)
    ).status_code == 404
    marked = await notifications.post(f"/inbox/{bert_notification}/read", headers=as_anna)
    assert marked.status_code == 404
    assert marked.json()["detail"] == "notification not found"
    own = await notifications.get(f"/inbox/{bert_notification}", headers=as_bert)
    assert own.status_code == 200
    assert own.json()["read_at"] is None
    # An id that exists nowhere answers the same.
    assert (await notifications.get(f"/inbox/{uuid.uuid4()}", headers=as_anna)).status_code == 404


async def test_the_inbox_is_newest_first_with_unread_filter_and_pages(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    caseworker = unique("cw")
    household = uuid.uuid4()
    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    await deliver(enrollment(household, "Alphakurs"))
    await deliver(enrollment(household, "Integrationskurs B1"))
    headers = auth_headers(identity, Role.CASEWORKER, subject=caseworker)

    first = (await notifications.get("/inbox", params={"limit": 2}, headers=headers)).json()
    assert (first["total"], first["unread"], len(first["items"])) == (3, 3, 2)
    assert "Integrationskurs B1" in first["items"][0]["title"]
    assert "Alphakurs" in first["items"][1]["title"]
    second = (
        await notifications.get("/inbox", params={"limit": 2, "offset": 2}, headers=headers)
    ).json()
    assert [n["event_type"] for n in second["items"]] == ["caseworker.assigned"]
    assert second["total"] == 3
    # A page past the end has no rows to carry the total; it is still told.
    beyond = (
        await notifications.get("/inbox", params={"limit": 2, "offset": 4}, headers=headers)
    ).json()
    assert (beyond["total"], beyond["items"]) == (3, [])

    newest = first["items"][0]["id"]
    read = await notifications.post(f"/inbox/{newest}/read", headers=headers)
    assert read.status_code == 200
    read_at = read.json()["read_at"]
    assert read_at is not None
    again = await notifications.post(f"/inbox/{newest}/read", headers=headers)
    assert again.json()["read_at"] == read_at  # reading twice keeps the first time

    unread = (await notifications.get("/inbox", params={"unread": True}, headers=headers)).json()
    assert (unread["total"], unread["unread"]) == (2, 2)
    assert newest not in [n["id"] for n in unread["items"]]
    everything = (await notifications.get("/inbox", headers=headers)).json()
    assert (everything["total"], everything["unread"]) == (3, 2)


async def test_the_api_marks_all_read_up_to_a_time(
    notifications: httpx.AsyncClient, identity: RunningDevProvider, deliver: Deliver
) -> None:
    caseworker, household = unique("cw"), uuid.uuid4()
    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    await deliver(enrollment(household, "Kurs X"))
    headers = auth_headers(identity, Role.CASEWORKER, subject=caseworker)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    nothing = await notifications.post("/inbox/read-all", json={"until": past}, headers=headers)
    assert nothing.json() == {"marked": 0}
    naive = await notifications.post(
        "/inbox/read-all", json={"until": "2026-12-01T10:00:00"}, headers=headers
    )
    assert naive.status_code == 422
    everything = await notifications.post("/inbox/read-all", headers=headers)
    assert everything.json() == {"marked": 2}
    inbox = (await notifications.get("/inbox", headers=headers)).json()
    assert inbox["unread"] == 0
    other = auth_headers(identity, Role.CASEWORKER, subject=unique("cw"))
    assert (await notifications.post("/inbox/read-all", headers=other)).json() == {"marked": 0}


async def test_an_allocation_reaches_caseworker_and_housing_officers(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    admin: dict[str, str],
) -> None:
    officer = unique("ho")
    officer_headers = auth_headers(identity, Role.HOUSING_OFFICER, subject=officer)
    await notifications.put(
        "/me",
        json={"name": "Carla Berg", "email": "carla.berg@duelmen.example", "language": "en"},
        headers=officer_headers,
    )
    caseworker, household, notice = unique("cw"), uuid.uuid4(), unique("BRA")
    # The caseworker is known before the allocation arrives: events need not come in order.
    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    (event,) = await deliver(allocation(household, notice))

    rows = await deliveries_of(notifications, admin, event_id=event.id)
    by_recipient = {(r["recipient_id"], r["channel"]): r for r in rows}
    assert (caseworker, "inbox") in by_recipient
    assert (caseworker, "email") not in by_recipient  # no directory entry, no address
    assert (officer, "inbox") in by_recipient
    mail = by_recipient[(officer, "email")]
    assert mail["status"] == "pending"
    assert mail["address"] == "carla.berg@duelmen.example"
    assert mail["language"] == "en"
    assert {r["recipient_id"] for r in rows} >= {caseworker, officer}

    officer_inbox = (await notifications.get("/inbox", headers=officer_headers)).json()
    assert officer_inbox["items"][0]["title"] == f"New allocation: household {notice}"
    assert "waiting for accommodation" in officer_inbox["items"][0]["body"]
    caseworker_headers = auth_headers(identity, Role.CASEWORKER, subject=caseworker)
    caseworker_inbox = (await notifications.get("/inbox", headers=caseworker_headers)).json()
    assert caseworker_inbox["items"][0]["title"] == f"Neue Zuweisung: Haushalt {notice}"


async def test_a_recipient_turns_a_channel_off(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    admin: dict[str, str],
) -> None:
    officer = unique("ho")
    headers = auth_headers(identity, Role.HOUSING_OFFICER, subject=officer)
    await notifications.put("/me", json={"email": "ho@duelmen.example"}, headers=headers)
    changed = await notifications.put(
        "/me/preferences",
        json={
            "preferences": [
                {"event_type": "household.assigned", "channel": "email", "enabled": False}
            ]
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    matrix = {(p["event_type"], p["channel"]): p["enabled"] for p in changed.json()}
    assert matrix[("household.assigned", "email")] is False
    assert matrix[("household.assigned", "inbox")] is True
    assert matrix[("volunteer.matched", "email")] is True
    assert len(matrix) == 2 * len(domain.EVENT_TYPES), "every event type on both channels"

    (event,) = await deliver(allocation(uuid.uuid4(), unique("BRA")))
    mine = await deliveries_of(notifications, admin, event_id=event.id, recipient_id=officer)
    assert [r["channel"] for r in mine] == ["inbox"]

    bad = await notifications.put(
        "/me/preferences",
        json={
            "preferences": [
                {"event_type": "household.exploded", "channel": "email", "enabled": False}
            ]
        },
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "preferences[0].event_type"

    # PUT replaces the settings: an empty list turns everything back on.
    await notifications.put("/me/preferences", json={"preferences": []}, headers=headers)
    (event,) = await deliver(allocation(uuid.uuid4(), unique("BRA")))
    mine = await deliveries_of(notifications, admin, event_id=event.id, recipient_id=officer)
    assert sorted(r["channel"] for r in mine) == ["email", "inbox"]


async def test_a_critical_event_arrives_on_every_channel_whatever_was_turned_off(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    admin: dict[str, str],
) -> None:
    caseworker = unique("cw")
    headers = auth_headers(identity, Role.CASEWORKER, subject=caseworker)
    await notifications.put("/me", json={"email": "cw@duelmen.example"}, headers=headers)
    critical = "member.residence_status_expiring"
    refused = await notifications.put(
        "/me/preferences",
        json={"preferences": [{"event_type": critical, "channel": "email", "enabled": False}]},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "preferences[0].enabled"
    # Every other occasion off on both channels.
    everything_off = [
        {"event_type": event_type, "channel": channel, "enabled": False}
        for event_type in domain.EVENT_TYPES
        if not domain.is_critical(event_type)
        for channel in ("inbox", "email")
    ]
    saved = await notifications.put(
        "/me/preferences", json={"preferences": everything_off}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    shown = {(p["event_type"], p["channel"]): p for p in saved.json()}
    assert shown[(critical, "email")]["enabled"] is True
    assert shown[(critical, "email")]["critical"] is True

    household_id = uuid.uuid4()
    await deliver(allocation(household_id, unique("BRA")))
    await deliver(CaseworkerAssigned(household_id=household_id, caseworker_id=caseworker))
    (event,) = await deliver(
        ResidenceStatusExpiring(
            household_id=household_id, member_id=uuid.uuid4(), expires_on=date(2027, 1, 31)
        )
    )
    mine = await deliveries_of(notifications, admin, event_id=event.id, recipient_id=caseworker)
    assert sorted(r["channel"] for r in mine) == ["email", "inbox"]
    all_mine = await deliveries_of(notifications, admin, recipient_id=caseworker)
    assert {r["event_type"] for r in all_mine} == {critical}, "nothing else came through"


async def test_delivery_times_are_checked_field_by_field(
    notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject=unique("cw"))
    for body, field in (
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"quiet_from": "22:00"}, "quiet_until"),
        ({"quiet_until": "07:00"}, "quiet_from"),
        ({"quiet_from": "07:00", "quiet_until": "07:00"}, "quiet_until"),
        ({"digest_at": "25:00"}, "digest_at"),
    ):
        refused = await notifications.put("/me/delivery-times", json=body, headers=headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field, body
    saved = await notifications.put(
        "/me/delivery-times",
        json={
            "time_zone": "Europe/Istanbul",
            "quiet_from": "21:30",
            "digest_at": None,
            "quiet_until": "06:00",
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["quiet_from"] == "21:30:00"
    assert (await notifications.get("/me", headers=headers)).json()["time_zone"] == (
        "Europe/Istanbul"
    )


async def test_a_duplicate_event_creates_no_second_delivery(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    admin: dict[str, str],
) -> None:
    officer = unique("ho")
    await notifications.put(
        "/me",
        json={"email": "dup@duelmen.example"},
        headers=auth_headers(identity, Role.HOUSING_OFFICER, subject=officer),
    )
    (event,) = await deliver(allocation(uuid.uuid4(), unique("BRA")))
    before = await deliveries_of(notifications, admin, event_id=event.id)
    # The consumer's inbox stops a redelivery first; the unique constraint makes a second
    # run of the handler harmless too.
    await deliver(event)
    await deliver(event, event)
    after = await deliveries_of(notifications, admin, event_id=event.id)
    assert sorted(r["id"] for r in after) == sorted(r["id"] for r in before)
    assert len([r for r in after if r["recipient_id"] == officer]) == 2


async def test_volunteers_hear_of_their_match_and_their_household(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    admin: dict[str, str],
) -> None:
    coordinator = unique("vc")
    await notifications.put(
        "/me",
        json={"email": "koordination@duelmen.example"},
        headers=auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject=coordinator),
    )
    volunteer_id, household, caseworker = uuid.uuid4(), uuid.uuid4(), unique("cw")
    volunteer = f"volunteer:{volunteer_id}"
    (_key, registered) = await deliver(
        *volunteer_registration(
            volunteer_id, "Greta M.", "greta@example.org", preferred_language="en-GB"
        )
    )
    to_coordinator = await deliveries_of(notifications, admin, event_id=registered.id)
    assert {(r["recipient_id"], r["channel"]) for r in to_coordinator} >= {
        (coordinator, "inbox"),
        (coordinator, "email"),
    }
    entry = (await notifications.get(f"/recipients/{volunteer}", headers=admin)).json()
    assert (entry["kind"], entry["email"], entry["language"]) == (
        "volunteer",
        "greta@example.org",
        "en-GB",
    )

    await deliver(CaseworkerAssigned(household_id=household, caseworker_id=caseworker))
    (matched,) = await deliver(
        VolunteerMatched(
            match_id=uuid.uuid4(),
            volunteer_id=volunteer_id,
            household_id=household,
            matched_on=date(2026, 12, 2),
        )
    )
    rows = await deliveries_of(notifications, admin, event_id=matched.id)
    assert {(r["recipient_id"], r["channel"]) for r in rows} == {
        (volunteer, "inbox"),
        (volunteer, "email"),
        (caseworker, "inbox"),
    }
    (moved_in,) = await deliver(
        HouseholdMovedIn(
            household_id=household,
            placement_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            site_kind=SiteKind.APARTMENT,
            unit_id=uuid.uuid4(),
            bed_count=2,
            moved_in_on=date(2026, 12, 5),
        )
    )
    rows = await deliveries_of(notifications, admin, event_id=moved_in.id)
    assert {r["recipient_id"] for r in rows} == {volunteer, caseworker}

    caseworker_inbox = (
        await notifications.get(
            "/inbox", headers=auth_headers(identity, Role.CASEWORKER, subject=caseworker)
        )
    ).json()
    match_note = next(
        n for n in caseworker_inbox["items"] if n["event_type"] == "volunteer.matched"
    )
    assert "Greta M." in match_note["body"]

    # A volunteer reads the inbox once an administrator linked their login to the entry.
    login = unique("vol-login")
    as_volunteer = auth_headers(identity, Role.VOLUNTEER, subject=login)
    assert (await notifications.get("/inbox", headers=as_volunteer)).json()["total"] == 0
    linked = await notifications.put(
        f"/recipients/{volunteer}",
        json={"name": "Greta M.", "email": "greta@example.org", "language": "en", "subject": login},
        headers=admin,
    )
    assert linked.status_code == 200, linked.text
    inbox = (await notifications.get("/inbox", headers=as_volunteer)).json()
    assert [n["event_type"] for n in inbox["items"]] == ["household.moved_in", "volunteer.matched"]
    assert inbox["items"][1]["title"].startswith("Your mentorship of household")
    assert (await notifications.get("/me", headers=as_volunteer)).json()["id"] == volunteer
    others = auth_headers(identity, Role.VOLUNTEER, subject=unique("vol-login"))
    assert (await notifications.get("/inbox", headers=others)).json()["total"] == 0
    stolen = await notifications.put(
        f"/recipients/{unique('staff')}", json={"subject": login}, headers=admin
    )
    assert stolen.status_code == 422  # a staff entry cannot be read by another login


async def test_an_older_caseworker_assignment_does_not_undo_a_newer_one(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    deliver: Deliver,
    admin: dict[str, str],
) -> None:
    household, earlier, later = uuid.uuid4(), unique("cw"), unique("cw")
    now = datetime.now(UTC)

    def assigned(caseworker: str, at: datetime) -> ReceivedEvent[Any]:
        payload = CaseworkerAssigned(household_id=household, caseworker_id=caseworker)
        return ReceivedEvent(
            envelope=new_event(payload, source="/teilhabe/intake", now=at), payload=payload
        )

    await deliver(assigned(later, now))
    await deliver(assigned(earlier, now - timedelta(minutes=5)))  # arrives late
    (enrolled,) = await deliver(enrollment(household, "Sprachcafé"))
    rows = await deliveries_of(notifications, admin, event_id=enrolled.id)
    assert [r["recipient_id"] for r in rows] == [later]


async def test_administrators_manage_the_directory_and_the_log(
    notifications: httpx.AsyncClient,
    identity: RunningDevProvider,
    admin: dict[str, str],
) -> None:
    subject = unique("cc")
    created = await notifications.put(
        f"/recipients/{subject}",
        json={
            "name": "Kursbüro",
            "email": "kurse@duelmen.example",
            "roles": ["course_coordinator"],
        },
        headers=admin,
    )
    assert created.status_code == 200, created.text
    assert created.json()["subject"] == subject
    listed = await notifications.get(
        "/recipients", params={"role": "course_coordinator", "limit": 200}, headers=admin
    )
    assert subject in [r["id"] for r in listed.json()["items"]]
    assert (await notifications.delete(f"/recipients/{subject}", headers=admin)).status_code == 204
    assert (await notifications.get(f"/recipients/{subject}", headers=admin)).status_code == 404
    assert (await notifications.delete(f"/recipients/{subject}", headers=admin)).status_code == 404

    inbox_rows = await deliveries_of(notifications, admin, channel="inbox")
    assert inbox_rows
    retried = await notifications.post(f"/deliveries/{inbox_rows[0]['id']}/retry", headers=admin)
    assert retried.status_code == 409
    missing = await notifications.post(f"/deliveries/{uuid.uuid4()}/retry", headers=admin)
    assert missing.status_code == 404
