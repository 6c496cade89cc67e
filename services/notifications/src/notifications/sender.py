"""The e-mail sender: sends committed e-mail deliveries over SMTP, with retries.

Each message is claimed in its own transaction with `FOR UPDATE SKIP LOCKED`, sent while
the row stays locked, and marked sent (or its failure logged and the next attempt
scheduled) in that same transaction. So several senders never take the same row, and a
row once marked sent is never sent again.

The one double the design cannot exclude is SMTP's own: if the process dies or the
database fails after the relay accepted a message but before the commit, the row is
still pending and the message goes out again. Each message carries a Message-ID made
from its delivery id, so a mail system that deduplicates on it sees the same message.

The sender wakes on a PostgreSQL notification from the transaction that queued e-mails,
with a poll as the fallback (and to pick up retries when they fall due).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import structlog
from aiosmtplib import SMTP, SMTPRecipientsRefused, SMTPResponseException
from prometheus_client import Counter
from sqlalchemy import DateTime, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.functions import Function
from teilhabe import clock
from teilhabe.db import asyncpg_dsn
from teilhabe.wakeup import Wakeup

from notifications import domain, email_text
from notifications.config import NotificationsSettings
from notifications.domain import AttemptOutcome, Channel, DeliveryStatus
from notifications.models import Delivery, DeliveryAttempt
from notifications.service import EMAIL_NOTIFY_CHANNEL

log = structlog.get_logger(__name__)

EMAIL_ATTEMPTS = Counter(
    "teilhabe_notification_email_attempts_total",
    "Attempts to hand an e-mail to the SMTP relay, by outcome (sent, retry, failed)",
    ["outcome"],
)


def _clock() -> Function[datetime]:
    # clock_timestamp, not now(): the transaction may be as old as the SMTP exchange.
    return func.clock_timestamp(type_=DateTime(timezone=True))


@dataclass(frozen=True)
class SendFailure:
    smtp_code: int | None
    error: str
    permanent: bool


def describe_failure(error: Exception) -> SendFailure:
    if isinstance(error, SMTPRecipientsRefused) and error.recipients:
        refused = error.recipients[0]
        return SendFailure(
            refused.code,
            f"{refused.code} {refused.message}"[:1000],
            domain.is_permanent_refusal(refused.code, recipient_refused=True),
        )
    if isinstance(error, SMTPResponseException):
        return SendFailure(error.code, f"{error.code} {error.message}"[:1000], permanent=False)
    return SendFailure(None, repr(error)[:1000], permanent=False)


def compose(delivery: Delivery, *, sender: str) -> EmailMessage:
    """The e-mail of a delivery: plain text and HTML, marked as sent by a machine (RFC 3834)."""
    assert delivery.address is not None
    message = EmailMessage()
    message["From"] = sender
    message["To"] = delivery.address
    message["Subject"] = delivery.title
    message["Date"] = format_datetime(clock.now())
    # Stable across attempts: a resent message is recognisably the same one.
    message["Message-ID"] = f"<{delivery.id}@{sender.rpartition('@')[2] or 'teilhabe'}>"
    message["Auto-Submitted"] = "auto-generated"
    # Plain text first, HTML as the alternative a mail program prefers: both in the
    # reader's direction (email_text). set_content replaces every Content-* header.
    message.set_content(email_text.plain_text(delivery.body, delivery.language))
    message.add_alternative(
        email_text.html(delivery.title, delivery.body, delivery.language), subtype="html"
    )
    message["Content-Language"] = delivery.language
    return message


class _Mailer:
    """One SMTP connection for a round of messages, opened on first use, dropped on trouble."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._smtp: SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        if self._smtp is None or not self._smtp.is_connected:
            s = self._settings
            password = s.smtp_password.get_secret_value()
            smtp = SMTP(
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username or None,
                password=password or None,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout_seconds,
            )
            await smtp.connect()
            self._smtp = smtp
        try:
            await self._smtp.send_message(message)
        except (SMTPRecipientsRefused, SMTPResponseException):
            raise  # the relay answered and reset the envelope: the connection is still good
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                if self._smtp.is_connected:
                    await self._smtp.quit()
            self._smtp = None


