"""The yardstick of the request-path benchmark: a minimal FastAPI + asyncpg app.

It does the same writes and reads as intake's endpoints on a database with intake's
schema (household, members, an outbox row and audit rows in one transaction), but
nothing else: no token check, no validation beyond JSON, no ORM. What intake costs
beyond it is what its safeguards and conveniences cost.

Run by tests/benchmarks/request.py: uvicorn tests.benchmarks.minimal_app:create_app --factory
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

INSERT_HOUSEHOLD = """
INSERT INTO household (id, allocation_notice_number, allocated_on, allocating_authority,
    expected_arrival_on, needs_accessible_housing, housing_status)
VALUES ($1, $2, $3::text::date, $4, $5::text::date, $6, 'awaiting')
RETURNING created_at"""
INSERT_MEMBERS = """
INSERT INTO member (id, household_id, position, given_name, family_name, date_of_birth, sex,
    nationality, languages, residence_status, residence_status_expires_on, special_needs)
SELECT m.id, $1, m.position, m.given_name, m.family_name, m.date_of_birth::date,
    m.sex::sex, m.nationality, string_to_array(m.languages, ','),
    m.residence_status::residence_status, m.expires::date, m.special_needs
FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[])
    AS m(id, position, given_name, family_name, date_of_birth, sex, nationality, languages,
         residence_status, expires, special_needs)"""
INSERT_OUTBOX = "INSERT INTO outbox_message (event_id, event_type, body) VALUES ($1, $2, $3)"
NOTIFY = "SELECT pg_notify('teilhabe_outbox', '')"
INSERT_AUDIT = """
INSERT INTO audit_entry (actor, actor_roles, action, resource_type, resource_id)
SELECT 'minimal', ARRAY['caseworker'], $1, 'household', unnest($2::text[])"""
SELECT_HOUSEHOLD = "SELECT * FROM household WHERE id = $1"
SELECT_MEMBERS = "SELECT * FROM member WHERE household_id = ANY($1::uuid[]) ORDER BY position"
COUNT = "SELECT count(*) FROM household WHERE housing_status = $1"
PAGE = """
SELECT * FROM household WHERE housing_status = $1
ORDER BY allocated_on DESC, id LIMIT $2 OFFSET $3"""

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html><html lang="de"><head><title>Haushalte</title></head><body><main>
<h1>Haushalte ({{ total }})</h1><table><thead><tr><th>Bescheid</th><th>Haushaltsvorstand</th>
<th>Zugewiesen am</th><th>Personen</th><th>Wohnen</th></tr></thead><tbody>
{% for h in households %}<tr><td><a href="/ui/haushalte/{{ h.id }}">
{{ h.allocation_notice_number }}</a></td><td>{{ h.head }}</td>
<td>{{ h.allocated_on.strftime("%d.%m.%Y") }}</td><td>{{ h.members }}</td>
<td>{{ h.housing_status }}</td></tr>{% endfor %}</tbody></table></main></body></html>"""
)


def _json(value: Any) -> Response:
    return Response(json.dumps(value, default=str), media_type="application/json")


def create_app() -> FastAPI:
    dsn = os.environ["MINIMAL_DSN"]
    pool: asyncpg.Pool | None = None

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/households", status_code=201)
    async def register(request: Request) -> Response:
        body = await request.json()
        household_id = uuid.uuid4()
        members = body["members"]
        member_ids = [uuid.uuid4() for _ in members]
        assert pool is not None
        async with pool.acquire() as connection, connection.transaction():
            created_at = await connection.fetchval(
                INSERT_HOUSEHOLD,
                household_id,
                body["allocation_notice_number"],
                body["allocated_on"],
                body["allocating_authority"],
                body.get("expected_arrival_on"),
                body.get("needs_accessible_housing", False),
            )
            await connection.execute(
                INSERT_MEMBERS,
                household_id,
                member_ids,
                list(range(len(members))),
                *(
                    [m.get(key) for m in members]
                    for key in ("given_name", "family_name", "date_of_birth", "sex")
                ),
                [m["nationality"] for m in members],
                [",".join(m.get("languages", [])) for m in members],
                [m["residence_status"] for m in members],
                [m.get("residence_status_expires_on") for m in members],
                [m.get("special_needs") for m in members],
            )
            event_id = uuid.uuid4()
            event = {
                "specversion": "1.0",
                "id": str(event_id),
                "type": "household.assigned",
                "source": "/minimal",
                "data": {
                    "household_id": str(household_id),
                    "member_count": len(members),
                    "members": [{"member_id": str(i)} for i in member_ids],
                },
            }
            await connection.execute(
                INSERT_OUTBOX, str(event_id), "household.assigned", json.dumps(event).encode()
            )
            await connection.execute(NOTIFY)
            await connection.execute(INSERT_AUDIT, "create", [str(household_id)])
        answer = {
            **body,
            "id": household_id,
            "created_at": created_at,
            "members": [{**m, "id": i} for m, i in zip(members, member_ids, strict=True)],
        }
        return Response(
            json.dumps(answer, default=str), status_code=201, media_type="application/json"
        )

    @app.get("/households/{household_id}")
    async def read(household_id: uuid.UUID) -> Response:
        assert pool is not None
        async with pool.acquire() as connection, connection.transaction():
            household = await connection.fetchrow(SELECT_HOUSEHOLD, household_id)
            if household is None:
                return _json({"detail": "not found"})
            members = await connection.fetch(SELECT_MEMBERS, [household_id])
            await connection.execute(INSERT_AUDIT, "read", [str(household_id)])
        return _json({**dict(household), "members": [dict(m) for m in members]})

    async def page_of(status: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        assert pool is not None
        async with pool.acquire() as connection, connection.transaction():
            total = await connection.fetchval(COUNT, status)
            rows = await connection.fetch(PAGE, status, limit, offset)
            ids = [row["id"] for row in rows]
            members = await connection.fetch(SELECT_MEMBERS, ids)
            await connection.execute(INSERT_AUDIT, "list", [str(i) for i in ids])
        by_household: dict[uuid.UUID, list[Any]] = {}
        for member in members:
            by_household.setdefault(member["household_id"], []).append(member)
        return total, [
            {
                **dict(row),
                "members": len(by_household.get(row["id"], [])),
                "head": "{family_name}, {given_name}".format(**by_household[row["id"]][0]),
            }
            for row in rows
        ]

    @app.get("/households")
    async def listing(housing_status: str, limit: int = 50, offset: int = 0) -> Response:
        total, rows = await page_of(housing_status, limit, offset)
        items = [
            {
                "id": row["id"],
                "allocation_notice_number": row["allocation_notice_number"],
                "allocated_on": row["allocated_on"],
                "expected_arrival_on": row["expected_arrival_on"],
                "caseworker_id": row["caseworker_id"],
                "housing_status": row["housing_status"],
                "member_count": row["members"],
                "head_of_household": row["head"],
            }
            for row in rows
        ]
        return _json({"items": items, "total": total, "limit": limit, "offset": offset})

    @app.get("/ui/")
    async def page(status: str = "awaiting") -> HTMLResponse:
        total, rows = await page_of(status, 25, 0)
        return HTMLResponse(TEMPLATE.render(total=total, households=rows))

    return app
