"""Quiet hours and the daily digest, with a fixed clock (teilhabe.clock) on PostgreSQL,
the timer worker and a real SMTP server in-process (aiosmtpd).

Times are in Europe/Berlin; the quiet hours straddle the nights of the changes to and
from summer time (the last Sundays of October and March).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from notifications import erasure, service
from notifications.config import NotificationsSettings
from notifications.digests import DIGEST_TIMER
from notifications.domain import Channel, DeliveryStatus
from notifications.handlers import HANDLERS
from notifications.main import SERVICE
from notifications.models import Delivery
from notifications.schemas import DeliveryTimesIn, MeIn, PreferenceIn, PreferencesIn
from notifications.sender import EmailSender
from notifications.timing import DeliveryTimes, next_digest, quiet_hours_end
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe import clock
from teilhabe.api.problems import InvalidFields
from teilhabe.auth import Principal, Role
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events import new_event
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.courses import CourseEnrolled, OfferKind, SeatOffered
from teilhabe.events.erasure import ErasureSubject
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    CaseworkerAssigned,
    HouseholdAssigned,
    ResidenceStatusExpiring,
)
from teilhabe.events.volunteers import HelpRequestWithdrawn
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.timer_worker import TimerOptions, TimerWorker
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.sealing import volunteer_registration
from teilhabe_dev.testing.tcp_proxy import free_port

BERLIN = ZoneInfo("Europe/Berlin")
NIGHTS = DeliveryTimes(quiet_from=time(22, 0), quiet_until=time(7, 0))


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


# --- the rules, as pure functions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("evening", "morning_utc"),
    [
        # Summer time ends in the night to Sunday 25 October 2026: 07:00 is 06:00 UTC.
        (berlin(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
        # Summer time starts in the night to Sunday 28 March 2027: 07:00 is 05:00 UTC.
        (berlin(2027, 3, 27, 23, 30), datetime(2027, 3, 28, 5, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end_at_seven_on_the_wall_clock_across_a_change(
    evening: datetime, morning_utc: datetime
) -> None:
    end = quiet_hours_end(evening.astimezone(UTC), NIGHTS)
    assert end == morning_utc
    assert end.astimezone(BERLIN).time() == time(7, 0)
    # After midnight, the same morning.
    assert quiet_hours_end(morning_utc - timedelta(hours=3), NIGHTS) == morning_utc


def test_outside_quiet_hours_and_within_one_day() -> None:
    assert quiet_hours_end(berlin(2026, 10, 24, 21, 59), NIGHTS) is None
    assert quiet_hours_end(berlin(2026, 10, 25, 7, 0), NIGHTS) is None
    lunch = DeliveryTimes(quiet_from=time(12, 0), quiet_until=time(14, 0))
    assert quiet_hours_end(berlin(2026, 11, 30, 13, 0), lunch) == berlin(2026, 11, 30, 14, 0)
    assert quiet_hours_end(berlin(2026, 11, 30, 14, 0), lunch) is None
    assert quiet_hours_end(berlin(2026, 11, 30, 1, 0), DeliveryTimes()) is None


def test_quiet_hours_are_read_in_the_recipients_own_zone() -> None:
    kyiv = DeliveryTimes(time_zone="Europe/Kyiv", quiet_from=time(22), quiet_until=time(7))
    # 21:30 in Berlin is 22:30 in Kyiv: quiet there until 07:00 Kyiv time (05:00 UTC).
    assert quiet_hours_end(berlin(2026, 11, 30, 21, 30), kyiv) == datetime(
        2026, 12, 1, 5, 0, tzinfo=UTC
    )


def test_the_digest_keeps_its_local_time_across_a_change() -> None:
    six = DeliveryTimes(digest_at=time(18, 0))
    saturday = next_digest(berlin(2026, 10, 24, 18, 0), six)
    assert saturday == berlin(2026, 10, 25, 18, 0)
    assert saturday is not None
    assert saturday - berlin(2026, 10, 24, 18, 0) == timedelta(hours=25)
    assert next_digest(berlin(2026, 10, 24, 17, 59), six) == berlin(2026, 10, 24, 18, 0)
    assert next_digest(berlin(2026, 10, 24, 17, 59), DeliveryTimes()) is None


# --- with the database, the timer worker and an SMTP server -------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
async def database(infra: Infrastructure) -> AsyncIterator[str]:
    async with migrated_database(infra, SERVICE) as url:
        yield url


@pytest.fixture
async def sessions(database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database, pool_size=4)
    yield create_session_factory(engine)
    await engine.dispose()


class FixedClock:
    """teilhabe.clock.now at a moment the test sets."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = datetime.now(UTC)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def set(self, moment: datetime) -> None:
        self.at = moment.astimezone(UTC)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    return FixedClock(monkeypatch)


