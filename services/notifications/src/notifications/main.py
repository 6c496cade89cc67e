"""Composition root of notifications: the app, its processes and their wiring.

The e-mail and webhook senders and the agency gateway (a consumer of its own, see
`notifications.gateway`) run inside the `consumer` process, beside the event consumer:
they belong together (the consumer queues e-mails and webhooks, the senders send them).
Several consumer replicas mean several senders, which is safe: an e-mail is claimed with
`FOR UPDATE SKIP LOCKED`, a webhook delivery by its lease.
"""

from __future__ import annotations

from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.runtime import cli as run_cli
from teilhabe.service_package import ServiceApi, ServiceExtras, service_of_package

from notifications import digests, gateway
from notifications.agencies_router import router as agencies_router
from notifications.config import NotificationsSettings
from notifications.pages import mount_pages
from notifications.router import router
from notifications.sender import EmailSender
from notifications.webhooks.router import router as webhooks_router
from notifications.webhooks.sender import WebhookSender
from notifications.webhooks.service import (
    RETRY_TIMER,
    SWITCHED_OFF_TIMER,
    expire_switched_off,
    retry_due,
)


def email_sender(settings: ServiceSettings) -> EmailSender:
    assert isinstance(settings, NotificationsSettings)
    engine = create_engine(settings.database_url, pool_size=2)
    return EmailSender(settings, create_session_factory(engine))


def webhook_sender(settings: ServiceSettings) -> WebhookSender:
    assert isinstance(settings, NotificationsSettings)
    engine = create_engine(settings.database_url, pool_size=2)
    return WebhookSender(settings, create_session_factory(engine))


SERVICE = service_of_package(
    "notifications",
    ServiceApi(
        title="Teilhabe Notifications",
        description="Recipients, rules, the in-app inbox and e-mail deliveries.",
        routers=[router, webhooks_router, agencies_router],
        pages=mount_pages,
    ),
    ServiceExtras(
        companions=[email_sender, webhook_sender, gateway.AgencyGateway],
        timers={
            RETRY_TIMER: retry_due,
            SWITCHED_OFF_TIMER: expire_switched_off,
            digests.DIGEST_TIMER: digests.send_digest,
        },
        side_reads=gateway.READS,
    ),
)


def cli() -> None:
    run_cli(SERVICE)
