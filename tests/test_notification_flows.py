"""From allocation to the people who must hear of it: all five services as processes.

Real broker, real databases, a real SMTP server (in this test process) and the
development identity provider; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.ui import sign_in

from .mail import Mailbox, smtp_env, smtp_server
from .support import System, eventually, household_body, provisioned_system

ALL = ["intake", "housing", "courses", "volunteers", "notifications"]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture(scope="module")
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ALL) as system:
        system.extra_env = smtp_env(mailbox[1])
        system.start_all(ALL, ready_timeout=240)  # fifteen processes on a busy machine
        yield system


@dataclass
class Staff:
    system: System

    def client(self, service: str, role: Role, subject: str) -> httpx.AsyncClient:
        process = next(
            p for p in self.system.processes if p.service == service and p.command == "api"
        )
        return httpx.AsyncClient(
            base_url=process.url, headers=self.system.headers(role, subject), timeout=30
        )


async def inbox(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/inbox")
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def notified(client: httpx.AsyncClient, event_type: str, household_id: str) -> dict[str, Any]:
    async def find() -> dict[str, Any] | None:
        return next(
            (
                n
                for n in await inbox(client)
                if n["event_type"] == event_type and n["household_id"] == household_id
            ),
            None,
        )

    return await eventually(find, timeout=30)  # type: ignore[no-any-return]


async def accepted(request: Any, expected: int = 201, timeout: float = 30) -> httpx.Response:
    """Retry a request until a downstream read model has caught up (it answers 422 before)."""

    async def attempt() -> httpx.Response | None:
        response: httpx.Response = await request()
        return response if response.status_code == expected else None

    return await eventually(attempt, timeout=timeout)  # type: ignore[no-any-return]


async def test_allocation_to_housing_to_course_reaches_everyone_who_must_hear_of_it(
    city: System, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    staff = Staff(city)
    anna = staff.client("notifications", Role.CASEWORKER, "cw-anna")
    bernd = staff.client("notifications", Role.HOUSING_OFFICER, "ho-bernd")
    clara = staff.client("notifications", Role.VOLUNTEER, "vol-clara")
    for client, body in (
        (anna, {"name": "Anna Schulte", "email": "anna@duelmen.example", "language": "de"}),
        (bernd, {"name": "Bernd Ahlers", "email": "bernd@duelmen.example", "language": "en"}),
    ):
        assert (await client.put("/me", json=body)).status_code == 200

    # Household assigned: the housing officers are told; courses learns who may enrol.
    intake = staff.client("intake", Role.CASEWORKER, "cw-anna")
    registered = await intake.post("/households", json=household_body("BRA-2026-4711", members=2))
    assert registered.status_code == 201, registered.text
    household = registered.json()
    household_id = household["id"]
    adult, child = household["members"][0]["id"], household["members"][1]["id"]
    heard = await notified(bernd, "household.assigned", household_id)
    assert "BRA-2026-4711" in heard["title"]

    # The caseworker, once assigned, is told.
    assert (
        await intake.put(
            f"/households/{household_id}/caseworker", json={"caseworker_id": "cw-anna"}
        )
    ).status_code == 200
    await notified(anna, "caseworker.assigned", household_id)

    coordinator = staff.client("courses", Role.COURSE_COORDINATOR, "kc-dora")
    course = await coordinator.post(
        "/courses",
        json={
            "kind": "integration_course",
            "provider": "VHS Dülmen-Haltern-Havixbeck",
            "title": "Integrationskurs A1 vormittags",
            "level": "A1",
            "starts_on": "2026-12-01",
            "place": "Overbergplatz 3, 48249 Dülmen",
            "seats": 1,
        },
    )
    assert course.status_code == 201, course.text
    course_id = course.json()["id"]

    # A mentor with a valid clearance (the household has a child) is matched.
    volunteers = staff.client("volunteers", Role.VOLUNTEER_COORDINATOR, "vk-emil")
    volunteer = await volunteers.post(
        "/volunteers",
        json={
            "display_name": "Clara Brinkmann",
            "email": "clara@example.org",
            "preferred_language": "en",
            "languages": ["de", "en", "fa"],
            "skills": ["Behördengänge"],
            "subject": "vol-clara",
        },
    )
    assert volunteer.status_code == 201, volunteer.text
    volunteer_id = volunteer.json()["id"]
    today = "2026-11-25"
    clearance = await volunteers.put(
        f"/volunteers/{volunteer_id}/clearance",
        json={"inspected_on": today, "issued_on": "2026-10-01", "relevant_conviction": False},
    )
    assert clearance.status_code == 200, clearance.text
    await accepted(
        lambda: volunteers.post(
            "/matches",
            json={"volunteer_id": volunteer_id, "household_id": household_id, "started_on": today},
        )
    )
    await notified(clara, "volunteer.matched", household_id)

    # Moved to housing: caseworker and mentor get an inbox entry and an e-mail, each in
    # their own language.
    housing = staff.client("housing", Role.HOUSING_OFFICER, "ho-bernd")
    site = await housing.post(
        "/sites",
        json={
            "name": "Übergangswohnheim Nord",
            "kind": "communal_housing",
            "address": "Nordring 10, 48249 Dülmen",
            "units": [{"name": "Wohnung 1", "beds": 4}],
        },
    )
    assert site.status_code == 201, site.text
    await accepted(
        lambda: housing.post(
            "/placements",
            json={
                "household_id": household_id,
                "unit_id": site.json()["units"][0]["id"],
                "moved_in_on": today,
            },
        )
    )
    await notified(anna, "household.moved_in", household_id)
    await notified(clara, "household.moved_in", household_id)
    anna_mail = await eventually(
        lambda: [m for m in box.to("anna@duelmen.example") if "eingezogen" in str(m["Subject"])]
    )
    clara_mail = await eventually(
        lambda: [m for m in box.to("clara@example.org") if "moved in" in str(m["Subject"])]
    )
    assert len(anna_mail) == 1
    assert len(clara_mail) == 1

    # Course enrolled: caseworker and mentor are told; the full course waitlists the next.
    enrolled = await accepted(
        lambda: coordinator.post(f"/courses/{course_id}/enrollments", json={"member_id": adult})
    )
    assert enrolled.json()["status"] == "enrolled"
    await notified(anna, "course.enrolled", household_id)
    await notified(clara, "course.enrolled", household_id)
    refused = await coordinator.post(f"/courses/{course_id}/enrollments", json={"member_id": child})
    assert refused.status_code == 422, "a child is not a participant of an integration course"
    second = await intake.post("/households", json=household_body("BRA-2026-4712", members=1))
    second_id, second_adult = second.json()["id"], second.json()["members"][0]["id"]
    await intake.put(f"/households/{second_id}/caseworker", json={"caseworker_id": "cw-anna"})
    waitlisted = await accepted(
        lambda: coordinator.post(
            f"/courses/{course_id}/enrollments", json={"member_id": second_adult}
        )
    )
    assert waitlisted.json()["status"] == "waitlisted"
    await notified(anna, "course.waitlisted", second_id)

    # A recipient never sees another's notifications.
    annas = await inbox(anna)
    claras = await inbox(clara)
    assert not {n["id"] for n in annas} & {n["id"] for n in claras}
    assert (await clara.get(f"/inbox/{annas[0]['id']}")).status_code == 404
    assert (await clara.post(f"/inbox/{annas[0]['id']}/read")).status_code == 404


async def test_a_duplicate_event_makes_no_duplicate_notification(
    city: System, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    staff = Staff(city)
    officer = staff.client("notifications", Role.HOUSING_OFFICER, "ho-frieda")
    await officer.put("/me", json={"email": "frieda@duelmen.example", "language": "de"})
    intake = staff.client("intake", Role.CASEWORKER, "cw-anna")
    registered = await intake.post("/households", json=household_body("BRA-2026-0042"))
    household_id = registered.json()["id"]
    await notified(officer, "household.assigned", household_id)
    await eventually(lambda: box.to("frieda@duelmen.example"))

    # The broker delivers the very same event again (as after a relay crash).
    body = await city.query(
        "intake",
        "SELECT body FROM outbox_message WHERE event_type = 'household.assigned' "
        "AND convert_from(body, 'UTF8') LIKE $1",
        f"%{household_id}%",
    )
    duplicates_before = await city.consumed("notifications", "household.assigned", "duplicate")
    connection = await aio_pika.connect(city.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange("teilhabe.events")
    for _ in range(2):
        await exchange.publish(aio_pika.Message(bytes(body)), routing_key="household.assigned")
    await connection.close()

    # The consumer counts each copy it recognises and skips: both are behind us then.
    async def both_copies_skipped() -> bool:
        now = await city.consumed("notifications", "household.assigned", "duplicate")
        return now - duplicates_before == 2

    await eventually(both_copies_skipped, timeout=30)
    matching = [n for n in await inbox(officer) if n["household_id"] == household_id]
    assert len(matching) == 1
    assert len(box.to("frieda@duelmen.example")) == 1


async def test_staff_are_known_from_their_first_sign_in_or_call_without_registering(
    city: System, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    # One housing officer's first call to notifications' API; nothing registered.
    greta = httpx.AsyncClient(
        base_url=city.api("notifications").url,
        headers={
            "Authorization": "Bearer "
            + city.identity.mint(
                subject="ho-greta",
                roles=[Role.HOUSING_OFFICER],
                preferred_username="Greta Vogt",
                email="greta@duelmen.example",
            )
        },
        timeout=30,
    )
    assert await inbox(greta) == []
    # Another signs in to the housing tool, a caseworker to the notifications tool: the
    # development provider gives each an address, the sign-in tells the other services.
    for service, subject, role in (
        ("housing", "ho-hanna", Role.HOUSING_OFFICER),
        ("notifications", "cw-ida", Role.CASEWORKER),
    ):
        async with httpx.AsyncClient(base_url=city.api(service).url, timeout=30) as browser:
            await sign_in(browser, subject=subject, roles=[role], name=subject.title())
    await eventually(
        lambda: city.query("notifications", "SELECT email FROM recipient WHERE id = 'ho-hanna'")
    )
    caseworkers = await eventually(
        lambda: city.query_all(
            "intake", "SELECT subject, name FROM staff_member WHERE 'caseworker' = ANY(roles)"
        )
    )
    assert [tuple(row) for row in caseworkers] == [("cw-ida", "Cw-Ida")]

    intake = Staff(city).client("intake", Role.CASEWORKER, "cw-ida")
    registered = await intake.post("/households", json=household_body("BRA-2026-0777"))
    household_id = registered.json()["id"]
    await notified(greta, "household.assigned", household_id)
    assert await eventually(lambda: box.to("greta@duelmen.example"))
    assert await eventually(lambda: box.to("ho-hanna@duelmen.de"))
    await greta.aclose()


async def test_a_former_mentor_hears_nothing_more_of_the_household(
    city: System, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    staff = Staff(city)
    anna = staff.client("notifications", Role.CASEWORKER, "cw-anna")
    greta = staff.client("notifications", Role.VOLUNTEER, "vol-greta")
    me = {"name": "Anna Schulte", "email": "anna@duelmen.example", "language": "de"}
    assert (await anna.put("/me", json=me)).status_code == 200
    intake = staff.client("intake", Role.CASEWORKER, "cw-anna")
    registered = await intake.post("/households", json=household_body("BRA-2026-4790"))
    household_id = registered.json()["id"]
    await intake.put(f"/households/{household_id}/caseworker", json={"caseworker_id": "cw-anna"})
    await notified(anna, "caseworker.assigned", household_id)

    volunteers = staff.client("volunteers", Role.VOLUNTEER_COORDINATOR, "vk-emil")
    volunteer = await volunteers.post(
        "/volunteers",
        json={
            "display_name": "Greta Vennemann",
            "email": "greta@example.org",
            "preferred_language": "de",
            "subject": "vol-greta",
        },
    )
    volunteer_id = volunteer.json()["id"]
    today = "2026-11-25"
    await volunteers.put(
        f"/volunteers/{volunteer_id}/clearance",
        json={"inspected_on": today, "issued_on": "2026-10-01", "relevant_conviction": False},
    )
    match = await accepted(
        lambda: volunteers.post(
            "/matches",
            json={"volunteer_id": volunteer_id, "household_id": household_id, "started_on": today},
        )
    )
    housing = staff.client("housing", Role.HOUSING_OFFICER, "ho-bernd")
    site = await housing.post(
        "/sites",
        json={
            "name": "Wohnung Lüdinghauser Straße",
            "kind": "apartment",
            "address": "Lüdinghauser Straße 5, 48249 Dülmen",
            "units": [{"name": "Wohnung", "beds": 3}],
        },
    )
    placement = await accepted(
        lambda: housing.post(
            "/placements",
            json={
                "household_id": household_id,
                "unit_id": site.json()["units"][0]["id"],
                "moved_in_on": today,
            },
        )
    )
    await notified(greta, "household.moved_in", household_id)  # the mentor is addressed

    ended = await volunteers.post(f"/matches/{match.json()['id']}/end", json={"ended_on": today})
    assert ended.status_code == 200, ended.text
    await notified(anna, "mentorship.ended", household_id)  # the caseworker is told

    moved_out = await housing.post(
        f"/placements/{placement.json()['id']}/move-out",
        json={"moved_out_on": "2026-11-26", "reason": "private_housing"},
    )
    assert moved_out.status_code == 200, moved_out.text
    await notified(anna, "household.moved_out", household_id)
    subject = "Haushalt BRA-2026-4790 ist ausgezogen"
    await eventually(lambda: [m for m in box.to("anna@duelmen.example") if m["Subject"] == subject])
    # Deliveries of one event are made together: the caseworker's are there, so a former
    # mentor's would be too.
    greta_heard = {n["event_type"] for n in await inbox(greta) if n["household_id"] == household_id}
    assert "household.moved_in" in greta_heard
    assert "household.moved_out" not in greta_heard
    assert not [m for m in box.to("greta@example.org") if m["Subject"] == subject]
