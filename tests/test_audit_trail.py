"""The audit trail cannot be rewritten by the service, and a superuser's rewrite is found."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from intake.main import SERVICE as INTAKE
from intake.models import audit_log
from sqlalchemy.engine import make_url
from teilhabe.audit import record_access
from teilhabe.audit.chain import key_bytes
from teilhabe.audit.verify import ChainReport, verify_chain
from teilhabe.auth import Principal, Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe_dev.testing.apps import migrated_service_database
from teilhabe_dev.testing.infrastructure import Infrastructure, ServiceDatabase

from .support import SERVICES

KEY = "k" * 40
ANNA = Principal(subject="anna", roles=frozenset({Role.CASEWORKER}))

FORBIDDEN = {
    "UPDATE": "UPDATE audit_entry SET actor = 'someone else'",
    "DELETE": "DELETE FROM audit_entry",
    "TRUNCATE": "TRUNCATE audit_entry",
    "ALTER": "ALTER TABLE audit_entry ADD COLUMN note text",
    "DISABLE TRIGGER": "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
    "DROP": "DROP TABLE audit_entry",
    "replica mode (skips triggers)": "SET session_replication_role = replica",
}


@pytest.fixture
async def intake_database(infra: Infrastructure) -> AsyncIterator[ServiceDatabase]:
    async with migrated_service_database(infra, INTAKE) as database:
        yield database


async def append(app_url: str, *resource_ids: str, principal: Principal = ANNA) -> None:
    engine = create_engine(app_url, pool_size=1)
    try:
        sessions = create_session_factory(engine, audit_key=KEY)
        async with sessions() as session, session.begin():
            await record_access(
                session,
                audit_log,
                principal,
                action="read",
                resource_type="household",
                resource_ids=resource_ids,
            )
    finally:
        await engine.dispose()


async def verify(database: ServiceDatabase) -> ChainReport:
    connection = await asyncpg.connect(asyncpg_dsn(database.app_url))
    try:
        return await verify_chain(connection, key_bytes(KEY))
    finally:
        await connection.close()


def verify_command(database: ServiceDatabase) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "teilhabe-intake"
    env = {**os.environ, "DATABASE_URL": database.app_url, "AUDIT_KEY": KEY, "LOG_JSON": "false"}
    return subprocess.run(
        [str(script), "audit", "verify"], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("name", list(SERVICES))
async def test_the_service_role_can_only_add_and_read_audit_entries(
    infra: Infrastructure, name: str
) -> None:
    async with migrated_service_database(infra, SERVICES[name]) as database:
        app = await asyncpg.connect(asyncpg_dsn(database.app_url))
        try:
            await app.execute(
                "INSERT INTO audit_entry (actor, actor_roles, action, resource_type, resource_id)"
                " VALUES ('anna', '{caseworker}', 'read', 'household', 'h-1')"
            )
            assert await app.fetchval("SELECT count(*) FROM audit_entry") == 1
            refused = []
            for what, statement in FORBIDDEN.items():
                try:
                    await app.execute(statement)
                except asyncpg.InsufficientPrivilegeError:
                    refused.append(what)
            assert refused == list(FORBIDDEN)
            assert await app.fetchval("SELECT actor FROM audit_entry") == "anna"
        finally:
            await app.close()


async def test_verify_names_the_entry_a_superuser_changed(
    infra: Infrastructure, intake_database: ServiceDatabase
) -> None:
    await append(intake_database.app_url, "h-1", "h-2", "h-3")
    intact = await verify(intake_database)
    assert (intact.broken, intact.checked) == (None, 3)

    superuser = await asyncpg.connect(asyncpg_dsn(infra.database_url(intake_database.name)))
    try:
        second = await superuser.fetchval("SELECT id FROM audit_entry ORDER BY id OFFSET 1")
        async with superuser.transaction():
            await superuser.execute("SET LOCAL session_replication_role = replica")
            await superuser.execute(
                "UPDATE audit_entry SET resource_id = 'h-9' WHERE id = $1", second
            )
    finally:
        await superuser.close()

    broken = verify_command(intake_database)
    assert broken.returncode == 1
    assert f"broken at entry {second}: its content" in broken.stdout


async def test_verify_names_the_entry_after_one_a_superuser_deleted(
    infra: Infrastructure, intake_database: ServiceDatabase
) -> None:
    await append(intake_database.app_url, "h-1", "h-2", "h-3")
    superuser = await asyncpg.connect(asyncpg_dsn(infra.database_url(intake_database.name)))
    try:
        ids = [row["id"] for row in await superuser.fetch("SELECT id FROM audit_entry ORDER BY id")]
        async with superuser.transaction():
            await superuser.execute("SET LOCAL session_replication_role = replica")
            await superuser.execute("DELETE FROM audit_entry WHERE id = $1", ids[1])
    finally:
        await superuser.close()

    broken = (await verify(intake_database)).broken
    assert broken is not None
    assert broken.entry_id == ids[2]
    assert "an entry before it was removed" in broken.what


async def test_two_concurrent_writers_keep_one_unbroken_chain(
    intake_database: ServiceDatabase,
) -> None:
    engine = create_engine(intake_database.app_url, pool_size=2)
    sessions = create_session_factory(engine, audit_key=KEY)

    async def writer(actor: str) -> None:
        principal = Principal(subject=actor, roles=frozenset({Role.CASEWORKER}))
        for index in range(40):
            async with sessions() as session, session.begin():
                await record_access(
                    session,
                    audit_log,
                    principal,
                    action="read",
                    resource_type="household",
                    resource_ids=[f"{actor}-{index}-a", f"{actor}-{index}-b"],
                )
                await asyncio.sleep(0)  # let the other writer in before this commits

    try:
        await asyncio.gather(writer("anna"), writer("ben"))
    finally:
        await engine.dispose()
    report = await verify(intake_database)
    assert report.broken is None
    assert report.checked == 160


async def test_the_roles_need_no_superuser_only_createrole_and_createdb(
    infra: Infrastructure,
) -> None:
    creator, password = f"{infra.run_id}_creator", secrets.token_hex(12)
    admin = await asyncpg.connect(asyncpg_dsn(infra.postgres_url))
    await admin.execute(f"CREATE ROLE {creator} LOGIN CREATEROLE CREATEDB PASSWORD '{password}'")
    try:
        url = make_url(infra.postgres_url).set(username=creator, password=password)
        limited = Infrastructure(
            url.render_as_string(hide_password=False),
            infra.amqp_url,
            infra.rabbitmqctl,
            f"{infra.run_id}c",
        )
        async with migrated_service_database(limited, INTAKE) as database:
            await append(database.app_url, "h-1")
            app = await asyncpg.connect(asyncpg_dsn(database.app_url))
            try:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await app.execute(FORBIDDEN["DELETE"])
            finally:
                await app.close()
        assert await limited.drop_roles() == []
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {creator}")
        await admin.close()
