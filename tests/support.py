"""Support for cross-service tests and benchmarks: the services as real processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from courses.main import SERVICE as COURSES
from housing.main import SERVICE as HOUSING
from intake.main import SERVICE as INTAKE
from notifications.main import SERVICE as NOTIFICATIONS
from prometheus_client.parser import text_string_to_metric_families
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.messaging.access import service_user
from teilhabe.messaging.policies import set_policies
from teilhabe.messaging.setup import EXCHANGE, declare_topology
from teilhabe.migrations import upgrade
from teilhabe.runtime import ServiceDefinition
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers, oidc_env
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.processes import ServiceProcess
from volunteers.main import SERVICE as VOLUNTEERS

SERVICES: dict[str, ServiceDefinition] = {
    service.name: service for service in (INTAKE, HOUSING, COURSES, VOLUNTEERS, NOTIFICATIONS)
}


@dataclass
class System:
    infra: Infrastructure
    identity: RunningDevProvider
    amqp_url: str  # the administrator's, for what a test does on the broker itself
    log_dir: Path
    databases: dict[str, str] = field(default_factory=dict)
    # Each service's own broker user, allowed only its part (teilhabe.messaging.access).
    service_amqp_urls: dict[str, str] = field(default_factory=dict)
    processes: list[ServiceProcess] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    def start(
        self,
        service: str,
        command: str,
        *,
        amqp_url: str | None = None,
        wait_ready: bool = True,
        env: dict[str, str] | None = None,
    ) -> ServiceProcess:
        process = self.prepare(service, command, amqp_url=amqp_url, env=env)
        self.processes.append(process.start(wait_ready=wait_ready))
        return process

    def prepare(
        self,
        service: str,
        command: str,
        *,
        amqp_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> ServiceProcess:
        """A process of `service`, not started yet (its port is already chosen)."""
        env = {
            "DATABASE_URL": self.databases[service],
            "AMQP_URL": self.service_amqp_url(service, via=amqp_url),
            "AMQP_HEARTBEAT_SECONDS": "5",
            **oidc_env(self.identity),
            **self.extra_env,
            **(env or {}),
        }
        return ServiceProcess(service, command, env, self.log_dir)

    def service_amqp_url(self, service: str, *, via: str | None = None) -> str:
        """`service`'s broker URL; with `via`, at that address (e.g. a proxy) instead."""
        own = urlsplit(self.service_amqp_urls[service])
        if via is None:
            return own.geturl()
        other = urlsplit(via)
        credentials = own.netloc.rpartition("@")[0]
        return urlunsplit(own._replace(netloc=f"{credentials}@{other.netloc.rpartition('@')[2]}"))

    def start_all(
        self, services: list[str], *, ready_timeout: float = 240
    ) -> dict[tuple[str, str], ServiceProcess]:
        """API, relay and consumer of each service, started together, then awaited.

        The APIs are made before any starts, so that each staff tool links to the others.
        """
        prepared = {
            (service, command): self.prepare(service, command)
            for service in services
            for command in ("api", "relay", "consumer")
        }
        apis = [process for (_, command), process in prepared.items() if command == "api"]
        for api in apis:
            api.env["UI_TOOLS"] = ",".join(services)
            for other in apis:
                api.env[f"UI_{other.service.upper()}_URL"] = f"{other.url}/ui/"
        for process in prepared.values():
            self.processes.append(process.start(wait_ready=False))
        for process in prepared.values():
            process.wait_ready(ready_timeout)
        return prepared

    def api(self, service: str) -> ServiceProcess:
        """The running API process of `service`."""
        return self.process(service, "api")

    def process(self, service: str, command: str) -> ServiceProcess:
        """The running `command` process of `service`."""
        return next(p for p in self.processes if p.service == service and p.command == command)

    async def consumed(self, service: str, event_type: str, outcome: str) -> float:
        """How many `event_type` events `service`'s consumer (its own queue, not a second
        consumer in the process) counted with `outcome` (handled, duplicate, retried,
        dead_lettered), from its metrics endpoint."""
        return await metric(
            self.process(service, "consumer"),
            "teilhabe_events_consumed_total",
            service=service,
            queue=service,
            event_type=event_type,
            outcome=outcome,
        )

    def headers(self, role: Role, subject: str = "staff-1") -> dict[str, str]:
        return auth_headers(self.identity, role, subject=subject)

    async def query_all(self, service: str, sql: str, *args: Any) -> list[Any]:
        connection = await asyncpg.connect(asyncpg_dsn(self.databases[service]))
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    async def query(self, service: str, sql: str, *args: Any) -> Any:
        connection = await asyncpg.connect(asyncpg_dsn(self.databases[service]))
        try:
            return await connection.fetchval(sql, *args)
        finally:
            await connection.close()


