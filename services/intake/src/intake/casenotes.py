"""Use cases of case notes: written, changed by their author for a short while, then
added to by addenda only. Seen by the household's own team alone; the text never leaves
intake (no event, notification or log line carries it; audit entries name the note)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import InvalidFields, NotFound, raise_refusal
from teilhabe.auth import Principal
from teilhabe.clock import now

from intake import domain
from intake.config import get_settings
from intake.dependencies import TEAM_HOUSEHOLDS
from intake.models import CaseNote, Household
from intake.schemas import AddendumIn, NoteChangeIn, NoteIn
from intake.service import audit

RESOURCE = "case_note"


@dataclass
class Note:
    """A note with its addenda, oldest first."""

    note: CaseNote
    addenda: list[CaseNote] = field(default_factory=list)


async def write_note(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    note_in: NoteIn,
    today: date,
) -> CaseNote:
    household = await TEAM_HOUSEHOLDS.get(session, principal, household_id)
    closed = domain.case_closed_refusal(household.closed_on)
    if closed is not None:
        raise_refusal(closed)
    problems = domain.note_problems(noted_on=note_in.noted_on, today=today)
    if note_in.member_id is not None and note_in.member_id not in {m.id for m in household.members}:
        problems["member_id"] = "not a member of this household"
    if problems:
        raise InvalidFields(problems)
    written = now()
    note = CaseNote(
        id=uuid.uuid4(),
        household_id=household.id,
        member_id=note_in.member_id,
        category=note_in.category,
        noted_on=note_in.noted_on,
        text=note_in.text,
        author=principal.subject,
        created_at=written,
        locked_after=written + _edit_window(),
    )
    session.add(note)
    await audit(session, principal, "create", RESOURCE, [note.id])
    await session.commit()
    return note


async def change_note(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    change: NoteChangeIn,
    today: date,
) -> CaseNote:
    household = await TEAM_HOUSEHOLDS.get(session, principal, household_id)
    note = await _note(session, household, note_id, for_update=True)
    refusal = domain.note_edit_refusal(
        author=note.author,
        editor=principal.subject,
        created_at=note.created_at,
        now=now(),
        window=note.locked_after - note.created_at,
    )
    if refusal is not None:
        raise_refusal(refusal)
    given = change.model_dump(exclude_unset=True)
    problems = {name: "may not be empty" for name, value in given.items() if value is None}
    problems |= domain.note_problems(noted_on=given.get("noted_on"), today=today)
    if problems:
        raise InvalidFields(problems)
    for name, value in given.items():
        setattr(note, name, value)
    note.updated_at = now()
    await audit(session, principal, "update", RESOURCE, [note.id])
    await session.commit()
    return note


async def add_addendum(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    addendum: AddendumIn,
    today: date,
) -> CaseNote:
    household = await TEAM_HOUSEHOLDS.get(session, principal, household_id)
    note = await _note(session, household, note_id)
    written = now()
    added = CaseNote(
        id=uuid.uuid4(),
        household_id=household.id,
        member_id=note.member_id,
        addendum_to=note.id,
        category=note.category,
        noted_on=today,
        text=addendum.text,
        author=principal.subject,
        created_at=written,
        locked_after=written,  # an addendum stands as written
    )
    session.add(added)
    await audit(session, principal, "create", RESOURCE, [added.id])
    await session.commit()
    return added


async def notes_of(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> tuple[Household, list[Note]]:
    """The household's notes, newest first, each with its addenda oldest first."""
    household = await TEAM_HOUSEHOLDS.get(session, principal, household_id)
    rows = list(
        await session.scalars(
            select(CaseNote)
            .where(CaseNote.household_id == household.id)
            .order_by(CaseNote.noted_on.desc(), CaseNote.created_at.desc())
        )
    )
    notes = {row.id: Note(row) for row in rows if row.addendum_to is None}
    for row in reversed(rows):
        if row.addendum_to in notes:
            notes[row.addendum_to].addenda.append(row)
    for note in notes.values():
        note.addenda.sort(key=lambda a: a.created_at)
    await audit(session, principal, "read", RESOURCE, [row.id for row in rows])
    await session.commit()
    return household, list(notes.values())


async def note_of(
    *, session: AsyncSession, principal: Principal, household_id: uuid.UUID, note_id: uuid.UUID
) -> tuple[Household, Note]:
    household = await TEAM_HOUSEHOLDS.get(session, principal, household_id)
    note = await _note(session, household, note_id)
    addenda = list(
        await session.scalars(
            select(CaseNote).where(CaseNote.addendum_to == note.id).order_by(CaseNote.created_at)
        )
    )
    await audit(session, principal, "read", RESOURCE, [note.id, *(a.id for a in addenda)])
    await session.commit()
    return household, Note(note, addenda)


def may_change(note: CaseNote, principal: Principal, moment: datetime) -> bool:
    return (
        domain.note_edit_refusal(
            author=note.author,
            editor=principal.subject,
            created_at=note.created_at,
            now=moment,
            window=note.locked_after - note.created_at,
        )
        is None
    )


async def _note(
    session: AsyncSession, household: Household, note_id: uuid.UUID, *, for_update: bool = False
) -> CaseNote:
    """A note (not an addendum) of the household; else not found."""
    query = select(CaseNote).where(
        CaseNote.id == note_id,
        CaseNote.household_id == household.id,
        CaseNote.addendum_to.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    note = await session.scalar(query)
    if note is None:
        raise NotFound("case note")
    return note


def _edit_window() -> timedelta:
    return timedelta(minutes=get_settings().case_note_edit_minutes)
