"""Query pieces every service writes the same way: paging, text search, enum columns."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum as PyEnum
from typing import Any, TypeVar

from sqlalchemy import Enum, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


def sql_enum(cls: type[PyEnum], name: str) -> Enum:
    """A PostgreSQL enum type `name` that stores the members' values, not their names."""
    return Enum(cls, name=name, values_callable=lambda members: [m.value for m in members])


def like_literal(text: str) -> str:
    """`text` as a LIKE pattern that matches only itself (`%`, `_` and `\\` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(text: str) -> str:
    """A LIKE pattern for values that contain `text` as typed."""
    return f"%{like_literal(text)}%"


async def count_and_page(
    session: AsyncSession,
    query: Select[T],
    *,
    order_by: Sequence[Any],
    limit: int,
    offset: int,
) -> tuple[list[T], int]:
    """One page of `query`'s rows in `order_by` order, and how many rows there are in all.

    One statement: the total comes with the page as a window count, taken over every row
    before LIMIT and OFFSET. Only a page past the end (no row to carry it) counts apart.
    `query` must not be DISTINCT (the window would count the rows before DISTINCT).
    """
    paged = query.add_columns(func.count().over()).order_by(*order_by).limit(limit).offset(offset)
    rows = (await session.execute(paged)).all()
    if rows:
        return [row[0] for row in rows], int(rows[0][-1])
    if offset == 0:
        return [], 0
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return [], total
