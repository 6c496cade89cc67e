"""Storing newly allocated households and their members in two statements.

The ORM's unit of work (identity map, flush ordering, per-object events) cost more CPU
than the rest of a registration together, for objects that are written once and sent back.
Households and members go in with one multi-row INSERT each; an allocation notice number
that is already registered (before, or by a concurrent request) is found by ON CONFLICT
DO NOTHING, without a look-up first. The objects stay transient: they carry what the
response and the event need, including the timestamps the database set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.models import Household, Member

_HOUSEHOLD: Table = Household.__table__  # type: ignore[assignment]
_MEMBER: Table = Member.__table__  # type: ignore[assignment]
_INSERT_HOUSEHOLDS = (
    insert(_HOUSEHOLD)
    .on_conflict_do_nothing(index_elements=[_HOUSEHOLD.c.allocation_notice_number])
    .returning(
        _HOUSEHOLD.c.allocation_notice_number, _HOUSEHOLD.c.created_at, _HOUSEHOLD.c.updated_at
    )
)
_INSERT_MEMBERS = insert(_MEMBER)


async def insert_households(session: AsyncSession, households: Sequence[Household]) -> list[str]:
    """Insert `households` with their members; returns the notice numbers already registered.

    When any is, nothing is inserted: the transaction is rolled back.
    """
    inserted = {
        row.allocation_notice_number: row
        for row in await session.execute(
            _INSERT_HOUSEHOLDS, [_values(h, _HOUSEHOLD) for h in households]
        )
    }
    known = [
        h.allocation_notice_number for h in households if h.allocation_notice_number not in inserted
    ]
    if known:
        await session.rollback()
        return known
    for household in households:
        row = inserted[household.allocation_notice_number]
        household.created_at = row.created_at
        household.updated_at = row.updated_at
    await session.execute(
        _INSERT_MEMBERS, [_values(m, _MEMBER) for h in households for m in h.members]
    )
    return []


def _values(instance: Household | Member, table: Table) -> dict[str, Any]:
    """The column values set on a transient object; columns left out get their defaults."""
    state = instance.__dict__
    return {column.key: state[column.key] for column in table.columns if column.key in state}
