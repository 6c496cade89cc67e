"""Partner agencies on AMQP, tried as an agency would: through its own broker user. An
agency subscribed to `household.moved_in` hears of it for a household whose adults
consented to that agency and purpose, not for one without, nor for one where only one of
two adults consented, and nothing more after the consent is revoked; what it hears is
stripped to the subscription's fields. The allocating authority sends allocations in:
one sent twice is registered once, a malformed one or one in another's name is dead-
lettered with the reason. A course provider reports attendance and completions: each
recorded once, as the coordinator's would be (with courses' own events), and one about a
stranger or another provider's course dead-lettered with the reason.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from teilhabe.auth import Role
from teilhabe.events.catalogue import AGENCY_SOURCE_PREFIX
from teilhabe.events.courses import Attendance
from teilhabe.events.envelope import CloudEvent, new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe.events.inbound import (
    AllocationNotified,
    CourseAttendanceReported,
    CourseCompletionReported,
    EmploymentStartReported,
    NotifiedMember,
    ReportedAttendance,
)
from teilhabe.events.work import EmployerCategory
from teilhabe.messaging.agencies import (
    INBOUND_EXCHANGE,
    INBOUND_QUEUE,
    Agency,
    agency_queue_name,
    agency_user,
    declare_agency,
    inbound_queue_name,
)
from teilhabe.messaging.disposition import REASON_HEADER
from teilhabe.messaging.setup import EXCHANGE
from teilhabe.messaging.topology import dead_letter_queue_name
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import TEST_TEAM
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.processes import ServiceProcess

from .support import System, eventually, household_body, metric, provisioned_system

JOBCENTER = "jc-test"
PURPOSE = "arbeitsvermittlung"


@pytest.fixture
async def agencies_system(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["intake", "notifications"]) as system:
        yield system


async def provision(system: System, agency: Agency) -> str:
    """`teilhabe-broker agency add` in the test's vhost; the agency user's AMQP URL."""
    connection = await aio_pika.connect(system.amqp_url)
    async with connection:
        await declare_agency(await connection.channel(), agency)
    vhost = system.amqp_url.rsplit("/", 1)[1]
    user = agency_user(agency, name=f"{vhost}.{agency.name}")
    url = await asyncio.to_thread(system.infra.grant_broker_user, vhost, user)
    # Its user is deleted with the services' users at the end.
    system.service_amqp_urls[agency.name] = url
    return url


async def test_an_agency_hears_only_of_consenting_households_and_nothing_after_revocation(
    agencies_system: System,
) -> None:
    system = agencies_system
    agency_url = await provision(system, Agency(JOBCENTER, receives=("household.moved_in",)))
    intake = system.start("intake", "api")
    system.start("intake", "relay")
    notifications = system.start("notifications", "api")
    system.start("notifications", "consumer")

    caseworker = system.headers(Role.CASEWORKER, subject="cw-agency")
    async with httpx.AsyncClient(base_url=intake.url, headers=caseworker, timeout=30) as api:
        households = {}
        for key in ("consenting", "without", "sentinel", "half"):
            body = household_body(f"JC-{uuid.uuid4()}")
            if key == "half":  # two adults, one of whom consents
                body["members"][1]["date_of_birth"] = "1987-02-02"
            response = await api.post("/households", json=body)
            assert response.status_code == 201, response.text
            households[key] = response.json()
        consents = {}
        for key in ("consenting", "sentinel", "half"):
            household = households[key]
            consent = {
                "member_id": household["members"][0]["id"],
                "agency": JOBCENTER,
                "purpose": PURPOSE,
                "granted_on": date.today().isoformat(),
                "evidence_reference": "Akte 4711, Blatt 3",
            }
            response = await api.post(f"/households/{household['id']}/consents", json=consent)
            assert response.status_code == 201, response.text
            consents[key] = response.json()["id"]

    admin = system.headers(Role.ADMIN, subject="admin-agency")
    async with httpx.AsyncClient(base_url=notifications.url, headers=admin, timeout=30) as api:
        response = await api.put(f"/agencies/{JOBCENTER}", json={"display_name": "Jobcenter"})
        assert response.status_code == 200, response.text
        subscription = {
            "event_type": "household.moved_in",
            "purpose": PURPOSE,
            "fields": ["moved_in_on"],
        }
        response = await api.post(f"/agencies/{JOBCENTER}/subscriptions", json=subscription)
        assert response.status_code == 201, response.text

    async def consents_known(revoked: bool) -> bool:
        sql = "SELECT count(*) FROM agency_consent WHERE granted_on IS NOT NULL"
        sql += " AND revoked_on IS NOT NULL" if revoked else ""
        return int(await system.query("notifications", sql)) == (1 if revoked else 3)

    await eventually(lambda: consents_known(revoked=False), timeout=120)

    connection = await aio_pika.connect(agency_url)  # as the agency
    async with connection:
        queue = await (await connection.channel()).get_queue(agency_queue_name(JOBCENTER))
        await moved_in(system, households["without"]["id"])
        await moved_in(system, households["half"]["id"])
        await moved_in(system, households["consenting"]["id"])
        first = await received(queue)
        assert first["data"] == {
            "household_id": households["consenting"]["id"],
            "moved_in_on": "2026-11-25",
        }
        assert first["source"] == "/teilhabe/notifications"
        assert first["type"] == "household.moved_in"

        async with httpx.AsyncClient(base_url=intake.url, headers=caseworker, timeout=30) as api:
            household_id = households["consenting"]["id"]
            response = await api.post(
                f"/households/{household_id}/consents/{consents['consenting']}/revocation",
                json={},
            )
            assert response.status_code == 200, response.text
        await eventually(lambda: consents_known(revoked=True), timeout=120)

        await moved_in(system, households["consenting"]["id"])
        await moved_in(system, households["without"]["id"])
        await moved_in(system, households["sentinel"]["id"])
        # The gateway handles its queue in order: what came before the sentinel is done.
        after = await received(queue)
        assert after["data"]["household_id"] == households["sentinel"]["id"]
        assert await queue.get(fail=False) is None


async def moved_in(system: System, household_id: str) -> None:
    """housing's event, as housing's relay would publish it."""
    payload = HouseholdMovedIn(
        household_id=uuid.UUID(household_id),
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=2,
        moved_in_on=date(2026, 11, 25),
        site_name="Haus Nord",
        unit_name="A",
    )
    event = new_event(payload, source="/teilhabe/housing")
    connection = await aio_pika.connect(system.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        message = aio_pika.Message(event.to_json(), message_id=event.id, type=event.type)
        await exchange.publish(message, routing_key=event.type)


async def received(queue: AbstractQueue) -> dict[str, Any]:
    message: AbstractIncomingMessage = await eventually(lambda: queue.get(fail=False), timeout=120)
    await message.ack()
    return json.loads(message.body)  # type: ignore[no-any-return]


async def test_an_allocation_sent_twice_is_registered_once_and_a_bad_one_dead_lettered(
    agencies_system: System,
) -> None:
    system = agencies_system
    authority = Agency("bra-test", sends=("allocation.notified",))
    url = await provision(system, authority)
    sender = unquote(urlsplit(url).username or "")
    senders = json.dumps({"allocation.notified": [sender]})
    system.start("intake", "consumer", env={"INBOUND_SENDERS": senders})

    number = f"BRA-IN-{uuid.uuid4().hex[:8].upper()}"
    genuine = allocation(number)
    again = allocation(f"  {number.lower()} ")  # the same notice, typed differently
    malformed = allocation(f"{number}-X", residence_status="unbekannt")
    connection = await aio_pika.connect(url)  # as the authority
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(INBOUND_EXCHANGE)
        first = new_event(genuine, source=f"{AGENCY_SOURCE_PREFIX}{sender}")
        for event in (
            first,
            first,  # redelivered: the same id
            new_event(again, source=f"{AGENCY_SOURCE_PREFIX}{sender}"),
            new_event(malformed, source=f"{AGENCY_SOURCE_PREFIX}{sender}"),
            new_event(allocation(f"{number}-Y"), source=f"{AGENCY_SOURCE_PREFIX}someone-else"),
        ):
            message = aio_pika.Message(
                event.to_json(), message_id=event.id, type=event.type, user_id=sender
            )
            await exchange.publish(message, routing_key=event.type)

    admin = await aio_pika.connect(system.amqp_url)
    async with admin:
        dead = await (await admin.channel()).get_queue(dead_letter_queue_name(INBOUND_QUEUE))
        reasons = []
        for _ in range(2):
            letter = await eventually(lambda: dead.get(fail=False), timeout=120)
            await letter.ack()
            reasons.append(str(letter.headers[REASON_HEADER]))
    # Refused at the door (another's name) or by the rules (a status intake does not know).
    first, second = sorted(reasons)
    assert first.startswith("invalid allocation: members.0.residence_status"), first
    assert "is not the sending agency" in second, second

    sql = "SELECT allocation_notice_number FROM household WHERE allocation_notice_number LIKE $1"
    rows = await system.query_all("intake", sql, f"{number}%")
    assert [row[0] for row in rows] == [number]


async def test_an_erasure_deletes_the_dead_lettered_allocation_of_the_household(
    agencies_system: System,
) -> None:
    """The state's allocation carries names and dates of birth but no id of ours: one
    refused and dead-lettered goes with the erasure of the household a caseworker then
    registered under the same notice (typed differently), found by its notice number."""
    system = agencies_system
    authority = Agency("bra-erase", sends=("allocation.notified",))
    url = await provision(system, authority)
    sender = unquote(urlsplit(url).username or "")
    senders = json.dumps({"allocation.notified": [sender]})
    system.start("intake", "consumer", env={"INBOUND_SENDERS": senders})
    api = system.start("intake", "api")

    number = f"BRA-ER-{uuid.uuid4().hex[:8].upper()}"
    refused = allocation(f" {number.lower()}  ", residence_status="unbekannt")
    another = allocation(f"{number}-2", residence_status="unbekannt")  # another's: stays
    connection = await aio_pika.connect(url)  # as the authority
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(INBOUND_EXCHANGE)
        for payload in (refused, another):
            event = new_event(payload, source=f"{AGENCY_SOURCE_PREFIX}{sender}")
            message = aio_pika.Message(
                event.to_json(), message_id=event.id, type=event.type, user_id=sender
            )
            await exchange.publish(message, routing_key=event.type)

    admin = await aio_pika.connect(system.amqp_url)
    async with admin:
        channel = await admin.channel()
        dead = await channel.get_queue(dead_letter_queue_name(INBOUND_QUEUE))

        async def lying(count: int) -> bool:
            return (await dead.declare()).message_count == count

        await eventually(lambda: lying(2), timeout=120)

        # The caseworker registers the household by hand, under the same notice.
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as intake:
            registered = await intake.post(
                "/households",
                json=household_body(number),
                headers=system.headers(Role.CASEWORKER),
            )
            assert registered.status_code == 201, registered.text
            dpo = system.headers(Role.DATA_PROTECTION, subject="dpo")
            made = await intake.post(
                "/erasure-requests",
                json={
                    "subject_kind": "household",
                    "subject_id": registered.json()["id"],
                    "reason": "Antrag nach Art. 17 DSGVO",
                },
                headers=dpo,
            )
            assert made.status_code == 201, made.text

            # Intake's timer deletes its dead letters naming the notice (the other stays)
            # and counts them to intake's confirmation: household, two members, the letter.
            async def counted() -> bool:
                read = await intake.get(f"/erasure-requests/{made.json()['id']}", headers=dpo)
                [own] = [s for s in read.json()["services"] if s["service"] == "intake"]
                return bool(own["records"] == 4)

            await eventually(lambda: lying(1), timeout=60, interval=0.5)
            await eventually(counted, timeout=30, interval=0.5)
        letter = await eventually(lambda: dead.get(fail=False), timeout=30)
        await letter.nack(requeue=True)
        assert f"{number}-2".encode() in letter.body
    # The timer that did it no longer names the notice.
    payloads = await system.query_all("intake", "SELECT payload FROM timer")
    assert not [row for row in payloads if number in str(row[0]).upper()]


def allocation(
    number: str, *, residence_status: str = "aufenthaltsgestattung"
) -> AllocationNotified:
    return AllocationNotified(
        allocation_notice_number=number,
        allocated_on=date(2026, 11, 20),
        allocating_authority="Bezirksregierung Arnsberg",
        members=(
            NotifiedMember(
                given_name="Amina",
                family_name="Haddad",
                date_of_birth=date(1988, 3, 14),
                sex="female",
                nationality="SYR",
                languages=("ar",),
                residence_status=residence_status,
                residence_status_expires_on=date(2027, 5, 20),
            ),
        ),
    )


PROVIDER = "VHS Teststadt"


@pytest.fixture
async def courses_system(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["courses"]) as system:
        yield system


async def test_a_course_provider_reports_attendance_and_completion_once_and_bad_ones_dead_lettered(
    courses_system: System,
) -> None:
    system = courses_system
    provider = Agency(
        "vhs-test", sends=("course.attendance_reported", "course.completion_reported")
    )
    url = await provision(system, provider)
    sender = unquote(urlsplit(url).username or "")
    senders = json.dumps({t: [sender] for t in provider.sends})
    env = {"INBOUND_SENDERS": senders, "AGENCY_PROVIDERS": json.dumps({sender: [PROVIDER]})}
    api = system.start("courses", "api")
    consumer = system.start("courses", "consumer", env=env)

    # The person as courses learns of them: household.assigned, as intake's relay publishes
    # it; the provider's course (and another provider's) with a session, planned and
    # filled by the coordinator.
    member_id, household_id = uuid.uuid4(), uuid.uuid4()
    assigned = HouseholdAssigned(
        household_id=household_id,
        allocation_notice_number=f"VHS-{household_id.hex[:8].upper()}",
        allocated_on=date(2026, 11, 20),
        member_count=1,
        minor_count=0,
        members=(
            AllocatedMember(member_id=member_id, age_group=AgeGroup.ADULT, languages=("ar",)),
        ),
    )
    await publish(system, new_event(assigned, source="/teilhabe/intake"))
    known = "SELECT count(*) FROM person WHERE member_id = $1"
    await eventually(lambda: _equals(system.query("courses", known, member_id), 1), timeout=120)
    headers = system.headers(Role.COURSE_COORDINATOR, subject="kc-inbound")
    async with httpx.AsyncClient(base_url=api.url, headers=headers, timeout=30) as client:
        ours, theirs = [await course(client, name) for name in (PROVIDER, "Anderer Träger")]
        enrolled = [await enrol(client, c, member_id) for c in (ours, theirs)]
        now = datetime.now(UTC)
        held = await client.post(
            f"/courses/{ours}/sessions",
            json={"starts_at": (now - timedelta(hours=3)).isoformat(), "ends_at": now.isoformat()},
        )
        assert held.status_code == 201, held.text
        session_id = uuid.UUID(held.json()["id"])

    source = f"{AGENCY_SOURCE_PREFIX}{sender}"
    present = ReportedAttendance(enrollment_id=enrolled[0], attendance=Attendance.PRESENT)
    attendance = new_event(
        CourseAttendanceReported(session_id=session_id, entries=(present,)), source=source
    )
    completion = CourseCompletionReported(enrollment_id=enrolled[0], result="B1")
    completed = new_event(completion, source=source)
    stranger = ReportedAttendance(enrollment_id=uuid.uuid4(), attendance=Attendance.ABSENT)
    connection = await aio_pika.connect(url)  # as the provider
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(INBOUND_EXCHANGE)
        for event in (
            attendance,
            attendance,  # redelivered: the same id
            completed,
            completed,
            new_event(completion, source=source),  # reported again: already completed
            new_event(
                CourseAttendanceReported(session_id=session_id, entries=(stranger,)),
                source=source,
            ),
            new_event(CourseCompletionReported(enrollment_id=enrolled[1]), source=source),
        ):
            message = aio_pika.Message(
                event.to_json(), message_id=event.id, type=event.type, user_id=sender
            )
            await exchange.publish(message, routing_key=event.type)

    admin = await aio_pika.connect(system.amqp_url)
    async with admin:
        queue = dead_letter_queue_name(inbound_queue_name("courses"))
        dead = await (await admin.channel()).get_queue(queue)
        reasons = []
        for _ in range(2):
            letter = await eventually(lambda: dead.get(fail=False), timeout=120)
            await letter.ack()
            reasons.append(str(letter.headers[REASON_HEADER]))
    first, second = sorted(reasons)
    assert first.startswith(f"agency '{sender}' does not provide course {theirs}"), first
    assert second.startswith("invalid attendance: entries: not an enrolled participant"), second

    # Every message handled (the repeated ids counted as duplicates), then what it left.
    await eventually(lambda: all_handled(consumer), timeout=60)
    recorded = await system.query_all(
        "courses",
        "SELECT attendance::text, recorded_by FROM session_attendance WHERE session_id = $1",
        session_id,
    )
    assert [tuple(row) for row in recorded] == [("present", f"agency:{sender}")]
    row = await system.query_all(
        "courses",
        "SELECT status::text, result, completed_by FROM enrollment WHERE id = $1",
        enrolled[0],
    )
    assert tuple(row[0]) == ("completed", "B1", f"agency:{sender}")
    events = await system.query_all(
        "courses",
        "SELECT event_type, count(*) FROM outbox_message "
        "WHERE event_type IN ('course.attendance_recorded', 'course.completed') "
        "GROUP BY event_type",
    )
    assert {r[0]: r[1] for r in events} == {
        "course.attendance_recorded": 1,
        "course.completed": 1,
    }


async def all_handled(consumer: ServiceProcess) -> bool:
    """Attendance once and a duplicate; completion twice (once already done), a duplicate."""
    expected = {
        ("course.attendance_reported", "handled"): 1,
        ("course.attendance_reported", "duplicate"): 1,
        ("course.completion_reported", "handled"): 2,
        ("course.completion_reported", "duplicate"): 1,
    }
    for (event_type, outcome), count in expected.items():
        labels = {"service": "courses", "event_type": event_type, "outcome": outcome}
        if await metric(consumer, "teilhabe_events_consumed_total", **labels) < count:
            return False
    return True


async def course(client: httpx.AsyncClient, provider: str) -> str:
    today = date.today()
    response = await client.post(
        "/courses",
        json={
            "kind": "integration_course",
            "provider": provider,
            "title": f"Integrationskurs {provider}",
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=150)).isoformat(),
            "place": "Hauptstraße 1",
            "seats": 10,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def enrol(client: httpx.AsyncClient, course_id: str, member_id: uuid.UUID) -> uuid.UUID:
    response = await client.post(
        f"/courses/{course_id}/enrollments", json={"member_id": str(member_id)}
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "enrolled"
    return uuid.UUID(response.json()["id"])


async def test_the_jobcenter_reports_employment_starts_once_and_a_refused_one_dead_lettered(
    courses_system: System,
) -> None:
    system = courses_system
    jobcenter = Agency("jc-work-test", sends=("employment.start_reported",))
    url = await provision(system, jobcenter)
    sender = unquote(urlsplit(url).username or "")
    env = {"INBOUND_SENDERS": json.dumps({"employment.start_reported": [sender]})}
    api = system.start("courses", "api")
    consumer = system.start("courses", "consumer", env=env)

    # The household reaches courses as intake's relay publishes it, not written into its
    # database: an adult with a permit (recorded by the caseworker), one without.
    permitted, without = uuid.uuid4(), uuid.uuid4()
    assigned = HouseholdAssigned(
        household_id=uuid.uuid4(),
        allocation_notice_number=f"JC-W-{uuid.uuid4().hex[:8].upper()}",
        allocated_on=date(2026, 11, 20),
        member_count=2,
        minor_count=0,
        members=tuple(
            AllocatedMember(member_id=m, age_group=AgeGroup.ADULT) for m in (permitted, without)
        ),
        team=TEST_TEAM,
    )
    await publish(system, new_event(assigned, source="/teilhabe/intake"))
    sql = "SELECT count(*) FROM person WHERE household_id = $1"
    await eventually(
        lambda: _equals(system.query("courses", sql, assigned.household_id), 2), timeout=120
    )
    caseworker = system.headers(Role.CASEWORKER, subject="cw-work-inbound")
    async with httpx.AsyncClient(base_url=api.url, headers=caseworker, timeout=30) as client:
        permit = {"member_id": str(permitted), "status": "permitted"}
        response = await client.put("/work/permits", json=permit)
        assert response.status_code == 200, response.text

    source = f"{AGENCY_SOURCE_PREFIX}{sender}"

    def report(member_id: uuid.UUID) -> EmploymentStartReported:
        return EmploymentStartReported(
            member_id=member_id,
            started_on=date(2026, 12, 1),
            employer_category=EmployerCategory.LOGISTICS,
            hours_per_week=Decimal("25"),
        )

    started = new_event(report(permitted), source=source)
    connection = await aio_pika.connect(url)  # as the Jobcenter
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(INBOUND_EXCHANGE)
        for event in (started, started, new_event(report(without), source=source)):
            message = aio_pika.Message(
                event.to_json(), message_id=event.id, type=event.type, user_id=sender
            )
            await exchange.publish(message, routing_key=event.type)

    admin = await aio_pika.connect(system.amqp_url)
    async with admin:
        queue = dead_letter_queue_name(inbound_queue_name("courses"))
        dead = await (await admin.channel()).get_queue(queue)
        letter = await eventually(lambda: dead.get(fail=False), timeout=120)
        await letter.ack()
    reason = str(letter.headers[REASON_HEADER])
    assert reason.startswith("invalid employment start: member_id: no work permit"), reason

    labels = {"service": "courses", "event_type": "employment.start_reported"}

    async def handled_and_duplicate() -> bool:
        handled = await metric(
            consumer, "teilhabe_events_consumed_total", **labels, outcome="handled"
        )
        duplicate = await metric(
            consumer, "teilhabe_events_consumed_total", **labels, outcome="duplicate"
        )
        return handled >= 1 and duplicate >= 1

    await eventually(handled_and_duplicate, timeout=60)
    rows = await system.query_all(
        "courses",
        "SELECT member_id, employer_category::text, recorded_by FROM employment",
    )
    assert [tuple(r) for r in rows] == [(permitted, "logistics", f"agency:{sender}")]
    events = await system.query_all(
        "courses",
        "SELECT count(*) FROM outbox_message WHERE event_type = 'employment.started'",
    )
    assert events[0][0] == 1


async def _equals(value: Any, expected: int) -> bool:
    return int(await value) == expected


async def publish(system: System, event: CloudEvent) -> None:
    """A service's event, as its relay would publish it."""
    connection = await aio_pika.connect(system.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        message = aio_pika.Message(event.to_json(), message_id=event.id, type=event.type)
        await exchange.publish(message, routing_key=event.type)
