"""An agency's webhook receiver that verifies what it is sent (Standard Webhooks).

Run it (Python 3.11+, `pip install standardwebhooks aiohttp`):

    WEBHOOK_SECRETS=whsec_... python webhook_receiver.py --port 8080

Every request is refused unless
- its signature (`webhook-signature`, HMAC-SHA256 over id, timestamp and body) matches
  one of the secrets given (during a rotation: the old and the new one),
- its timestamp (`webhook-timestamp`) is within five minutes of this machine's clock,
and a `webhook-id` seen before is not processed again (a replayed request). Such a
duplicate is answered 200 all the same: the sender retries a delivery whose answer it
never got with the same id, and must learn that it arrived.

Keep the seen ids longer than the sender retries (more than a day) and, in production,
in storage that survives a restart; this example keeps them in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# How long a seen webhook-id is remembered (the sender gives up after 26 hours).
REMEMBER_SECONDS = 3 * 24 * 3600
MAX_REMEMBERED = 1_000_000


class Verdict(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # a webhook-id seen before: not processed again
    REFUSED = "refused"  # bad signature, stale or future timestamp, missing headers


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: str | None = None
    event: dict[str, Any] | None = None


class Verifier:
    """Checks signature and timestamp, and remembers the ids it accepted."""

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise ValueError("at least one secret")
        self._webhooks = [Webhook(secret) for secret in secrets]
        self._seen: OrderedDict[str, float] = OrderedDict()

    def check(self, body: bytes, headers: dict[str, str]) -> Outcome:
        lowered = {name.lower(): value for name, value in headers.items()}
        reason = "no secret matches"
        for webhook in self._webhooks:
            try:
                event = webhook.verify(body, lowered)
            except WebhookVerificationError as error:
                reason = str(error)
                continue
            except (ValueError, UnicodeDecodeError):
                return Outcome(Verdict.REFUSED, "malformed signature or body")
            return self._once(lowered["webhook-id"], event)
        return Outcome(Verdict.REFUSED, reason)

    def _once(self, webhook_id: str, event: dict[str, Any]) -> Outcome:
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= MAX_REMEMBERED
            or next(iter(self._seen.values())) < now - REMEMBER_SECONDS
        ):
            self._seen.popitem(last=False)
        if webhook_id in self._seen:
            return Outcome(Verdict.DUPLICATE, "webhook-id seen before", event)
        self._seen[webhook_id] = now
        return Outcome(Verdict.ACCEPTED, None, event)


Handler = Callable[[dict[str, Any]], Awaitable[None]]


def create_app(
    verifier: Verifier,
    handle: Handler,
    path: str = "/webhooks",
    observe: Callable[[Outcome], None] | None = None,
) -> web.Application:
    """An aiohttp app answering POST `path`: 204 accepted, 200 duplicate, 401 refused.

    `observe`, if given, sees every outcome (for logs or metrics).
    """

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        outcome = verifier.check(body, dict(request.headers))
        if observe is not None:
            observe(outcome)
        if outcome.verdict is Verdict.REFUSED:
            return web.json_response({"refused": outcome.reason}, status=401)
        if outcome.verdict is Verdict.DUPLICATE:
            return web.json_response({"duplicate": True}, status=200)
        assert outcome.event is not None
        await handle(outcome.event)
        return web.Response(status=204)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app


async def _print(event: dict[str, Any]) -> None:
    print(json.dumps({k: event.get(k) for k in ("id", "type", "time", "subject")}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--path", default="/webhooks")
    args = parser.parse_args()
    secrets = os.environ.get("WEBHOOK_SECRETS", "").split()
    web.run_app(create_app(Verifier(secrets), _print, args.path), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