@asynccontextmanager
async def provisioned_system(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path, services: list[str]
) -> AsyncIterator[System]:
    """A vhost and freshly migrated databases of their own; processes stopped at the end.

    The broker is set up as in production: the topology declared by the privileged step,
    each service connecting as its own user with only its permissions.
    """
    vhost = infra.unique_name("system")
    amqp_url = await asyncio.to_thread(infra.create_vhost, vhost)
    system = System(infra, identity, amqp_url, log_dir)
    names: list[str] = []
    try:
        await declare_topology(amqp_url, [SERVICES[name] for name in services])
        await asyncio.to_thread(set_policies, infra.rabbitmqctl, vhost)
        for name in services:
            user = service_user(name, exchange=EXCHANGE, name=f"{vhost}.{name}")
            system.service_amqp_urls[name] = await asyncio.to_thread(
                infra.grant_broker_user, vhost, user
            )
        for name in services:
            database = await infra.create_service_database(name)
            names.append(database.name)
            await upgrade(
                SERVICES[name].migrations_dir, database.owner_url, app_url=database.app_url
            )
            system.databases[name] = database.app_url
        yield system
    finally:
        await asyncio.gather(*(asyncio.to_thread(p.stop) for p in system.processes))
        for database_name in names:
            await infra.drop_database(database_name)
        await asyncio.to_thread(infra.delete_vhost, vhost)
        for name in system.service_amqp_urls:
            await asyncio.to_thread(infra.delete_broker_user, f"{vhost}.{name}")


async def eventually(
    check: Callable[[], Any], *, timeout: float = 30, interval: float = 0.1
) -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


async def metric(process: ServiceProcess, sample: str, **labels: str) -> float:
    """A sample of a process's Prometheus metrics (0 while it has never counted)."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{process.url}/metrics")
    response.raise_for_status()
    for family in text_string_to_metric_families(response.text):
        for found in family.samples:
            if found.name == sample and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


def household_body(number: str, members: int = 2) -> dict[str, Any]:
    return {
        "allocation_notice_number": number,
        "allocated_on": "2026-11-20",
        "allocating_authority": "Bezirksregierung Arnsberg",
        "members": [
            {
                "given_name": f"Person {index}",
                "family_name": "Karimi",
                "date_of_birth": "1985-01-01" if index == 0 else "2015-06-01",
                "sex": "female" if index % 2 == 0 else "male",
                "nationality": "AFG",
                "languages": ["fa"],
                "residence_status": "aufenthaltsgestattung",
                "residence_status_expires_on": "2027-06-01",
            }
            for index in range(members)
        ],
    }


async def register_households(
    api: ServiceProcess, headers: dict[str, str], numbers: list[str]
) -> list[str]:
    """Register households through intake's HTTP API, ten at a time; returns their ids."""
    ids: list[str] = []
    async with httpx.AsyncClient(base_url=api.url, headers=headers, timeout=30) as client:
        for start in range(0, len(numbers), 10):
            responses = await asyncio.gather(
                *(
                    client.post("/households", json=household_body(n))
                    for n in numbers[start : start + 10]
                )
            )
            for response in responses:
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
    return ids
