"""The two database roles of a service: the owner that migrates, the app that runs.

`<service>_owner` owns every table and runs the migrations; `<service>_app` is what the
API, relay and consumer connect as. The app role may read and write the service's own
tables but only INSERT and SELECT the audit trail: not being the owner, it can neither
ALTER the table nor disable its trigger. The grants are applied by the migrate step after
every upgrade, so tables a later migration adds are covered without default privileges.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url

from teilhabe.audit import AUDIT_TABLE
from teilhabe.db import asyncpg_dsn


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def role_of(database_url: str) -> str | None:
    return make_url(database_url).username


def app_privileges_sql(app_role: str) -> list[str]:
    app = quote_identifier(app_role)
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {app}",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {app}",
        f"REVOKE ALL ON alembic_version FROM {app}",
        f"GRANT SELECT ON alembic_version TO {app}",
    ]


async def grant_app_privileges(migration_url: str, app_url: str) -> bool:
    """Give the app role of `app_url` its privileges; False when both URLs use one role."""
    owner, app = role_of(migration_url), role_of(app_url)
    if app is None or owner == app:
        return False
    connection = await asyncpg.connect(asyncpg_dsn(migration_url))
    try:
        async with connection.transaction():
            for statement in app_privileges_sql(app):
                await connection.execute(statement)
    finally:
        await connection.close()
    return True


@dataclass(frozen=True)
class LoginRole:
    name: str
    password: str


async def create_service_roles(
    admin_url: str, database: str, owner: LoginRole, app: LoginRole
) -> None:
    """Create a service's two roles (or set their passwords), and give the owner its database.

    What `make up` does for each service, and what operations do once per service in
    production. `admin_url` is any database of the server, as a superuser or as a role
    with CREATEROLE and CREATEDB. A database made before the roles existed is handed to
    the owner role with everything the migrations created in it.
    """
    admin = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        for role in (owner, app):
            exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role.name)
            verb = "ALTER" if exists else "CREATE"
            password = role.password.replace("'", "''")
            await admin.execute(
                f"{verb} ROLE {quote_identifier(role.name)} LOGIN PASSWORD '{password}'"
            )
        owner_role = quote_identifier(owner.name)
        # CREATE or ALTER DATABASE ... OWNER wants the caller to be a member of the owner.
        await admin.execute(f"GRANT {owner_role} TO CURRENT_USER")
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        verb = "ALTER" if exists else "CREATE"
        clause = "OWNER TO" if exists else "OWNER"
        await admin.execute(f"{verb} DATABASE {quote_identifier(database)} {clause} {owner_role}")
    finally:
        await admin.close()
    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    await _hand_objects_to(url, owner.name)


# Objects of the public schema the owner role must own to migrate them further.
_OBJECTS_NOT_OWNED_BY = """
SELECT 'TABLE ' || quote_ident(c.relname) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
    AND pg_get_userbyid(c.relowner) <> $1
UNION ALL
SELECT 'TYPE ' || quote_ident(t.typname) FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = 'public' AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> $1
UNION ALL
SELECT 'FUNCTION ' || p.oid::regprocedure::text FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1
"""


async def _hand_objects_to(database_url: str, owner: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with connection.transaction():
            for (what,) in await connection.fetch(_OBJECTS_NOT_OWNED_BY, owner):
                await connection.execute(f"ALTER {what} OWNER TO {quote_identifier(owner)}")
    finally:
        await connection.close()
