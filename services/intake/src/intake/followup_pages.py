"""Staff pages of follow-ups (Wiedervorlagen): a household's follow-ups with a form to
set one, and marking one done (also from the caseworker's due list on the start page).

Every change goes through the use case the API calls (`intake.followups`).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import domain, followups
from intake.dependencies import HOUSEHOLDS
from intake.pages import Staff, list_downloads
from intake.schemas import FollowUpIn

router = APIRouter()

FIELDS = ("due_on", "reason", "member_id")
LABELS = {
    "due_on": ui.N_("Due on"),
    "reason": ui.N_("Reason"),
    "member_id": ui.N_("About"),
}
DUE_LABELS = {
    domain.Due.OVERDUE: ui.N_("overdue"),
    domain.Due.TODAY: ui.N_("due today"),
    domain.Due.THIS_WEEK: ui.N_("due this week"),
    domain.Due.LATER: ui.N_("due later"),
}
# The download's columns.
COLUMNS = (
    ui.N_("Due on"),
    ui.N_("Reason"),
    ui.N_("About"),
    ui.N_("Assigned to"),
    ui.N_("State"),
    ui.N_("Done on"),
    ui.N_("Done by"),
    ui.N_("Done because"),
)
RULE_MESSAGES = (
    ui.N_("a follow-up is due today or later"),
    # domain.CASE_CLOSED: the refusal of anything new for a closed case, on every page.
    ui.N_("the case is closed"),
)
CONFLICTS = {"follow-up-done": (ui.FORM, ui.N_("This follow-up is done already."))}


@router.get(
    "/haushalte/{household_id}/wiedervorlagen",
    name="follow_ups",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def follow_ups(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    kind = ui.download_format(request)
    if kind is not None:
        return await _download(request, session, principal, household_id, kind)
    values = dict.fromkeys(FIELDS, "")
    return await _page(request, session, principal, household_id, values)


@router.post(
    "/haushalte/{household_id}/wiedervorlagen",
    name="set_follow_up",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def set_follow_up(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=FIELDS)
    values = form.values(FIELDS)
    data: dict[str, Any] = {"member_id": values["member_id"] or None}
    form.put_date(data, "due_on", values["due_on"])
    if values["reason"]:
        data["reason"] = values["reason"]
    else:
        form.refuse("reason", ui.REQUIRED)
    problems = domain.follow_up_problems(due_on=data.get("due_on"), today=today(), created=True)
    for key, message in problems.items():
        form.refuse(key, message)
    body = form.model(FollowUpIn, data)
    if body is not None:
        set_ = await form.call(
            followups.set_follow_up(
                session=session,
                principal=principal,
                household_id=household_id,
                follow_up_in=body,
                today=today(),
            )
        )
        if set_ is not None:
            return form.done(
                ui.page_path(request, "follow_ups", household_id=household_id),
                form.texts.gettext("The follow-up is on your list for %(day)s.")
                % {"day": ui.format_date(set_.due_on, form.texts.locale)},
            )
    return await form.again(
        lambda errors: _page(request, session, principal, household_id, values, errors)
    )


@router.post(
    "/haushalte/{household_id}/wiedervorlagen/{follow_up_id}/erledigt",
    name="complete_follow_up",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def complete_follow_up(
    request: Request,
    household_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=CONFLICTS, status=409)
    back_to_start = form.text("back") == "start"
    done = await form.call(
        followups.complete(
            session=session,
            principal=principal,
            household_id=household_id,
            follow_up_id=follow_up_id,
            today=today(),
        )
    )
    if done is not None:
        return form.done(
            ui.page_path(request, "ui_home")
            if back_to_start
            else ui.page_path(request, "follow_ups", household_id=household_id),
            form.texts.gettext("The follow-up is done."),
        )
    return await form.again(
        lambda errors: _page(
            request, session, principal, household_id, dict.fromkeys(FIELDS, ""), errors
        )
    )


async def _download(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    kind: ui.DownloadFormat,
) -> Response:
    """The household's follow-ups as the page lists them, audited as an export."""
    household, found = await followups.of_household(
        session=session, principal=principal, household_id=household_id, action="export"
    )
    gettext = ui.texts(request).gettext
    members = {m.id: f"{m.family_name}, {m.given_name}" for m in household.members}
    day = today()
    table = ui.Table(
        name=gettext(ui.N_("follow-ups")),
        title=gettext("Follow-ups"),
        headers=[gettext(heading) for heading in COLUMNS],
        rows=[
            (
                f.due_on,
                f.reason,
                members.get(f.member_id, "") if f.member_id else gettext("The whole household"),
                f.assignee,
                gettext(ui.N_("done"))
                if f.done_on
                else gettext(DUE_LABELS[domain.due(f.due_on, day)]),
                f.done_on,
                f.done_by,
                gettext(ui.N_("the case was closed"))
                if f.done_reason == domain.DONE_CASE_CLOSED
                else None,
            )
            for f in found
        ],
    )
    return ui.download(table, kind, on=day)


async def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: dict[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    household, found = await followups.of_household(
        session=session, principal=principal, household_id=household_id
    )
    page_texts = ui.texts(request)
    day = today()
    return await ui.render(
        request,
        "intake/follow_ups.html",
        {
            "household": household,
            "follow_ups": found,
            "due": {f.id: domain.due(f.due_on, day) for f in found},
            "due_labels": DUE_LABELS,
            "members": {m.id: f"{m.family_name}, {m.given_name}" for m in household.members},
            "member_options": [
                (str(m.id), f"{m.family_name}, {m.given_name}") for m in household.members
            ],
            "values": values,
            "labels": ui.field_labels(LABELS, page_texts),
            "downloads": list_downloads(
                request, ui.page_path(request, "follow_ups", household_id=household_id)
            ),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, FIELDS),
    )
