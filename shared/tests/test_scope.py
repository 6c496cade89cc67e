"""Need to know in the query: a shared scope on a real PostgreSQL table."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import ColumnElement, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from teilhabe.api.problems import NotFound
from teilhabe.auth import Principal, Role
from teilhabe.db import create_engine
from teilhabe.scope import RecordScope, applies_scope, get_in_scope
from teilhabe_dev.testing.auth import routes_without_declared_scope
from teilhabe_dev.testing.infrastructure import Infrastructure


class Base(DeclarativeBase):
    pass


class Case(Base):
    __tablename__ = "scoped_case"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    team: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(50))


def cases_rule(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(Role.TEAM_LEAD):
        return True
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    return Case.team.in_(principal.teams)


CASES = RecordScope(Case, resource="case", rule=cases_rule)
NORTH = Principal(subject="anna", roles=frozenset({Role.CASEWORKER}), teams=frozenset({"Nord"}))
SOUTH = Principal(subject="bernd", roles=frozenset({Role.CASEWORKER}), teams=frozenset({"Süd"}))
LEAD = Principal(subject="lea", roles=frozenset({Role.CASEWORKER, Role.TEAM_LEAD}))
ADMIN = Principal(subject="root", roles=frozenset({Role.ADMIN}))


@pytest.fixture(scope="module")
async def session(infra: Infrastructure) -> AsyncIterator[AsyncSession]:
    name = infra.unique_name("scope")
    url = await infra.create_database(name)
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine, expire_on_commit=False)() as opened:
        opened.add_all(
            [
                Case(id=NORTH_CASE, team="Nord", name="Haddad"),
                Case(team="Nord", name="Petrenko"),
                Case(id=SOUTH_CASE, team="Süd", name="Haddad"),
            ]
        )
        await opened.commit()
        yield opened
    await engine.dispose()
    await infra.drop_database(name)


NORTH_CASE = uuid.uuid4()
SOUTH_CASE = uuid.uuid4()


async def test_a_record_out_of_scope_is_not_found_like_a_missing_one(
    session: AsyncSession,
) -> None:
    assert (await get_in_scope(session, CASES, NORTH, NORTH_CASE)).name == "Haddad"
    assert (await CASES.get(session, LEAD, SOUTH_CASE, for_update=True)).team == "Süd"
    for principal, record_id in [(SOUTH, NORTH_CASE), (ADMIN, NORTH_CASE), (NORTH, uuid.uuid4())]:
        with pytest.raises(NotFound) as refused:
            await get_in_scope(session, CASES, principal, record_id)
        assert refused.value.status == 404
        assert refused.value.detail == "case not found"
    await session.rollback()


async def test_lists_searches_and_counts_are_filtered_in_the_query(session: AsyncSession) -> None:
    search = select(Case.team).where(Case.name == "Haddad")
    assert set(await session.scalars(CASES.apply(search, NORTH))) == {"Nord"}
    assert set(await session.scalars(CASES.apply(search, LEAD))) == {"Nord", "Süd"}
    assert list(await session.scalars(CASES.apply(search, ADMIN))) == []
    count = select(func.count()).select_from(Case)
    assert await session.scalar(CASES.apply(count, NORTH)) == 2
    assert await session.scalar(CASES.apply(count, SOUTH)) == 1
    assert len(list(await session.scalars(CASES.select(LEAD)))) == 3


def test_a_route_with_a_record_id_must_declare_its_scope() -> None:
    app = FastAPI()
    router = APIRouter(prefix="/cases")

    @router.get("/{case_id}", dependencies=[applies_scope(CASES)])
    async def read(case_id: uuid.UUID) -> None:
        return None

    @router.put("/{case_id}/name")
    async def rename(case_id: uuid.UUID) -> None:
        return None

    @router.get("")
    async def listing() -> None:
        return None

    app.include_router(router)
    assert routes_without_declared_scope(app) == ["PUT /cases/{case_id}/name"]
