"""Staff pages of notifications at /ui: the inbox, one notification, settings.

Everyone who signs in has an inbox and settings; the delivery log (delivery_pages) is
for administrators.
Every change goes through the use case the API calls (`service.mark_read`,
`service.mark_all_read`, `service.put_me`, `service.put_preferences`,
`service.retry_delivery`); a page only turns a form into the API's request model and a
refusal back into errors next to the fields.

Opening a notification does not mark it read: a GET changes nothing (links may be
prefetched or opened by mistake), and the reader decides with the button what is done.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from typing import Annotated, Any, ClassVar, Protocol
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound
from teilhabe.auth import Principal
from teilhabe.clock import now
from teilhabe.config import ServiceSettings
from teilhabe.scope import applies_scope
from teilhabe.ui.formatting import spoken_language_name
from teilhabe.ui.navigation import ROLE_TITLES

from notifications import agency_pages, domain, service, timing, webhook_pages
from notifications.dependencies import (
    NOTIFICATIONS,
    Administrator,
    AnyRecipient,
    StaffMember,
)
from notifications.domain import Channel, RecipientKind
from notifications.schemas import (
    DeliveryTimesIn,
    MeIn,
    PreferencesIn,
    ReadAllIn,
    RecipientOut,
)

router = APIRouter()
# The pages admit exactly whom the API admits, action by action.
Anyone = Annotated[Principal, ui.page_roles(*ui.api_roles(AnyRecipient))]
Staff = Annotated[Principal, ui.page_roles(*ui.api_roles(StaffMember))]
Admin = Annotated[Principal, ui.page_roles(*ui.api_roles(Administrator))]
STAFF_ROLES = ui.api_roles(StaffMember)

PAGE_SIZE = 20

# Every event type of the routing rules (domain.EVENT_TYPES) in words; the page test
# checks that none is missing.
EVENT_TYPE_LABELS = {
    "household.assigned": ui.N_("Household allocated"),
    "caseworker.assigned": ui.N_("Caseworker assigned"),
    "household.moved_in": ui.N_("Household moved in"),
    "household.moved_out": ui.N_("Household moved out"),
    "course.enrolled": ui.N_("Enrolled in a course"),
    "course.waitlisted": ui.N_("Put on a course's waiting list"),
    "course.attendance_recorded": ui.N_("Attendance at a course session"),
    "course.completed": ui.N_("Course completed"),
    "course.withdrawn": ui.N_("Withdrawn from a course"),
    "course.seat_offered": ui.N_("Seat in a course offered"),
    "course.seat_offer_expired": ui.N_("Seat offer expired"),
    "volunteer.registered": ui.N_("Volunteer registered"),
    "volunteer.matched": ui.N_("Volunteer matched with a household"),
    "member.residence_status_expiring": ui.N_("Residence status expiring"),
    "member.residence_status_changed": ui.N_("Residence status changed"),
    "member.residence_obligation_ending": ui.N_("Residence obligation ending"),
    "follow_up.due": ui.N_("Follow-up due"),
    "volunteer.clearance_reinspection_due": ui.N_("Police clearance due for re-inspection"),
    "mentorship.ended": ui.N_("Mentorship ended"),
    "unit.capacity_changed": ui.N_("Beds added or closed"),
    "shift.cancelled": ui.N_("Shift cancelled"),
    "help_request.opened": ui.N_("Request for help from volunteers"),
    "help_request.accepted": ui.N_("Help request accepted"),
    "help_request.withdrawn": ui.N_("Help request withdrawn"),
}
CHANNEL_LABELS = {Channel.INBOX: ui.N_("Inbox"), Channel.EMAIL: ui.N_("E-mail")}

ENTRY_FIELDS = ("name", "email", "language")
FIELD_LABELS = {
    "name": ui.N_("Name"),
    "email": ui.N_("E-mail address"),
    "language": ui.N_("Language of notifications"),
}
TIMES_FIELDS = ("time_zone", "quiet_from", "quiet_until", "digest_at")
TIMES_LABELS = {
    "time_zone": ui.N_("Time zone"),
    "quiet_from": ui.N_("Quiet hours from"),
    "quiet_until": ui.N_("Quiet hours until"),
    "digest_at": ui.N_("Daily summary at"),
}
# The rules' own messages (notifications.service), so that the catalogue translates them.
RULE_MESSAGES = (
    ui.N_("not a time zone; name one such as Europe/Berlin"),
    ui.N_("quiet hours need a start and an end"),
    ui.N_("quiet hours must end at another time than they start"),
    ui.N_("no notifications exist for this event type"),
    ui.N_("this event always arrives and cannot be turned off"),
)
HINTS = {
    "email": ui.N_("Please enter an e-mail address such as name@%(mail_domain)s."),
    "language": ui.N_("Please choose German or English."),
    "quiet_from": ui.N_("Please enter a time such as 22:00."),
    "quiet_until": ui.N_("Please enter a time such as 07:00."),
    "digest_at": ui.N_("Please enter a time such as 18:00."),
}


# --- the inbox -----------------------------------------------------------------------


@dataclass(frozen=True)
class InboxView:
    """Which part of the inbox is shown; kept in links, filters and after actions."""

    unread_only: bool
    page: int

    @classmethod
    def read(cls, source: Mapping[str, Any]) -> "InboxView":
        return cls(
            unread_only=source.get("unread") == "on", page=ui.page_number(source.get("page"))
        )

    def query(self) -> dict[str, str]:
        return {
            **({"unread": "on"} if self.unread_only else {}),
            **({"page": str(self.page)} if self.page > 1 else {}),
        }


@router.get("/", name="ui_home")
async def inbox(request: Request, session: DbSession, principal: Anyone) -> Response:
    # The sign-in's event may still be on its way: the tool's own first page knows the caller.
    await service.know_caller(session=session, principal=principal)
    view = InboxView.read(request.query_params)
    items, total, unread = await service.get_inbox(
        session=session,
        principal=principal,
        unread_only=view.unread_only,
        limit=PAGE_SIZE,
        offset=ui.page_offset(view.page, PAGE_SIZE),
    )
    return await ui.render(
        request,
        "notifications/inbox.html",
        {
            "items": items,
            "unread": unread,
            "view": view,
            "view_query": urlencode(view.query()),
            "pager": ui.pager(view.page, total, PAGE_SIZE, pages_of(request, "ui_home", view)),
            "event_labels": EVENT_TYPE_LABELS,
            "right_to_left": domain.RIGHT_TO_LEFT,
            # What "mark all as read" covers: what had arrived when this page was made.
            "until": now().isoformat(),
        },
        section="ui_home",
    )


@router.post("/alle-gelesen", name="mark_all_read")
async def mark_all_read(request: Request, session: DbSession, principal: Anyone) -> Response:
    form = await ui.read_form(request)
    try:
        read_all_in = ReadAllIn.model_validate({"until": ui.text(form, "until") or None})
    except ValidationError as error:  # only a form not made by the inbox page
        raise HTTPException(status.HTTP_400_BAD_REQUEST) from error
    marked = await service.mark_all_read(
        session=session, principal=principal, until=read_all_in.until
    )
    page_texts = ui.texts(request)
    if marked:
        message = page_texts.ngettext(
            "%(num)s notification is marked as read.",
            "%(num)s notifications are marked as read.",
            marked,
        ) % {"num": marked}
    else:
        message = page_texts.gettext("There were no unread notifications.")
    ui.flash(request, message)
    view = InboxView(unread_only=InboxView.read(form).unread_only, page=1)
    return RedirectResponse(list_url(request, "ui_home", view.query()), status_code=303)


# --- one notification ----------------------------------------------------------------


@router.get(
    "/benachrichtigungen/{notification_id}",
    dependencies=[applies_scope(NOTIFICATIONS)],
    name="notification",
)
async def notification(
    request: Request, notification_id: uuid.UUID, session: DbSession, principal: Anyone
) -> Response:
    found = await service.get_notification(
        session=session, principal=principal, notification_id=notification_id
    )
    view = InboxView.read(request.query_params)  # where "back to the inbox" leads
    return await ui.render(
        request,
        "notifications/notification.html",
        {
            "notification": found,
            "paragraphs": paragraphs(found.body),
            "event_label": EVENT_TYPE_LABELS.get(found.event_type, found.event_type),
            "right_to_left": domain.RIGHT_TO_LEFT,
            "back": list_url(request, "ui_home", view.query()),
            "view": view,
        },
        section="ui_home",
    )


@router.post(
    "/benachrichtigungen/{notification_id}/gelesen",
    dependencies=[applies_scope(NOTIFICATIONS)],
    name="mark_read",
)
async def mark_read(
    request: Request, notification_id: uuid.UUID, session: DbSession, principal: Anyone
) -> Response:
    form = await ui.read_form(request)
    marked = await service.mark_read(
        session=session, principal=principal, notification_id=notification_id
    )
    ui.flash(
        request, ui.texts(request).gettext("Marked as read: %(title)s") % {"title": marked.title}
    )
    view = InboxView.read(form)
    if ui.text(form, "back") == "notification":
        target = list_url(request, "notification", view.query(), notification_id=notification_id)
    else:
        target = list_url(request, "ui_home", view.query())
    return RedirectResponse(target, status_code=303)


def paragraphs(body: str) -> list[list[str]]:
    """A plain-text body as paragraphs of lines, so that its line breaks show as written."""
    blocks = re.split(r"\n[ \t]*\n", body.strip())
    return [block.splitlines() for block in blocks if block.strip()]


# --- my settings -----------------------------------------------------------------------


@router.get("/einstellungen", name="settings")
async def my_settings(request: Request, session: DbSession, principal: Anyone) -> Response:
    await service.know_caller(session=session, principal=principal)
    return await _settings_page(request, session, principal)


@router.post("/einstellungen/eintrag", name="save_entry")
async def save_entry(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(request, session, fields=ENTRY_FIELDS, hints=HINTS)
    values = form.values(ENTRY_FIELDS)
    # Left empty, a field takes the API's default: the name from the sign-in, no e-mail.
    me_in = form.model(MeIn, {name: value for name, value in values.items() if value})
    if me_in is not None:
        await form.call(service.put_me(session=session, principal=principal, me_in=me_in))
    if form.ok:
        return form.done(
            ui.page_path(request, "settings"),
            form.texts.gettext("Your directory entry is saved."),
        )
    return await form.again(
        lambda errors: _settings_page(
            request, session, principal, entry_values=values, errors=errors
        )
    )


@router.post("/einstellungen/benachrichtigungen", name="save_preferences")
async def save_preferences(request: Request, session: DbSession, principal: Anyone) -> Response:
    form = await ui.FormAction.read(request, session)
    # The complete settings, as the API takes them: an unticked box is a channel turned off.
    chosen = [
        {"event_type": event_type, "channel": channel, "enabled": form.form.get(key) == "on"}
        for event_type, channel, key in preference_fields()
    ]
    preferences_in = form.model(PreferencesIn, {"preferences": chosen})
    if preferences_in is not None:
        await form.call(
            service.put_preferences(
                session=session, principal=principal, preferences_in=preferences_in
            )
        )
    if form.ok:
        return form.done(
            ui.page_path(request, "settings") + "#preferences",
            form.texts.gettext("Your notification settings are saved."),
        )
    return await form.again(
        lambda errors: _settings_page(request, session, principal, preference_errors=errors)
    )


@router.post("/einstellungen/zeiten", name="save_delivery_times")
async def save_delivery_times(request: Request, session: DbSession, principal: Anyone) -> Response:
    form = await ui.FormAction.read(request, session, fields=TIMES_FIELDS, hints=HINTS)
    values = form.values(TIMES_FIELDS)
    # An empty time is none: no quiet hours, or each e-mail on its own.
    times_in = form.model(DeliveryTimesIn, {name: value for name, value in values.items() if value})
    if times_in is not None:
        await form.call(
            service.put_delivery_times(session=session, principal=principal, times_in=times_in)
        )
    if form.ok:
        return form.done(
            ui.page_path(request, "settings") + "#delivery-times",
            form.texts.gettext("Your times are saved."),
        )
    return await form.again(
        lambda errors: _settings_page(
            request, session, principal, times_values=values, times_errors=errors
        )
    )


def preference_fields() -> list[tuple[str, Channel, str]]:
    """(event type, channel, form field) of every setting, in the order of the rules.

    Critical events have none: they always arrive."""
    return [
        (event_type, channel, preference_key(event_type, channel))
        for event_type in domain.EVENT_TYPES
        if not domain.is_critical(event_type)
        for channel in Channel
    ]


def preference_key(event_type: str, channel: Channel) -> str:
    return f"pref-{event_type.replace('.', '-')}-{channel.value}"


async def _settings_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    entry_values: Mapping[str, str] | None = None,
    errors: ui.FormErrors | None = None,
    preference_errors: ui.FormErrors | None = None,
    times_values: Mapping[str, str] | None = None,
    times_errors: ui.FormErrors | None = None,
) -> Response:
    entry = await _own_entry(session, principal)
    preferences = await service.get_preferences(session=session, principal=principal)
    enabled = {(p.event_type, p.channel): p.enabled for p in preferences}
    page_texts = ui.texts(request)
    is_staff = principal.has_any_role(*STAFF_ROLES)
    return await ui.render(
        request,
        "notifications/settings.html",
        {
            "entry": entry,
            "is_staff": is_staff,
            "is_volunteer": entry is not None and entry.kind is RecipientKind.VOLUNTEER,
            "values": entry_values or _entry_values(entry),
            "language_options": ui.options(ui.MESSAGE_LANGUAGES, page_texts),
            "language_label": _language_label(entry, page_texts),
            "entry_roles": _role_titles(entry.roles if entry else [], page_texts),
            "roles_outdated": entry is not None
            and set(entry.roles) != {role.value for role in principal.roles},
            "rows": [
                {
                    "event_type": event_type,
                    "label": EVENT_TYPE_LABELS.get(event_type, event_type),
                    "critical": domain.is_critical(event_type),
                    "cells": [
                        {
                            "key": preference_key(event_type, channel),
                            "channel": channel,
                            "enabled": enabled.get((event_type, channel), True),
                        }
                        for channel in Channel
                    ],
                }
                for event_type in domain.EVENT_TYPES
            ],
            "channel_labels": CHANNEL_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
            "preference_errors": preference_errors or {},
            "times": times_values or _times_values(entry),
            "times_errors": times_errors or {},
            "times_labels": ui.field_labels(TIMES_LABELS, page_texts),
        },
        section="settings",
        errors=errors,
    )


async def _own_entry(session: DbSession, principal: Principal) -> RecipientOut | None:
    try:
        found = await service.get_me(session=session, principal=principal)
    except NotFound:
        return None  # no entry yet: the page explains what that means
    return RecipientOut.model_validate(found)  # what the API answers for GET /me


def _entry_values(entry: RecipientOut | None) -> dict[str, str]:
    if entry is None:
        return {"name": "", "email": "", "language": domain.DEFAULT_LANGUAGE}
    return {
        "name": entry.name or "",
        "email": entry.email or "",
        "language": domain.template_language(entry.language),
    }


def _language_label(entry: RecipientOut | None, page_texts: ui.Texts) -> str:
    """The language of the entry's notifications, in the page's words (already translated)."""
    if entry is None:
        return page_texts.gettext(ui.MESSAGE_LANGUAGES[domain.DEFAULT_LANGUAGE])
    code = domain.template_language(entry.language, available=domain.languages_for(entry.kind))
    if code in ui.MESSAGE_LANGUAGES:
        return page_texts.gettext(ui.MESSAGE_LANGUAGES[code])
    return spoken_language_name(code, page_texts.locale)


def _times_values(entry: RecipientOut | None) -> dict[str, str]:
    def hhmm(value: time | None) -> str:
        return value.strftime("%H:%M") if value is not None else ""

    return {
        "time_zone": entry.time_zone if entry else timing.DEFAULT_TIME_ZONE,
        "quiet_from": hhmm(entry.quiet_from if entry else None),
        "quiet_until": hhmm(entry.quiet_until if entry else None),
        "digest_at": hhmm(entry.digest_at if entry else None),
    }


def _role_titles(roles: list[str], page_texts: ui.Texts) -> list[str]:
    return [page_texts.gettext(title) for role, title in ROLE_TITLES.items() if role.value in roles]


# --- small helpers -------------------------------------------------------------------


class ListView(Protocol):
    """A list's filters and page, as a frozen dataclass that writes its own query."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def page(self) -> int: ...

    def query(self) -> dict[str, str]: ...


