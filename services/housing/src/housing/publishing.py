"""What housing publishes: its outbox, and the event every change of a unit's beds stages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.housing import CapacityChange, UnitCapacityChanged
from teilhabe.messaging.outbox import Outbox

from housing.models import Closure, Site, Unit, messaging

outbox = Outbox(messaging.outbox, source="/teilhabe/housing")


async def capacity_changed(
    session: AsyncSession,
    site: Site,
    unit: Unit,
    change: CapacityChange,
    *,
    beds: int,
    beds_changed: int,
    closure: Closure | None = None,
    households_to_move: int = 0,
) -> None:
    """Stage `unit.capacity_changed` in the use case's transaction."""
    await outbox.add(
        session,
        UnitCapacityChanged(
            site_id=site.id,
            unit_id=unit.id,
            site_name=site.name,
            unit_name=unit.name,
            change=change,
            beds=beds,
            beds_changed=beds_changed,
            closed_from=closure.starts_on if closure else None,
            closed_until=closure.ends_on if closure else None,
            closure_reason=closure.reason if closure else None,
            households_to_move=households_to_move,
        ),
    )
