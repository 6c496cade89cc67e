"""Erasure of a household, a person or a volunteer in every service, on request.

The data-protection officer's request erases what intake holds at once, in the request's
transaction, records intake's confirmation and stages `erasure.requested` for the
others; each answers `erasure.completed`, and the request is complete once every service
in `ERASING_SERVICES` has. The reason stays here, with the request; no event carries it.
Intake's dead letters that mention the subject go by a durable timer the request
schedules (the broker is no part of its transaction), also those naming the household's
allocation notice number (the state's `allocation.notified` carries names but no id of
ours); their number is added to intake's confirmation.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.auth import Principal
from teilhabe.erasure import (
    audit_forgotten,
    erasure_actor,
    forget_dead_letters,
    forget_published,
)
from teilhabe.events.erasure import (
    ERASING_SERVICES,
    ErasureCompleted,
    ErasureRequested,
    ErasureSubject,
)
from teilhabe.events.households import normalise_notice_number
from teilhabe.messaging.dead_letters import NOTICE_FIELD
from teilhabe.queries import count_and_page
from teilhabe.timers import cancel, schedule

from intake.config import get_settings
from intake.dependencies import ERASURE_REQUESTS
from intake.followups import FOLLOW_UP_DUE
from intake.models import (
    AllocationImport,
    AllocationImportDraft,
    CaseNote,
    ErasureConfirmation,
    ErasureRequest,
    FollowUp,
    Household,
    Member,
)
from intake.obligations import OBLIGATION_ENDING
from intake.service import RESIDENCE_EXPIRY, audit, outbox

SERVICE = "intake"
RESOURCE = "erasure_request"
# The timer that deletes intake's dead letters mentioning the subject, keyed by request;
# its payload holds the household's notice numbers under NOTICES until it has fired.
ERASURE_DEAD_LETTERS = "erasure_dead_letters"
NOTICES = "notices"


async def request_erasure(
    *,
    session: AsyncSession,
    principal: Principal,
    subject_kind: ErasureSubject,
    subject_id: uuid.UUID,
    reason: str,
) -> ErasureRequest:
    request = ErasureRequest(
        id=uuid.uuid4(),
        subject_kind=subject_kind.value,
        subject_id=subject_id,
        reason=reason,
        requested_by=principal.subject,
        requested_at=clock.now(),
        confirmations=[],  # known empty: appending later loads nothing
    )
    session.add(request)
    # Read before the household goes: the state's allocation notice names its people
    # under this number, and no id of ours.
    notices = await notice_numbers(session, subject_kind, subject_id)
    records = await erase(session, subject_kind, subject_id)
    records += await forget_published(session, outbox, subject_id)
    request.confirmations.append(
        ErasureConfirmation(service=SERVICE, records=records, confirmed_at=clock.now())
    )
    await outbox.add(
        session,
        ErasureRequested(request_id=request.id, subject_kind=subject_kind, subject_id=subject_id),
    )
    # Keyed by the request alone: a timer row naming the subject would outlive it. The
    # notice number rides in its payload until the dead letters are gone, then is emptied.
    await schedule(session, ERASURE_DEAD_LETTERS, str(request.id), clock.now(), {NOTICES: notices})
    await audit(session, principal, "request_erasure", subject_kind.value, [subject_id])
    await session.commit()
    return request


async def notice_numbers(
    session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID
) -> list[str]:
    """The allocation notice number of the subject's household (a person's: the one they
    were allocated with), if intake holds it."""
    if kind is ErasureSubject.HOUSEHOLD:
        query = select(Household.allocation_notice_number).where(Household.id == subject_id)
    elif kind is ErasureSubject.MEMBER:
        query = (
            select(Household.allocation_notice_number)
            .join(Member, Member.household_id == Household.id)
            .where(Member.id == subject_id)
        )
    else:
        return []
    number = await session.scalar(query)
    return [number] if number else []


async def erase(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    """Delete what intake holds of the subject; how many records went."""
    if kind is ErasureSubject.VOLUNTEER:
        return 0  # intake knows no volunteers
    members = Member.household_id if kind is ErasureSubject.HOUSEHOLD else Member.id
    member_ids = list(await session.scalars(select(Member.id).where(members == subject_id)))
    await cancel(session, RESIDENCE_EXPIRY, *(str(member) for member in member_ids))
    # Obligations go with their member (ON DELETE CASCADE), and so do their reminders.
    await cancel(session, OBLIGATION_ENDING, *(str(member) for member in member_ids))
    if kind is ErasureSubject.MEMBER:
        # Notes about the person go with them (their addenda follow); a household's notes
        # go with the household (ON DELETE CASCADE).
        notes = await session.execute(delete(CaseNote).where(CaseNote.member_id == subject_id))
        # So do follow-ups about the person, with their reminders.
        follow_ups = list(
            await session.scalars(
                delete(FollowUp).where(FollowUp.member_id == subject_id).returning(FollowUp.id)
            )
        )
        await cancel(session, FOLLOW_UP_DUE, *(str(f) for f in follow_ups))
        await session.execute(delete(Member).where(Member.id == subject_id))
        return len(member_ids) + int(getattr(notes, "rowcount", 0) or 0) + len(follow_ups)
    number = await session.scalar(
        select(Household.allocation_notice_number).where(Household.id == subject_id)
    )
    households = await session.execute(delete(Household).where(Household.id == subject_id))
    reports = await forget_in_imports(session, number) if number else 0
    return len(member_ids) + int(getattr(households, "rowcount", 0) or 0) + reports


async def forget_in_imports(session: AsyncSession, number: str) -> int:
    """Take the household's notice number out of the reports of imported lists (a report
    keeps rows and notice numbers, never names), and the household out of the previews
    still waiting for their confirmation (a preview keeps the allocation with its people's
    names; confirmed later, it would register the erased household again). Compared
    normalised, as intake compares notice numbers; how many reports and previews named it.
    """
    wanted = normalise_notice_number(number)

    def names(item: dict[str, Any], field: str) -> bool:
        value = item.get(field)
        return isinstance(value, str) and normalise_notice_number(value) == wanted

    # Few reports and previews exist at a time (previews go after a day): read them all
    # rather than trust that every copy was stored in the normalised form.
    changed = 0
    for report in await session.scalars(select(AllocationImport)):
        problems = [p for p in report.problems if not names(p, "notice")]
        skipped = [s for s in report.skipped if not names(s, "notice")]
        if len(problems) != len(report.problems) or len(skipped) != len(report.skipped):
            report.problems, report.skipped = problems, skipped
            changed += 1
    for draft in await session.scalars(select(AllocationImportDraft)):
        waiting = [
            h for h in draft.households if not names(h.get("allocation") or {}, NOTICE_FIELD)
        ]
        if len(waiting) != len(draft.households):
            draft.households = waiting
            changed += 1
    return changed


async def forget_own_dead_letters(
    session: AsyncSession, request_id: uuid.UUID, notices: Sequence[str] = ()
) -> int:
    """Delete intake's dead letters mentioning the request's subject, or naming its
    household's allocation notice number (`notices`: the state's `allocation.notified`
    names the people but carries no id of ours); count them to its confirmation.

    Run by the request's timer, after the request committed; tried again if the broker
    cannot be reached. Run again, it finds nothing more. Each letter deleted is audited
    as deleted by the person who requested the erasure, in the timer's transaction.
    """
    request = await session.get(ErasureRequest, request_id)
    if request is None:
        return 0  # a request this database does not hold (restored from before it)
    forgotten: list[str] = []
    deleted = await forget_dead_letters(
        get_settings(), [request.subject_id], notices=notices, deleted_letters=forgotten
    )
    await audit_forgotten(session, erasure_actor(request.id, request.requested_by), forgotten)
    if deleted:
        await session.execute(
            update(ErasureConfirmation)
            .where(
                ErasureConfirmation.request_id == request_id,
                ErasureConfirmation.service == SERVICE,
            )
            .values(records=ErasureConfirmation.records + deleted)
        )
    return deleted


async def record_confirmations(
    session: AsyncSession, confirmations: Sequence[tuple[str, ErasureCompleted]]
) -> None:
    """Keep each service's confirmation once; complete the requests all have confirmed."""
    for service, completed in confirmations:
        # The request's row lock: confirmations handled side by side count each other.
        request = await session.get(ErasureRequest, completed.request_id, with_for_update=True)
        if request is None:
            continue  # a request this database does not hold (e.g. restored from before it)
        await session.execute(
            insert(ErasureConfirmation)
            .values(request_id=request.id, service=service, records=completed.records)
            .on_conflict_do_nothing()
        )
        confirmed = await session.scalar(
            select(func.count()).where(ErasureConfirmation.request_id == request.id)
        )
        if request.completed_at is None and confirmed == len(ERASING_SERVICES):
            request.completed_at = clock.now()