def list_url(request: Request, name: str, query: Mapping[str, str], **params: Any) -> str:
    path = ui.page_path(request, name, **params)
    return f"{path}?{urlencode(query)}" if query else path


def pages_of(request: Request, name: str, view: ListView) -> ui.PageLink:
    """Links to a list's other pages as its other links write them (`query()`): its
    filters, and no `page` for the first."""
    return lambda page: list_url(request, name, replace(view, page=page).query())


def mount_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve notifications' pages under /ui of `app`."""
    from notifications import delivery_pages  # it takes this module's roles and labels

    ui.mount_staff_ui(
        app,
        settings,
        ui.StaffTool(
            name="notifications",
            templates=Path(__file__).parent / "templates",
            sections=(
                ui.Section("ui_home", ui.N_("Inbox")),
                ui.Section("settings", ui.N_("Settings")),
                # Offered to administrators only; others who type its address get the 403.
                ui.Section("deliveries", ui.N_("Delivery log"), roles=ui.api_roles(Administrator)),
                ui.Section("webhooks", ui.N_("Webhooks"), roles=ui.api_roles(Administrator)),
                ui.Section(
                    "agencies", ui.N_("Partner agencies"), roles=ui.api_roles(Administrator)
                ),
            ),
        ),
        [router, delivery_pages.router, webhook_pages.router, agency_pages.router],
        outbox=service.outbox,
    )
