"""Rules of webhook delivery: states, the retry schedule, signatures. No I/O."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32
# The only hosts a plain-http endpoint may name, and only in development and tests.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


class WebhookState(StrEnum):
    PENDING = "pending"  # due now: the sender takes it
    RETRYING = "retrying"  # waiting for its timer after a failed attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD = "dead"  # the retry window passed; an administrator may replay it


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff with jitter, for at least `window` after the first attempt."""

    first: timedelta = timedelta(seconds=5)
    longest: timedelta = timedelta(hours=4)
    window: timedelta = timedelta(hours=26)

    def after_failure(
        self, attempt: int, first_attempt_at: datetime, now: datetime, jitter: float
    ) -> datetime | None:
        """When to try again after failed attempt number `attempt`; None: give up (dead).

        `jitter` in [0, 1) spreads the retries of many deliveries that failed together
        (a receiver coming back is not hit by all of them at once): the pause is between
        half and the whole of the exponential step.
        """
        if now - first_attempt_at >= self.window:
            return None
        step = min(self.first * 2 ** (attempt - 1), self.longest)
        pause = step * (0.5 + jitter / 2)
        # The last retry falls at the window's end, not beyond: a day's promise, kept.
        next_at: datetime = min(now + pause, first_attempt_at + self.window)
        return next_at


def address_problem(url: str, *, allow_plain_http: bool) -> str | None:
    """Why an agency's endpoint address is refused, or None.

    Agencies are reached by TLS alone; plain http to this machine only where the
    development setting allows it (a receiver of the development setup or a test).
    """
    parts = urlsplit(url)
    if parts.scheme == "https":
        return None
    if allow_plain_http and parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return None
    return "must be an https address"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: `whsec_` and base64 of 32 bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_header(
    secrets_in_force: Iterable[str], webhook_id: str, timestamp: datetime, body: str
) -> str:
    """`webhook-signature`: one `v1,<sig>` per secret in force, space-separated."""
    return " ".join(
        Webhook(secret).sign(msg_id=webhook_id, timestamp=timestamp, data=body)
        for secret in secrets_in_force
    )


def is_success(status: int) -> bool:
    return 200 <= status < 300
