"""Staff pages of case notes: the household's notes with their addenda, a new note, and
one note to change (its author, for a short while) or to add to.

Every change goes through the use case the API calls (`intake.casenotes`); a page only
turns a form into the API's request model and a refusal back into errors at the fields.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import now, today
from teilhabe.scope import applies_scope

from intake import casenotes
from intake.dependencies import TEAM_HOUSEHOLDS
from intake.domain import NoteCategory
from intake.pages import Staff
from intake.schemas import AddendumIn, NoteChangeIn, NoteIn

router = APIRouter()

CATEGORY_LABELS = {
    NoteCategory.BERATUNG: ui.N_("Counselling"),
    NoteCategory.HAUSBESUCH: ui.N_("Home visit"),
    NoteCategory.KRISENINTERVENTION: ui.N_("Crisis intervention"),
    NoteCategory.BEHOERDENKONTAKT: ui.N_("Contact with an authority"),
    NoteCategory.TELEFONAT: ui.N_("Phone call"),
    NoteCategory.SONSTIGES: ui.N_("Other"),
}
NOTE_FIELDS = ("category", "noted_on", "member_id", "text")
ADDENDUM_FIELDS = ("addendum",)
LABELS = {
    "category": ui.N_("Category"),
    "noted_on": ui.N_("Date"),
    "member_id": ui.N_("About"),
    "text": ui.N_("Note"),
    "addendum": ui.N_("Addendum"),
}
# The rules' own messages (intake.domain, intake.casenotes), for the catalogue.
RULE_MESSAGES = (
    ui.N_("a note is about what happened, not ahead"),
    ui.N_("not a member of this household"),
)
CONFLICTS = {
    "note-locked": ("addendum", ui.N_("The note can no longer be changed; add an addendum.")),
    "not-author": ("addendum", ui.N_("Only the note's author may change it; add an addendum.")),
}


@router.get(
    "/haushalte/{household_id}/vermerke",
    name="notes",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def notes(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    values = {
        "category": "",
        "noted_on": ui.date_input_value(today(), "de"),
        "member_id": "",
        "text": "",
    }
    return await _notes_page(request, session, principal, household_id, values)


@router.post(
    "/haushalte/{household_id}/vermerke",
    name="write_note",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def write_note(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=NOTE_FIELDS)
    values = form.values(NOTE_FIELDS)
    data: dict[str, Any] = {"member_id": values["member_id"] or None}
    form.put_choice(data, "category", values["category"])
    form.put_date(data, "noted_on", values["noted_on"])
    if values["text"]:
        data["text"] = values["text"]
    else:
        form.refuse("text", ui.REQUIRED)
    body = form.model(NoteIn, data)
    if body is not None:
        note = await form.call(
            casenotes.write_note(
                session=session,
                principal=principal,
                household_id=household_id,
                note_in=body,
                today=today(),
            )
        )
        if note is not None:
            return form.done(
                ui.page_path(request, "notes", household_id=household_id),
                form.texts.gettext("The note is saved."),
            )
    return await form.again(
        lambda errors: _notes_page(request, session, principal, household_id, values, errors)
    )


async def _notes_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    values: dict[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    household, found = await casenotes.notes_of(
        session=session, principal=principal, household_id=household_id
    )
    page_texts = ui.texts(request)
    moment = now()
    return await ui.render(
        request,
        "intake/notes.html",
        {
            "household": household,
            "notes": found,
            "changeable": {
                n.note.id for n in found if casenotes.may_change(n.note, principal, moment)
            },
            "members": {m.id: f"{m.family_name}, {m.given_name}" for m in household.members},
            "member_options": [
                (str(m.id), f"{m.family_name}, {m.given_name}") for m in household.members
            ],
            "category_labels": CATEGORY_LABELS,
            "category_options": ui.options(CATEGORY_LABELS, page_texts),
            "values": values,
            "labels": ui.field_labels(LABELS, page_texts),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, NOTE_FIELDS),
    )


@router.get(
    "/haushalte/{household_id}/vermerke/{note_id}",
    name="note",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def note(
    request: Request,
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    return await _note_page(request, session, principal, household_id, note_id)


@router.post(
    "/haushalte/{household_id}/vermerke/{note_id}/aendern",
    name="change_note",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def change_note(
    request: Request,
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    fields = ("category", "noted_on", "text")
    form = await ui.FormAction.read(request, session, fields=fields, conflicts=CONFLICTS)
    values = form.values(fields)
    data: dict[str, Any] = {}
    form.put_choice(data, "category", values["category"])
    form.put_date(data, "noted_on", values["noted_on"])
    if values["text"]:
        data["text"] = values["text"]
    else:
        form.refuse("text", ui.REQUIRED)
    body = form.model(NoteChangeIn, data)
    if body is not None:
        changed = await form.call(
            casenotes.change_note(
                session=session,
                principal=principal,
                household_id=household_id,
                note_id=note_id,
                change=body,
                today=today(),
            )
        )
        if changed is not None:
            return form.done(
                ui.page_path(request, "notes", household_id=household_id),
                form.texts.gettext("The note is changed."),
            )
    return await form.again(
        lambda errors: _note_page(
            request, session, principal, household_id, note_id, values=values, errors=errors
        )
    )


@router.post(
    "/haushalte/{household_id}/vermerke/{note_id}/nachtrag",
    name="add_addendum",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def add_addendum(
    request: Request,
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    session: DbSession,
    principal: Staff,
) -> Response:
    form = await ui.FormAction.read(request, session, fields=ADDENDUM_FIELDS)
    values = form.values(ADDENDUM_FIELDS)
    if not values["addendum"]:
        form.refuse("addendum", ui.REQUIRED)
    body = form.model(AddendumIn, {"text": values["addendum"]}) if form.ok else None
    form.rename({"text": "addendum"})
    if body is not None:
        added = await form.call(
            casenotes.add_addendum(
                session=session,
                principal=principal,
                household_id=household_id,
                note_id=note_id,
                addendum=body,
                today=today(),
            )
        )
        if added is not None:
            return form.done(
                ui.page_path(request, "notes", household_id=household_id),
                form.texts.gettext("The addendum is saved."),
            )
        form.rename({"text": "addendum"})
    return await form.again(
        lambda errors: _note_page(
            request, session, principal, household_id, note_id, addendum=values, errors=errors
        )
    )


async def _note_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    addendum: dict[str, str] | None = None,
    errors: ui.FormErrors | None = None,
) -> Response:
    household, found = await casenotes.note_of(
        session=session, principal=principal, household_id=household_id, note_id=note_id
    )
    page_texts = ui.texts(request)
    recorded = found.note
    return await ui.render(
        request,
        "intake/note.html",
        {
            "household": household,
            "note": found,
            "changeable": casenotes.may_change(recorded, principal, now()),
            "members": {m.id: f"{m.family_name}, {m.given_name}" for m in household.members},
            "category_labels": CATEGORY_LABELS,
            "category_options": ui.options(CATEGORY_LABELS, page_texts),
            "values": values
            or {
                "category": recorded.category,
                "noted_on": ui.date_input_value(recorded.noted_on, page_texts.locale),
                "text": recorded.text,
            },
            "addendum": addendum or {"addendum": ""},
            "labels": ui.field_labels(LABELS, page_texts),
        },
        section="ui_home",
        errors=ui.in_field_order(errors or {}, (*NOTE_FIELDS, *ADDENDUM_FIELDS)),
    )
