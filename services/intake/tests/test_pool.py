"""A process whose database connections are all busy refuses with 503, never 500."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
from intake.main import SERVICE
from sqlalchemy.engine import make_url
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.apps import app_client
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.ui import sign_in, tool_client


def allocation() -> dict[str, Any]:
    return {
        "allocation_notice_number": f"BRA-2026-{uuid.uuid4().hex[:8]}",
        "allocated_on": "2026-11-20",
        "allocating_authority": "Bezirksregierung Arnsberg",
        "members": [
            {
                "given_name": "Amina",
                "family_name": "Haddad",
                "date_of_birth": "1988-03-14",
                "sex": "female",
                "nationality": "SYR",
                "residence_status": "aufenthaltsgestattung",
                "residence_status_expires_on": "2027-05-20",
            }
        ],
    }


async def exhausted_count(client: httpx.AsyncClient) -> float:
    metrics = await client.get("/metrics")
    for line in metrics.text.splitlines():
        if line.startswith('teilhabe_database_pool_exhausted_total{service="intake"}'):
            return float(line.split()[-1])
    return 0.0


def one_connection(database: str, infra: Infrastructure) -> dict[str, str]:
    """A process that may hold one connection and waits half a second for it."""
    return {
        "DATABASE_URL": database,
        "AMQP_URL": infra.amqp_url,
        "DATABASE_POOL_SIZE": "1",
        "DATABASE_POOL_TIMEOUT_SECONDS": "0.5",
    }


async def test_exhausted_pool_answers_503_with_retry_after(
    intake_database: str, infra: Infrastructure, identity: RunningDevProvider
) -> None:
    env = one_connection(intake_database, infra)
    headers = auth_headers(identity, Role.CASEWORKER)
    async with app_client(SERVICE, env=env, identity=identity) as intake:
        created = await intake.post("/households", json=allocation(), headers=headers)
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]
        counted_before = await exhausted_count(intake)
        # Someone else holds the household's row: the first request waits for it while
        # holding the pool's only connection; the second finds no connection free.
        holder = await asyncpg.connect(asyncpg_dsn(intake_database))
        holding = holder.transaction()
        await holding.start()
        await holder.execute("SELECT 1 FROM household WHERE id = $1 FOR UPDATE", household_id)
        try:
            first = asyncio.create_task(
                intake.put(
                    f"/households/{household_id}/caseworker",
                    json={"caseworker_id": "cw-anna"},
                    headers=headers,
                )
            )
            for _ in range(100):
                waiting = await holder.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if waiting:
                    break
                await asyncio.sleep(0.05)
            assert waiting, "the first request never reached the locked row"

            second = await intake.get(f"/households/{household_id}", headers=headers)
        finally:
            await holding.rollback()
            await holder.close()

        assert second.status_code == 503, second.text
        assert second.headers["retry-after"] == "2"
        assert second.headers["content-type"] == "application/problem+json"
        problem = second.json()
        assert problem["status"] == 503
        assert problem["type"] == "urn:teilhabe:problem:database-busy"
        assert (await first).status_code == 200  # the one holding the connection goes on
        assert await exhausted_count(intake) == counted_before + 1


async def test_exhausted_pool_answers_a_staff_page_503_while_reading_or_writing_the_session(
    intake_database: str, infra: Infrastructure, identity: RunningDevProvider
) -> None:
    # The staff session is read before the pages run and written as the response starts,
    # both outside the pages' own exception handlers.
    env = one_connection(intake_database, infra)
    async with (
        app_client(SERVICE, env=env, identity=identity) as intake,
        tool_client(intake.app) as signed_in,  # type: ignore[attr-defined]
        tool_client(intake.app) as stranger,  # type: ignore[attr-defined]
    ):
        await sign_in(signed_in, subject="cw-anna", roles=[Role.CASEWORKER])
        counted_before = await exhausted_count(intake)
        async with intake.app.state.sessions() as held:  # type: ignore[attr-defined]
            await held.connection()  # the pool's only connection
            # Reading: the signed-in person's session is in the database.
            reading = await signed_in.get("/ui/")
            # Writing: a sign-in begun must be remembered for the provider's answer.
            writing = await stranger.get("/ui/anmelden", params={"next": "/ui/"})

        for answer in (reading, writing):
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "2"
            assert answer.headers["content-type"].startswith("text/html")
            assert answer.headers["content-language"] == "de"
            assert "Vorübergehend nicht erreichbar" in answer.text
            assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert "set-cookie" not in writing.headers  # no session was begun
        assert await exhausted_count(intake) == counted_before + 2
        # With a connection free again, the same session goes on.
        assert (await signed_in.get("/ui/")).status_code == 200


async def test_a_server_that_takes_no_connection_answers_503_not_500(
    intake_database: str, infra: Infrastructure, identity: RunningDevProvider
) -> None:
    # The server refuses this role any connection, as it refuses everyone once its
    # connection slots are full ("too many connections", SQLSTATE 53300).
    role = f"{infra.run_id}_intake_refused"
    password = uuid.uuid4().hex
    admin = await asyncpg.connect(asyncpg_dsn(infra.postgres_url))
    await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}' CONNECTION LIMIT 0")
    try:
        refused_url = (
            make_url(intake_database)
            .set(username=role, password=password)
            .render_as_string(hide_password=False)
        )
        env = {**one_connection(intake_database, infra), "DATABASE_URL": refused_url}
        async with app_client(SERVICE, env=env, identity=identity) as intake:
            counted_before = await exhausted_count(intake)
            answer = await intake.post(
                "/households", json=allocation(), headers=auth_headers(identity, Role.CASEWORKER)
            )
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "2"
            assert answer.json()["type"] == "urn:teilhabe:problem:database-busy"

            async with tool_client(intake.app) as stranger:  # type: ignore[attr-defined]
                # Beginning a sign-in writes the session: refused as a page, not a 500.
                page = await stranger.get("/ui/anmelden", params={"next": "/ui/"})
            assert page.status_code == 503, page.text
            assert "Vorübergehend nicht erreichbar" in page.text
            assert await exhausted_count(intake) == counted_before + 2
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()
