"""Staff pages of notifications: the delivery log, for administrators.

Every e-mail and inbox entry with its state; a failed e-mail is sent again through the
use case the API calls (`service.retry_delivery`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from notifications import service
from notifications.dependencies import DELIVERIES
from notifications.domain import Channel, DeliveryStatus
from notifications.pages import (
    CHANNEL_LABELS,
    EVENT_TYPE_LABELS,
    PAGE_SIZE,
    Admin,
    list_url,
    pages_of,
)

router = APIRouter()

STATUS_LABELS = {
    DeliveryStatus.PENDING: ui.N_("waiting to be sent"),
    DeliveryStatus.SENT: ui.N_("delivered"),
    DeliveryStatus.FAILED: ui.N_("failed"),
    DeliveryStatus.HELD: ui.N_("waiting for the daily summary"),
    DeliveryStatus.BUNDLED: ui.N_("sent in the daily summary"),
}
RETRY_CONFLICTS = {
    "not-failed": (
        ui.FORM,
        ui.N_("This e-mail has not failed (any more): it may have been sent again meanwhile."),
    ),
}


# --- the delivery log --------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFilters:
    """The log's filters and page; kept in links and after sending an e-mail again."""

    status: str
    channel: str
    recipient: str
    page: int

    @classmethod
    def read(cls, source: Mapping[str, Any]) -> "DeliveryFilters":
        status_value = str(source.get("status") or "")
        channel_value = str(source.get("channel") or "")
        return cls(
            status=status_value if status_value in STATUS_LABELS else "",
            channel=channel_value if channel_value in CHANNEL_LABELS else "",
            recipient=str(source.get("recipient") or "").strip()[:200],
            page=ui.page_number(source.get("page")),
        )

    def query(self) -> dict[str, str]:
        values = {"status": self.status, "channel": self.channel, "recipient": self.recipient}
        return {
            **{key: value for key, value in values.items() if value},
            **({"page": str(self.page)} if self.page > 1 else {}),
        }


@router.get("/zustellungen", name="deliveries")
async def deliveries(request: Request, session: DbSession, principal: Admin) -> Response:
    return await _deliveries_page(
        request, session, principal, DeliveryFilters.read(request.query_params)
    )


@router.post(
    "/zustellungen/{delivery_id}/erneut-senden",
    dependencies=[applies_scope(DELIVERIES)],
    name="retry_delivery",
)
async def retry_delivery(
    request: Request, delivery_id: uuid.UUID, session: DbSession, principal: Admin
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=RETRY_CONFLICTS, status=409)
    filters = DeliveryFilters.read(form.form)
    retried = await form.call(
        service.retry_delivery(session=session, principal=principal, delivery_id=delivery_id)
    )
    if retried is not None:
        return form.done(
            list_url(request, "deliveries", filters.query()),
            form.texts.gettext("The e-mail to %(address)s is being sent again.")
            % {"address": retried.address or retried.recipient_id},
        )
    return await form.again(
        lambda errors: _deliveries_page(request, session, principal, filters, errors=errors)
    )


async def _deliveries_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    filters: DeliveryFilters,
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    found, total = await service.get_deliveries(
        session=session,
        principal=principal,
        status=DeliveryStatus(filters.status) if filters.status else None,
        channel=Channel(filters.channel) if filters.channel else None,
        recipient_id=filters.recipient or None,
        event_id=None,
        limit=PAGE_SIZE,
        offset=ui.page_offset(filters.page, PAGE_SIZE),
    )
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "notifications/deliveries.html",
        {
            "deliveries": found,
            "total": total,
            "filters": filters,
            "hidden_filters": filters.query(),
            "pager": ui.pager(
                filters.page, total, PAGE_SIZE, pages_of(request, "deliveries", filters)
            ),
            "status_options": ui.options(STATUS_LABELS, page_texts),
            "channel_options": ui.options(CHANNEL_LABELS, page_texts),
            "status_labels": STATUS_LABELS,
            "channel_labels": CHANNEL_LABELS,
            "event_labels": EVENT_TYPE_LABELS,
            "failed": DeliveryStatus.FAILED,
            "pending": DeliveryStatus.PENDING,
            "sent": DeliveryStatus.SENT,
            "email": Channel.EMAIL,
        },
        section="deliveries",
        errors=errors,
    )
