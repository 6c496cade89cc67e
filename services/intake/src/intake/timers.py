"""Intake's durable timers: one function per kind, run in the timer worker's transaction."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.timers import DueTimer, TimerHandlers, forget_payload

from intake import erasure, followups, obligations, service


async def on_residence_status_expiry(session: AsyncSession, timer: DueTimer) -> None:
    await service.remind_residence_expiry(
        session=session,
        member_id=uuid.UUID(timer.key),
        expires_on=date.fromisoformat(timer.payload["expires_on"]),
    )


async def on_follow_up_due(session: AsyncSession, timer: DueTimer) -> None:
    await followups.remind(
        session=session,
        follow_up_id=uuid.UUID(timer.key),
        due_on=date.fromisoformat(timer.payload["due_on"]),
    )


async def on_residence_obligation_ending(session: AsyncSession, timer: DueTimer) -> None:
    await obligations.remind(
        session=session,
        member_id=uuid.UUID(timer.key),
        ends_on=date.fromisoformat(timer.payload["ends_on"]),
    )


async def on_erasure_dead_letters(session: AsyncSession, timer: DueTimer) -> None:
    notices = [str(number) for number in timer.payload.get(erasure.NOTICES, [])]
    await erasure.forget_own_dead_letters(session, uuid.UUID(timer.key), notices)
    # Done: the fired timer (kept a while for operations) no longer names the household.
    await forget_payload(session, timer.kind, timer.key)


TIMERS: TimerHandlers = {
    erasure.ERASURE_DEAD_LETTERS: on_erasure_dead_letters,
    service.RESIDENCE_EXPIRY: on_residence_status_expiry,
    followups.FOLLOW_UP_DUE: on_follow_up_due,
    obligations.OBLIGATION_ENDING: on_residence_obligation_ending,
}
