"""Where the test run's PostgreSQL and RabbitMQ are, and how to carve out isolated parts."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from sqlalchemy.engine import make_url
from teilhabe.db import asyncpg_dsn
from teilhabe.db_roles import LoginRole, quote_identifier
from teilhabe.messaging.access import BrokerUser
from teilhabe.messaging.setup import grant

POSTGRES_ENV = "TEILHABE_TEST_POSTGRES_URL"
AMQP_ENV = "TEILHABE_TEST_AMQP_URL"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
AUDIT_KEY_ENV = "AUDIT_KEY"
TEST_AGENCIES = ["jobcenter-kreis-coesfeld", "jc-test", "traeger-test", "jobcenter-matrix"]


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's database as its owner role (migrations) and its app role (processes)."""

    name: str
    owner_url: str
    app_url: str


@dataclass(frozen=True)
class Infrastructure:
    postgres_url: str  # SQLAlchemy URL of a database from which others can be created
    amqp_url: str  # URL of the default virtual host
    rabbitmqctl: Callable[[list[str]], None]
    run_id: str
    # The run's own database roles, by name: created on first use, dropped at the end.
    roles: dict[str, LoginRole] = field(default_factory=dict)

    def database_url(self, name: str, role: LoginRole | None = None) -> str:
        url = make_url(self.postgres_url).set(database=name)
        if role is not None:
            url = url.set(username=role.name, password=role.password)
        return url.render_as_string(hide_password=False)

    async def create_service_database(self, service: str) -> ServiceDatabase:
        """A fresh database owned by the run's `<service>_owner` role, beside its app role.

        Works where the run's PostgreSQL user is not a superuser but has CREATEROLE and
        CREATEDB: it makes itself a member of the owner role to create the database.
        """
        name = self.unique_name(service)
        admin = await asyncpg.connect(asyncpg_dsn(self.postgres_url))
        try:
            owner = await self._login_role(admin, f"{self.run_id}_{service}_owner")
            app = await self._login_role(admin, f"{self.run_id}_{service}_app")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}" OWNER {quote_identifier(owner.name)}')
        finally:
            await admin.close()
        return ServiceDatabase(name, self.database_url(name, owner), self.database_url(name, app))

    async def _login_role(self, admin: asyncpg.Connection, name: str) -> LoginRole:
        role = self.roles.get(name)
        if role is None:
            role = LoginRole(name, secrets.token_hex(16))
            quoted = quote_identifier(name)
            await admin.execute(f"CREATE ROLE {quoted} LOGIN PASSWORD '{role.password}'")
            await admin.execute(f"GRANT {quoted} TO CURRENT_USER")
            self.roles[name] = role
        return role

    async def drop_roles(self) -> list[str]:
        """Drop the run's roles; the names of those that could not be dropped."""
        left: list[str] = []
        admin = await asyncpg.connect(asyncpg_dsn(self.postgres_url))
        try:
            for name in sorted(self.roles, key=lambda role: role.endswith("_owner")):
                try:
                    await admin.execute(f"DROP ROLE IF EXISTS {quote_identifier(name)}")
                except asyncpg.PostgresError:
                    left.append(name)  # something of it outlived the run (a leaked database)
        finally:
            await admin.close()
        self.roles.clear()
        return left

    def vhost_url(self, vhost: str) -> str:
        parts = urlsplit(self.amqp_url)
        return urlunsplit(parts._replace(path="/" + quote(vhost, safe="")))

    async def create_database(self, name: str) -> str:
        admin = await asyncpg.connect(asyncpg_dsn(self.postgres_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return self.database_url(name)

    async def drop_database(self, name: str) -> None:
        admin = await asyncpg.connect(asyncpg_dsn(self.postgres_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    def create_vhost(self, name: str) -> str:
        self.rabbitmqctl(["add_vhost", name])
        user = urlsplit(self.amqp_url).username or "guest"
        self.rabbitmqctl(["set_permissions", "-p", name, user, ".*", ".*", ".*"])
        return self.vhost_url(name)

    def delete_vhost(self, name: str) -> None:
        self.rabbitmqctl(["delete_vhost", name])

    def grant_broker_user(self, vhost: str, user: BrokerUser) -> str:
        """Create `user` (a fresh password) with its permissions in `vhost`; its AMQP URL."""
        password = secrets.token_urlsafe(16)
        grant(self.rabbitmqctl, vhost, user, password)
        parts = urlsplit(self.vhost_url(vhost))
        netloc = f"{quote(user.name, safe='')}:{password}@{parts.hostname}:{parts.port or 5672}"
        return urlunsplit(parts._replace(netloc=netloc))

    def delete_broker_user(self, name: str) -> None:
        self.rabbitmqctl(["delete_user", name])

    def unique_name(self, label: str) -> str:
        return f"{self.run_id}_{label}_{uuid.uuid4().hex[:6]}"


@contextmanager
def provision() -> Iterator[Infrastructure]:
    """The run's infrastructure: from the environment, local defaults, or testcontainers."""
    run_id = f"t{uuid.uuid4().hex[:8]}"
    # Every process of the run seals its audit trail with a key of the run's own.
    os.environ.setdefault(AUDIT_KEY_ENV, secrets.token_hex(32))
    # The tests' webhook receivers listen on this machine, on plain http.
    os.environ.setdefault("WEBHOOK_ALLOW_PLAIN_HTTP", "true")
    # The partner agencies the suites' consents name (intake refuses any other).
    os.environ.setdefault("CONSENT_AGENCIES", json.dumps(TEST_AGENCIES))
    postgres = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    amqp = os.environ.get(AMQP_ENV, DEFAULT_AMQP)
    if answers(postgres) and answers(amqp):
        with _dropping_roles(Infrastructure(postgres, amqp, _local_rabbitmqctl, run_id)) as infra:
            yield infra
        return
    if not docker_engine():
        raise RuntimeError(
            f"no PostgreSQL at {postgres} or no RabbitMQ at {amqp}, and no Docker engine to start "
            f"them: start both, or set {POSTGRES_ENV} and {AMQP_ENV}"
        )
    with started_containers() as containers:
        yield Infrastructure(
            containers.postgres_url, containers.amqp_url, containers.rabbitmqctl, run_id
        )


@contextmanager
def _dropping_roles(infra: Infrastructure) -> Iterator[Infrastructure]:
    try:
        yield infra
    finally:
        if infra.roles:
            _run_in_thread(infra.drop_roles())


def _run_in_thread(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run `coroutine` to its end from sync code, even where an event loop is running."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return result[0] if result else None


def answers(url: str) -> bool:
    """Whether something listens where `url` points (PostgreSQL or AMQP)."""
    parts = urlsplit(url.replace("postgresql+asyncpg", "postgresql"))
    default_port = 5432 if parts.scheme.startswith("postgres") else 5672
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


AMQP_PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"


def broker_answers(url: str, timeout: float = 15.0) -> bool:
    """Whether the broker at `url` opens an AMQP handshake (sends connection.start) in time.

    A node can accept TCP and still not speak: a stalled broker is told apart from a slow
    test only by asking it to begin a connection.
    """
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 5672), timeout
        ) as connection:
            connection.settimeout(timeout)
            connection.sendall(AMQP_PROTOCOL_HEADER)
            frame = connection.recv(7)
    except OSError:
        return False
    return len(frame) == 7 and frame[0] == 1  # a method frame on channel 0


def docker_engine() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "info"], capture_output=True, check=False).returncode == 0  # noqa: S603


def _local_rabbitmqctl(args: list[str]) -> None:
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise RuntimeError("rabbitmqctl is needed to create a virtual host per test run")
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)  # noqa: S603


@dataclass(frozen=True)
class Containers:
    postgres_url: str  # SQLAlchemy URL of the container's `test` database
    amqp_url: str
    rabbitmqctl: Callable[[list[str]], None]


@contextmanager
def started_containers() -> Iterator[Containers]:
    """PostgreSQL and RabbitMQ in containers, for a laptop with a Docker engine."""
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    with (
        PostgresContainer("postgres:15-alpine", driver="asyncpg") as pg,
        RabbitMqContainer("rabbitmq:3.13-management-alpine") as mq,
    ):
        amqp = f"amqp://guest:guest@{mq.get_container_host_ip()}:{mq.get_exposed_port(5672)}/"

        def ctl(args: list[str]) -> None:
            mq.exec(["rabbitmqctl", "-q", *args])

        yield Containers(pg.get_connection_url(), amqp, ctl)