def sender(database: str, port: int) -> EmailSender:
    settings = NotificationsSettings(
        database_url=database,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="teilhabe@duelmen.example",
    )
    return EmailSender(settings, create_session_factory(create_engine(database, pool_size=1)))


async def deliver(
    sessions: async_sessionmaker[AsyncSession], payload: EventPayload
) -> ReceivedEvent[Any]:
    event = ReceivedEvent(envelope=new_event(payload, source="/test"), payload=payload)
    async with sessions() as session, session.begin():
        await HANDLERS[type(payload)](session, [event])
    return event


async def caseworker_with(
    sessions: async_sessionmaker[AsyncSession], times: DeliveryTimesIn
) -> tuple[Principal, uuid.UUID]:
    """A caseworker with an e-mail address and the given times, and a household of theirs."""
    principal = Principal(
        subject=f"cw-{uuid.uuid4().hex[:8]}",
        roles=frozenset({Role.CASEWORKER}),
        name="Anna Fall",
    )
    async with sessions() as session:
        await service.put_me(
            session=session, principal=principal, me_in=MeIn(email="anna@duelmen.example")
        )
    async with sessions() as session:
        await service.put_delivery_times(session=session, principal=principal, times_in=times)
    household_id = uuid.uuid4()
    await deliver(
        sessions,
        HouseholdAssigned(
            household_id=household_id,
            allocation_notice_number=f"BRA-{uuid.uuid4().hex[:6]}",
            allocated_on=date(2026, 10, 1),
            member_count=1,
            minor_count=0,
            members=(AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.ADULT),),
        ),
    )
    await deliver(
        sessions, CaseworkerAssigned(household_id=household_id, caseworker_id=principal.subject)
    )
    return principal, household_id


def enrolment(household_id: uuid.UUID, title: str) -> CourseEnrolled:
    return CourseEnrolled(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title=title,
        course_kind=OfferKind.INTEGRATION_COURSE,
        household_id=household_id,
        member_id=uuid.uuid4(),
    )


async def emails_of(
    sessions: async_sessionmaker[AsyncSession], recipient_id: str
) -> list[Delivery]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Delivery)
                .where(Delivery.recipient_id == recipient_id, Delivery.channel == Channel.EMAIL)
                .order_by(Delivery.created_at)
            )
        )