class EmailSender:
    def __init__(
        self, settings: NotificationsSettings, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._wakeup = Wakeup(asyncpg_dsn(settings.database_url), EMAIL_NOTIFY_CHANNEL)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("e-mail sender started", smtp_host=self._settings.smtp_host)
        backoff = 0.0
        try:
            while not stop.is_set():
                await self._wakeup.arm()  # before claiming: a commit meanwhile wakes the next
                try:
                    attempted = await self.send_due(stop)
                    backoff = 0.0
                except (OSError, SQLAlchemyError) as error:
                    log.warning("cannot reach the database, will retry", error=repr(error)[:300])
                    backoff = min(max(backoff * 2, 0.5), 5.0)
                    attempted = 0
                if attempted < self._settings.email_batch_size or backoff:
                    await self._wakeup.sleep(stop, backoff or self._settings.email_poll_seconds)
        finally:
            await self._wakeup.close()

    async def send_due(self, stop: asyncio.Event | None = None) -> int:
        """Attempt every e-mail due now (up to a batch); returns how many were attempted."""
        mailer = _Mailer(self._settings)
        attempted = 0
        try:
            while attempted < self._settings.email_batch_size and not (stop and stop.is_set()):
                async with self._sessions() as session, session.begin():
                    delivery = await session.scalar(
                        select(Delivery)
                        .where(
                            Delivery.status == DeliveryStatus.PENDING,
                            Delivery.channel == Channel.EMAIL,
                            # The application's clock (teilhabe.clock), as quiet hours and
                            # digests were reckoned with it.
                            Delivery.next_attempt_at <= clock.now(),
                        )
                        .order_by(Delivery.next_attempt_at)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    )
                    if delivery is None:
                        break
                    await self._attempt(session, delivery, mailer)
                attempted += 1
        finally:
            await mailer.close()
        return attempted

    async def _attempt(self, session: AsyncSession, delivery: Delivery, mailer: _Mailer) -> None:
        attempt = delivery.attempts + 1
        bound = structlog.contextvars.bind_contextvars(
            delivery_id=str(delivery.id), event_id=delivery.event_id, attempt=attempt
        )
        try:
            try:
                await mailer.send(compose(delivery, sender=self._settings.smtp_from))
            except Exception as error:  # noqa: BLE001 - every failure is an attempt, logged
                failure = describe_failure(error)
                self._record_failure(session, delivery, attempt, failure)
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = _clock()
                delivery.attempts = attempt
                delivery.next_attempt_at = None
                delivery.last_error = None
                session.add(
                    DeliveryAttempt(
                        delivery_id=delivery.id,
                        attempt=attempt,
                        at=_clock(),
                        outcome=AttemptOutcome.SENT,
                    )
                )
                EMAIL_ATTEMPTS.labels(AttemptOutcome.SENT.value).inc()
                log.info("e-mail sent")
        finally:
            structlog.contextvars.unbind_contextvars(*bound)

    def _record_failure(
        self, session: AsyncSession, delivery: Delivery, attempt: int, failure: SendFailure
    ) -> None:
        decision = domain.after_failed_attempt(
            attempt, self._settings.email_retry_delays_seconds, permanent=failure.permanent
        )
        delivery.attempts = attempt
        delivery.last_error = failure.error
        if decision.retry_in_seconds is not None:
            delivery.next_attempt_at = _clock() + timedelta(seconds=decision.retry_in_seconds)
            log.warning(
                "e-mail not accepted, will retry",
                error=failure.error,
                retry_in_seconds=decision.retry_in_seconds,
            )
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            log.error("e-mail failed for good", error=failure.error, permanent=failure.permanent)
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                attempt=attempt,
                at=_clock(),
                outcome=decision.outcome,
                smtp_code=failure.smtp_code,
                error=failure.error,
            )
        )
        EMAIL_ATTEMPTS.labels(decision.outcome.value).inc()