async def get_request(
    *, session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> ErasureRequest:
    request = await ERASURE_REQUESTS.get(session, principal, request_id)
    await audit(session, principal, "read", RESOURCE, [request.id])
    await session.commit()
    return request


async def list_requests(
    *, session: AsyncSession, principal: Principal, open_only: bool, limit: int, offset: int
) -> tuple[list[ErasureRequest], int]:
    query = ERASURE_REQUESTS.select(principal)
    if open_only:
        query = query.where(ErasureRequest.completed_at.is_(None))
    rows, total = await count_and_page(
        session,
        query,
        order_by=[ErasureRequest.requested_at.desc(), ErasureRequest.id],
        limit=limit,
        offset=offset,
    )
    await audit(session, principal, "list", RESOURCE, [request.id for request in rows])
    await session.commit()
    return rows, total


async def send_again(session: AsyncSession, since: datetime) -> int:
    """Tell every service again of the erasures requested since `since` (after a service's
    database was restored from a backup taken before them); erasing is idempotent, and a
    confirmation that comes twice is kept once."""
    requests = await session.scalars(
        select(ErasureRequest).where(ErasureRequest.requested_at >= since)
    )
    events = [
        ErasureRequested(
            request_id=request.id,
            subject_kind=ErasureSubject(request.subject_kind),
            subject_id=request.subject_id,
        )
        for request in requests
    ]
    await outbox.add_many(session, events)
    await session.commit()
    return len(events)
