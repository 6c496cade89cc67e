"""The administrators' page of agencies' webhooks at /ui/webhooks: the delivery log, and
sending one delivery or a time range once more.

Every change goes through the use case the API calls (`webhooks.service.replay_delivery`,
`webhooks.service.replay_range`); the page turns the form into the use case's arguments
and a refusal back into errors next to the fields. Bodies are never shown: states,
event types and ids only.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import RequestModel
from teilhabe.auth import Principal
from teilhabe.clock import on_day
from teilhabe.scope import applies_scope

from notifications.dependencies import WEBHOOK_DELIVERIES, Administrator
from notifications.webhooks import service
from notifications.webhooks.policy import WebhookState

router = APIRouter()
Admin = Annotated[Principal, ui.page_roles(*ui.api_roles(Administrator))]

PAGE_SIZE = 20
STATE_LABELS = {
    WebhookState.PENDING: ui.N_("being sent"),
    WebhookState.RETRYING: ui.N_("waiting for the next attempt"),
    WebhookState.DELIVERED: ui.N_("delivered"),
    WebhookState.DEAD: ui.N_("given up"),
}
RANGE_FIELDS = ("endpoint", "since", "until")
RANGE_LABELS = {
    "endpoint": ui.N_("Endpoint"),
    "since": ui.N_("From (day)"),
    "until": ui.N_("Until (day, inclusive)"),
}
RANGE_HINTS = {
    "until": ui.N_("The last day must not be before the first."),
    "endpoint": ui.N_("Please choose an endpoint."),
}
RANGE_CONFLICTS = {
    "replay-range-too-large": ("since", ui.N_("Too many deliveries in this time: narrow it.")),
}


class ReplayDaysIn(RequestModel):
    """A time range as the page asks for it: whole days, in the city's time."""

    endpoint: uuid.UUID
    since: date
    until: date


@dataclass(frozen=True)
class WebhookFilters:
    """The log's filters and page; kept in links and after a replay."""

    agency: str
    state: str
    page: int

    @classmethod
    def read(cls, source: Mapping[str, Any]) -> "WebhookFilters":
        state = str(source.get("state") or "")
        return cls(
            agency=str(source.get("agency") or "").strip()[:100],
            state=state if state in STATE_LABELS else "",
            page=ui.page_number(source.get("page")),
        )

    def query(self) -> dict[str, str]:
        values = {"agency": self.agency, "state": self.state}
        return {
            **{key: value for key, value in values.items() if value},
            **({"page": str(self.page)} if self.page > 1 else {}),
        }


@router.get("/webhooks", name="webhooks")
async def webhooks(request: Request, session: DbSession, principal: Admin) -> Response:
    return await _page(request, session, principal, WebhookFilters.read(request.query_params))


@router.post(
    "/webhooks/zustellungen/{delivery_id}/erneut-senden",
    dependencies=[applies_scope(WEBHOOK_DELIVERIES)],
    name="replay_webhook",
)
async def replay_webhook(
    request: Request, delivery_id: uuid.UUID, session: DbSession, principal: Admin
) -> Response:
    form = await ui.FormAction.read(request, session, status=409)
    filters = WebhookFilters.read(form.form)
    replayed = await form.call(
        service.replay_delivery(session=session, principal=principal, delivery_id=delivery_id)
    )
    if replayed is not None:
        return form.done(
            _url(request, filters.query()),
            form.texts.gettext("The event %(event)s is being sent once more.")
            % {"event": replayed.event_id},
        )
    return await form.again(
        lambda errors: _page(request, session, principal, filters, errors=errors)
    )


@router.post("/webhooks/zeitraum-erneut-senden", name="replay_webhook_range")
async def replay_webhook_range(request: Request, session: DbSession, principal: Admin) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=RANGE_FIELDS, hints=RANGE_HINTS, conflicts=RANGE_CONFLICTS
    )
    filters = WebhookFilters.read(form.form)
    values = form.values(RANGE_FIELDS)
    only_dead = form.form.get("only_dead") == "on"
    data: dict[str, Any] = {}
    form.put_choice(data, "endpoint", values["endpoint"])
    form.put_date(data, "since", values["since"])
    form.put_date(data, "until", values["until"])
    days = form.model(ReplayDaysIn, data)
    if days is not None and days.until < days.since:
        form.refuse("until", RANGE_HINTS["until"])
        days = None
    if days is not None:
        count = await form.call(
            service.replay_range(
                session=session,
                principal=principal,
                endpoint_id=days.endpoint,
                since=on_day(days.since),
                until=on_day(days.until + timedelta(days=1)),
                only_dead=only_dead,
            )
        )
        if count is not None:
            return form.done(
                _url(request, filters.query()),
                form.texts.ngettext(
                    "%(num)s delivery is being sent once more.",
                    "%(num)s deliveries are being sent once more.",
                    count,
                )
                % {"num": count},
            )
    return await form.again(
        lambda errors: _page(
            request,
            session,
            principal,
            filters,
            errors=errors,
            range_values={**values, "only_dead": "on" if only_dead else ""},
        )
    )


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    filters: WebhookFilters,
    *,
    errors: ui.FormErrors | None = None,
    range_values: Mapping[str, str] | None = None,
) -> Response:
    found, total = await service.list_deliveries(
        session=session,
        principal=principal,
        agency=filters.agency or None,
        state=WebhookState(filters.state) if filters.state else None,
        limit=PAGE_SIZE,
        offset=ui.page_offset(filters.page, PAGE_SIZE),
    )
    endpoints, _ = await service.list_endpoints(
        session=session, principal=principal, agency=None, limit=500, offset=0
    )
    page_texts = ui.texts(request)
    agencies = {endpoint.id: endpoint.agency for endpoint in endpoints}
    return await ui.render(
        request,
        "notifications/webhooks.html",
        {
            "deliveries": found,
            "total": total,
            "agencies": agencies,
            "filters": filters,
            "hidden_filters": filters.query(),
            "pager": ui.pager(filters.page, total, PAGE_SIZE, _pages_of(request, filters)),
            "state_options": ui.options(STATE_LABELS, page_texts),
            "state_labels": STATE_LABELS,
            "endpoint_options": [(str(e.id), f"{e.agency}: {e.url}") for e in endpoints],
            "range": range_values or {},
            "labels": ui.field_labels(RANGE_LABELS, page_texts),
            "replayable": (WebhookState.DELIVERED, WebhookState.DEAD),
            "delivered": WebhookState.DELIVERED,
            "retrying": WebhookState.RETRYING,
        },
        section="webhooks",
        errors=errors,
    )


def _url(request: Request, query: Mapping[str, str]) -> str:
    path = ui.page_path(request, "webhooks")
    return f"{path}?{urlencode(query)}" if query else path


def _pages_of(request: Request, filters: WebhookFilters) -> ui.PageLink:
    return lambda page: _url(request, replace(filters, page=page).query())