@pytest.mark.parametrize(
    ("evening", "seven_utc"),
    [
        (berlin(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
        (berlin(2027, 3, 27, 23, 30), datetime(2027, 3, 28, 5, 0, tzinfo=UTC)),
    ],
)
async def test_an_email_due_in_quiet_hours_goes_out_at_seven_local_time_across_a_change(
    evening: datetime,
    seven_utc: datetime,
    mailbox: tuple[Mailbox, int],
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    fixed_clock: FixedClock,
) -> None:
    server, port = mailbox
    # The assignment comes at noon that day: on the real clock it could fall in the quiet
    # hours too and be held.
    fixed_clock.set(evening - timedelta(hours=11, minutes=30))
    principal, household_id = await caseworker_with(
        sessions,
        DeliveryTimesIn(time_zone="Europe/Berlin", quiet_from=time(22, 0), quiet_until=time(7, 0)),
    )
    mail = sender(database, port)
    await mail.send_due()
    server.messages.clear()  # the assignment, before the quiet hours

    fixed_clock.set(evening)
    await deliver(sessions, enrolment(household_id, "Integrationskurs Abend"))
    # A critical event is not held: the caseworker hears of it at once.
    await deliver(
        sessions,
        ResidenceStatusExpiring(
            household_id=household_id, member_id=uuid.uuid4(), expires_on=date(2027, 1, 31)
        ),
    )
    await mail.send_due()
    assert [m["Subject"] for m in server.messages] == [
        next(
            d.title
            for d in await emails_of(sessions, principal.subject)
            if d.event_type == "member.residence_status_expiring"
        )
    ]
    server.messages.clear()
    held = [d for d in await emails_of(sessions, principal.subject) if d.status == "pending"]
    assert [d.next_attempt_at for d in held] == [seven_utc]

    fixed_clock.set(seven_utc - timedelta(seconds=1))  # 06:59:59 on the wall clock
    assert await mail.send_due() == 0
    assert server.messages == []

    fixed_clock.set(seven_utc)
    assert await mail.send_due() == 1
    (message,) = server.messages
    assert message["Subject"] == held[0].title
    assert "Integrationskurs Abend" in held[0].title
    sent_at = parsedate_to_datetime(message["Date"]).astimezone(BERLIN)
    assert (sent_at.date(), sent_at.time()) == (seven_utc.astimezone(BERLIN).date(), time(7, 0))


async def test_the_digest_holds_the_days_events_once_and_critical_ones_go_out_at_once(
    mailbox: tuple[Mailbox, int],
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    fixed_clock: FixedClock,
) -> None:
    server, port = mailbox
    fixed_clock.set(berlin(2026, 11, 30, 8, 0))
    principal, household_id = await caseworker_with(
        sessions, DeliveryTimesIn(time_zone="Europe/Berlin", digest_at=time(18, 0))
    )
    mail = sender(database, port)
    fixed_clock.set(berlin(2026, 11, 30, 10, 0))
    first = await deliver(sessions, enrolment(household_id, "Sprachcafé am Markt"))
    second = await deliver(sessions, enrolment(household_id, "Integrationskurs B1"))
    # The same event heard again (a redelivery the inbox let through).
    async with sessions() as session, session.begin():
        await HANDLERS[CourseEnrolled](session, [second])
    await deliver(
        sessions,
        ResidenceStatusExpiring(
            household_id=household_id, member_id=uuid.uuid4(), expires_on=date(2027, 1, 31)
        ),
    )
    await mail.send_due()
    subjects = [m["Subject"] for m in server.messages]
    assert len(subjects) == 1, "only the critical one before the digest"
    assert "Sprachcafé" not in subjects[0]
    assert "Integrationskurs" not in subjects[0]
    server.messages.clear()

    # 18:00 in Berlin: the timer worker fires the digest.
    fixed_clock.set(berlin(2026, 11, 30, 18, 0, 5))
    worker = TimerWorker(
        TimerOptions.from_settings(NotificationsSettings(database_url=database)),
        session_factory=sessions,
        handlers=SERVICE.timers,
    )
    assert await worker.fire_due() == 1
    await mail.send_due()
    (digest,) = server.messages
    assert digest["Subject"] == "Ihre Benachrichtigungen vom 30.11.2026"
    body = digest.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    for event in (first, second):
        title = f"„{event.payload.course_title}“"
        assert content.count(title) == 2, f"{title}: its title and its text, once each"
    assert "Sprachcafé" in content
    assert "Aufenthalt" not in content, "the critical one went out on its own"
    assert "mit 3 Benachrichtigungen" in content  # the assignment of the morning, two courses

    emails = await emails_of(sessions, principal.subject)
    bundled = [d for d in emails if d.status == DeliveryStatus.BUNDLED]
    (sent_digest,) = [d for d in emails if d.event_type == "digest"]
    assert {d.digest_id for d in bundled} == {sent_digest.id}
    assert len(bundled) == 3

    # The timer waits for tomorrow's 18:00; firing again now adds no second digest.
    async with sessions() as session:
        due_at = await session.scalar(
            text("SELECT run_at FROM timer WHERE kind = :kind AND key = :key"),
            {"kind": DIGEST_TIMER, "key": principal.subject},
        )
    assert due_at == berlin(2026, 12, 1, 18, 0)
    await worker.fire_due()
    await mail.send_due()
    assert len(server.messages) == 1

    # Erasing the household takes the digest with it: it holds copies of texts about it.
    async with sessions() as session, session.begin():
        await erasure.erase(session, ErasureSubject.HOUSEHOLD, household_id)
    assert await emails_of(sessions, principal.subject) == []


def seat_offer(household_id: uuid.UUID, title: str, expires_at: datetime) -> SeatOffered:
    return SeatOffered(
        offer_id=uuid.uuid4(),
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title=title,
        course_kind=OfferKind.INTEGRATION_COURSE,
        household_id=household_id,
        member_id=uuid.uuid4(),
        expires_at=expires_at,
    )


async def test_a_seat_offer_arrives_at_once_in_quiet_hours_and_despite_a_digest(
    mailbox: tuple[Mailbox, int],
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    fixed_clock: FixedClock,
) -> None:
    """A seat offer has a deadline: held until morning or evening, it may pass unanswered."""
    server, port = mailbox
    fixed_clock.set(berlin(2026, 11, 30, 8, 0))
    principal, household_id = await caseworker_with(
        sessions,
        DeliveryTimesIn(
            time_zone="Europe/Berlin",
            quiet_from=time(22, 0),
            quiet_until=time(7, 0),
            digest_at=time(18, 0),
        ),
    )
    mail = sender(database, port)
    async with sessions() as session:
        with pytest.raises(InvalidFields):
            await service.put_preferences(
                session=session,
                principal=principal,
                preferences_in=PreferencesIn(
                    preferences=[
                        PreferenceIn(
                            event_type="course.seat_offered", channel=Channel.EMAIL, enabled=False
                        )
                    ]
                ),
            )
    fixed_clock.set(berlin(2026, 11, 30, 23, 30))
    await deliver(sessions, enrolment(household_id, "Sprachcafé am Markt"))
    await deliver(
        sessions, seat_offer(household_id, "Integrationskurs B1", berlin(2026, 12, 2, 12, 0))
    )
    await mail.send_due()
    (message,) = server.messages
    assert "Integrationskurs B1" in message["Subject"]
    emails = await emails_of(sessions, principal.subject)
    assert {d.event_type: d.status for d in emails if d.event_type.startswith("course.")} == {
        "course.enrolled": DeliveryStatus.HELD,
        "course.seat_offered": DeliveryStatus.SENT,
    }


@pytest.mark.parametrize(
    ("deadline", "on_their_clock"),
    [
        # Before the change of 25 October 2026 London is UTC+1 (Berlin UTC+2) ...
        (datetime(2026, 10, 24, 11, 0, tzinfo=UTC), "24.10.2026, 12:00 Uhr"),
        # ... after it UTC+0 (Berlin UTC+1): the same wall time, an hour later in UTC.
        (datetime(2026, 10, 26, 12, 0, tzinfo=UTC), "26.10.2026, 12:00 Uhr"),
    ],
)
async def test_an_email_says_the_deadline_on_the_recipients_own_clock_across_a_change(
    deadline: datetime,
    on_their_clock: str,
    mailbox: tuple[Mailbox, int],
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    fixed_clock: FixedClock,
) -> None:
    server, port = mailbox
    fixed_clock.set(berlin(2026, 10, 23, 9, 0))
    _principal, household_id = await caseworker_with(
        sessions, DeliveryTimesIn(time_zone="Europe/London")
    )
    mail = sender(database, port)
    await mail.send_due()
    server.messages.clear()
    await deliver(sessions, seat_offer(household_id, "Integrationskurs A2", deadline))
    await mail.send_due()
    (message,) = server.messages
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert f"bis zum {on_their_clock}" in content.replace("\n", " ")
    berlin_time = deadline.astimezone(BERLIN)
    assert f"{berlin_time:%H:%M} Uhr" not in content, "not the city's clock"


async def test_a_withdrawn_request_reaches_who_took_it_by_email_at_once_in_their_language(
    mailbox: tuple[Mailbox, int],
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    fixed_clock: FixedClock,
) -> None:
    """The volunteer must not come for nothing: past their digest, in Ukrainian, on their
    own clock (Kyiv, an hour ahead of the city)."""
    server, port = mailbox
    fixed_clock.set(berlin(2026, 12, 7, 20, 0))
    volunteer_id, login = uuid.uuid4(), f"vol-{uuid.uuid4().hex[:8]}"
    for payload in volunteer_registration(
        volunteer_id,
        "Hanna S.",
        f"{login}@example.org",
        preferred_language="uk",
        languages=("uk",),
        account_subject=login,
    ):
        await deliver(sessions, payload)
    principal = Principal(subject=login, roles=frozenset({Role.VOLUNTEER}), name="Hanna S.")
    async with sessions() as session:
        await service.put_delivery_times(
            session=session,
            principal=principal,
            times_in=DeliveryTimesIn(time_zone="Europe/Kyiv", digest_at=time(18, 0)),
        )
    mail = sender(database, port)
    await mail.send_due()
    server.messages.clear()
    await deliver(
        sessions,
        HelpRequestWithdrawn(
            help_request_id=uuid.uuid4(),
            volunteer_id=volunteer_id,
            starts_at=berlin(2026, 12, 8, 10, 0),
            ends_at=berlin(2026, 12, 8, 11, 0),
        ),
    )
    await mail.send_due()
    (message,) = server.messages
    assert message["To"] == f"{login}@example.org"
    assert message["Subject"].startswith("Запит на допомогу відкликано")
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert "Приходити не потрібно" in content
    assert "11:00" in message["Subject"], "10:00 in the city is 11:00 in Kyiv"
    assert "«Einstellungen»" in content
