"""Need to know: which records a caller may see, decided in the query.

A service declares one `RecordScope` per kind of record: a rule turning the caller's
`Principal` into a SQLAlchemy condition on the record's table. Loading one record by id
(`get_in_scope`) puts that condition into the same query, so a record out of scope is not
found, exactly like a missing one (404, no hint that it exists). Lists, searches and
counts start from `scope.select(principal)` or add `scope.where(principal)`, so nothing
out of scope is ever loaded and then dropped.

A route that takes a record id declares the scopes its use case applies with
`dependencies=[applies_scope(SCOPE)]`; `teilhabe_dev.testing.auth.routes_without_declared_scope`
fails the build for a route that forgets.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi import Depends
from sqlalchemy import ColumnElement, Select, false, inspect, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from teilhabe.api.problems import NotFound
from teilhabe.auth.principal import Principal

ModelT = TypeVar("ModelT")
# Any SELECT, whatever its columns (SQLAlchemy types them as a variadic tuple).
QueryT = TypeVar("QueryT", bound="Select[*tuple[Any, ...]]")

# True: everything; False: nothing; a condition: the rows it admits.
ScopeRule = Callable[[Principal], ColumnElement[bool] | bool]


class RecordScope(Generic[ModelT]):
    """Who may see which rows of `model`, as a condition built from the principal."""

    def __init__(
        self,
        model: type[ModelT],
        *,
        resource: str,
        rule: ScopeRule,
        load_with: Sequence[ORMOption] = (),
    ) -> None:
        self.model = model
        self.resource = resource
        self._rule = rule
        # How one record by id loads what always comes with it (e.g. a joined load of a
        # collection: one round trip where the model's default loader takes two).
        self.load_with = tuple(load_with)
        [self._id_column] = inspect(model).primary_key

    def where(self, principal: Principal) -> ColumnElement[bool]:
        admitted = self._rule(principal)
        if isinstance(admitted, bool):
            return true() if admitted else false()
        return admitted

    def apply(self, query: QueryT, principal: Principal) -> QueryT:
        """`query` narrowed to what `principal` may see."""
        return query.where(self.where(principal))

    def select(self, principal: Principal) -> Select[ModelT]:
        return select(self.model).where(self.where(principal))

    async def get(
        self,
        session: AsyncSession,
        principal: Principal,
        record_id: uuid.UUID | str,
        *,
        for_update: bool = False,
    ) -> ModelT:
        return await get_in_scope(session, self, principal, record_id, for_update=for_update)

    def __repr__(self) -> str:
        return f"RecordScope({self.resource})"


async def get_in_scope(
    session: AsyncSession,
    scope: RecordScope[ModelT],
    principal: Principal,
    record_id: uuid.UUID | str,
    *,
    for_update: bool = False,
) -> ModelT:
    """The record `record_id` if `principal` may see it; `NotFound` otherwise.

    Out of scope and missing answer alike, so that probing ids tells nothing.
    """
    query = scope.select(principal).where(scope._id_column == record_id)
    if scope.load_with:
        query = query.options(*scope.load_with)
    if for_update:
        query = query.with_for_update(of=scope.model).execution_options(populate_existing=True)
    # unique(): a joined collection repeats the record once per row.
    record = (await session.execute(query)).unique().scalar_one_or_none()
    if record is None:
        raise NotFound(scope.resource)
    return record


class ScopeDeclaration:
    """Dependency naming the scopes a route's use case applies (what route checks look for)."""

    def __init__(self, scopes: tuple[RecordScope[Any], ...]) -> None:
        self.declared_scopes = scopes

    async def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"ScopeDeclaration({', '.join(scope.resource for scope in self.declared_scopes)})"


def applies_scope(*scopes: RecordScope[Any]) -> Any:
    """Declare on a route that its use case loads records through `scopes`.

    Use as `@router.get("/{household_id}", dependencies=[applies_scope(HOUSEHOLDS)])`.
    """
    if not scopes:
        raise ValueError("applies_scope needs at least one scope")
    return Depends(ScopeDeclaration(scopes))
