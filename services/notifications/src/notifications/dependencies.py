"""Who may do what in notifications."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import ColumnElement, and_, or_, select
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from notifications.domain import Channel
from notifications.models import (
    Agency,
    AgencySubscription,
    Delivery,
    Recipient,
    WebhookDelivery,
    WebhookEndpoint,
)

# Everyone who signs in has an inbox: staff, volunteers and partner agencies alike.
AnyRecipient = Annotated[Principal, require_roles(*Role)]
# Staff keep their own directory entry; volunteers come into it from volunteer.registered.
StaffMember = Annotated[
    Principal,
    require_roles(
        Role.CASEWORKER,
        Role.HOUSING_OFFICER,
        Role.COURSE_COORDINATOR,
        Role.VOLUNTEER_COORDINATOR,
        Role.ADMIN,
    ),
]
Administrator = Annotated[Principal, require_roles(Role.ADMIN)]


def own_inbox(principal: Principal) -> ColumnElement[bool]:
    """A caller's notifications: to their subject, or to a recipient linked to it."""
    linked = select(Recipient.id).where(Recipient.subject == principal.subject)
    return and_(
        Delivery.channel == Channel.INBOX,
        or_(Delivery.recipient_id == principal.subject, Delivery.recipient_id.in_(linked)),
    )


def _administers(principal: Principal) -> bool:
    # The directory and the delivery log are administration: addresses and states, never a
    # notification's title or text (those stay in the recipient's inbox).
    return principal.has_any_role(Role.ADMIN)


NOTIFICATIONS = RecordScope(Delivery, resource="notification", rule=own_inbox)
DELIVERIES = RecordScope(Delivery, resource="delivery", rule=_administers)
RECIPIENTS = RecordScope(Recipient, resource="recipient", rule=_administers)
# Agencies' webhook endpoints and their delivery log: administration (the bodies, which
# carry references to people, are never shown; only states, types and event ids).
WEBHOOK_ENDPOINTS = RecordScope(WebhookEndpoint, resource="webhook_endpoint", rule=_administers)
WEBHOOK_DELIVERIES = RecordScope(WebhookDelivery, resource="webhook_delivery", rule=_administers)
# The agencies and what they hear of: administration (no person in them).
AGENCIES = RecordScope(Agency, resource="agency", rule=_administers)
SUBSCRIPTIONS = RecordScope(AgencySubscription, resource="subscription", rule=_administers)
