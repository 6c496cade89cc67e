"""Volunteers' durable timers: one function per kind, run in the timer worker's transaction."""

from __future__ import annotations

import uuid
from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.clock import today
from teilhabe.timers import DueTimer, TimerHandlers

from volunteers import service
from volunteers.dependencies import clearance_rules

log = structlog.get_logger(__name__)


async def on_clearance_reinspection(session: AsyncSession, timer: DueTimer) -> None:
    await service.remind_clearance_reinspection(
        session=session,
        volunteer_id=uuid.UUID(timer.key),
        due_on=date.fromisoformat(timer.payload["due_on"]),
        rules=clearance_rules(),
    )


async def on_clearance_deletion(session: AsyncSession, timer: DueTimer) -> None:
    deleted = await service.delete_clearance_when_due(
        session=session, volunteer_id=uuid.UUID(timer.key), today=today()
    )
    log.info("clearance deletion day", deleted=deleted)


TIMERS: TimerHandlers = {
    service.CLEARANCE_REINSPECTION: on_clearance_reinspection,
    service.CLEARANCE_DELETION: on_clearance_deletion,
}
