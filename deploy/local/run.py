"""Start the whole system locally: every service's API, relay and consumer as processes.

PostgreSQL and RabbitMQ are taken from DATABASE_HOST_URL / AMQP_URL (default: localhost);
where neither answers and a Docker engine exists, testcontainers starts them. Each
service gets its own database, created and migrated before its processes start, and two
database roles: `<service>_owner` migrates, `<service>_app` runs the processes. The key
sealing the audit trails is made once into .dev/audit-key. The broker is set up as in
production: AMQP_URL (an administrator) declares the topology and creates each service's
own user (a fresh password per start), with which it connects.
Ctrl-C stops every process started here; if this command is killed, even with SIGKILL,
every process it started ends with it (see lifetime.py).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg
import httpx
from lifetime import die_with_parent, ends_with_this_process
from sqlalchemy.engine import make_url
from teilhabe.db import asyncpg_dsn
from teilhabe.db_roles import LoginRole, create_service_roles
from teilhabe.messaging.access import service_user
from teilhabe.messaging.policies import set_policies
from teilhabe.messaging.setup import EXCHANGE, Rabbitmqctl, declare_topology, grant
from teilhabe.messaging.setup import local_rabbitmqctl as local_ctl
from teilhabe.registry import installed_services
from teilhabe.runtime import CONSUMER_POOL_SIZE
from teilhabe_dev.testing.infrastructure import answers, docker_engine, started_containers

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OIDC_PORT = 8090


@dataclass(frozen=True)
class Service:
    name: str
    api_port: int
    has_consumer: bool = True


SERVICES = [
    Service("intake", 8001),
    Service("housing", 8002),
    Service("courses", 8003),
    Service("volunteers", 8004),
    Service("notifications", 8005),
]
SMTP_PORT = 1025
# The connection budget (deploy/README.md): what the processes of all services may hold
# together stays below the server's max_connections minus a reserve for superuser
# sessions, migrations, psql and the tests.
RESERVED_CONNECTIONS = 15
RELAY_CONNECTIONS = 4  # two lanes' pool, one spare, one LISTEN connection
CONSUMER_CONNECTIONS = CONSUMER_POOL_SIZE + 3  # + the timers it fires: pool of 2 and LISTEN
# notifications' e-mail and webhook senders beside its consumer, each a pool of 2 and LISTEN
MAIL_SENDER_CONNECTIONS = 6
MAX_API_POOL = 10


def main() -> int:
    # Started by `uv run` (under `make up`): killing that ends this command, gently.
    die_with_parent(os.getppid())
    with ExitStack() as stack:
        postgres, amqp, rabbitmqctl = infrastructure(stack)
        print("setting up the broker …", flush=True)
        service_amqp = set_up_broker(amqp, rabbitmqctl)
        log_dir = REPO / ".dev" / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        processes: list[tuple[str, subprocess.Popen[bytes], str]] = []
        stack.callback(stop_all, processes)

        issuer = f"http://127.0.0.1:{OIDC_PORT}/realms/teilhabe"
        common = {
            "OIDC_ISSUER": issuer,
            "OIDC_JWKS_URL": f"{issuer}/protocol/openid-connect/certs",
            "LOG_JSON": os.environ.get("LOG_JSON", "false"),
            "DEV_OIDC_PORT": str(OIDC_PORT),
            "AUDIT_KEY": development_audit_key(),
            # A webhook receiver tried out locally listens on plain http.
            "WEBHOOK_ALLOW_PLAIN_HTTP": "true",
            # The partner agency a consent may name locally (intake refuses others).
            "CONSENT_AGENCIES": '["jobcenter-kreis-coesfeld"]',
            # Case files offered to the archive before retention deletes them.
            "ARCHIVE_OFFER_DIR": str(REPO / ".dev" / "archive"),
        }
        processes.append(spawn("teilhabe-dev-oidc", ["serve"], common, log_dir / "dev-oidc.log"))
        wait_http(f"{issuer}/.well-known/openid-configuration", "development identity provider")
        mail_folder = REPO / ".dev" / "mail"
        processes.append(
            spawn(
                "python",
                [
                    str(Path(__file__).with_name("mailcatcher.py")),
                    "--port",
                    str(SMTP_PORT),
                    "--folder",
                    str(mail_folder),
                ],
                {},
                log_dir / "mailcatcher.log",
            )
        )
        common |= {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(SMTP_PORT),
            "SMTP_STARTTLS": "false",
            "SMTP_FROM": f"teilhabe@{os.environ.get('CITY_MAIL_DOMAIN', 'duelmen.de')}",
        }

        common["DATABASE_POOL_SIZE"] = str(api_pool_size(postgres))
        started = time.monotonic()
        readiness: list[tuple[str, str]] = []
        for index, service in enumerate(SERVICES):
            env = {
                **common,
                **database_env(postgres, service.name),
                "AMQP_URL": service_amqp[service.name],
            }
            print(f"migrating {service.name} …", flush=True)
            subprocess.run(  # noqa: S603 - our own console script
                [str(BIN / f"teilhabe-{service.name}"), "migrate"],
                env={**os.environ, **env},
                check=True,
                stdout=subprocess.DEVNULL,
            )
            commands = {"api": service.api_port, "relay": 8101 + index}
            if service.has_consumer:
                commands["consumer"] = 8201 + index
            for command, port in commands.items():
                processes.append(
                    spawn(
                        f"teilhabe-{service.name}",
                        [command],
                        {**env, "HTTP_PORT": str(port)},
                        log_dir / f"{service.name}-{command}.log",
                    )
                )
                readiness.append(
                    (f"http://127.0.0.1:{port}/health/ready", f"{service.name} {command}")
                )
        for url, what in readiness:
            wait_http(url, what)
        print(f"every process ready {time.monotonic() - started:.1f} s after the first migration")

        print_overview(issuer, log_dir, mail_folder)
        return wait_for_signal(processes)


def set_up_broker(admin_url: str, rabbitmqctl: Rabbitmqctl) -> dict[str, str]:
    """The privileged step: topology and one user per service; each service's AMQP URL."""
    services = installed_services()
    asyncio.run(declare_topology(admin_url, services))
    parts = urlsplit(admin_url)
    vhost = unquote(parts.path[1:]) or "/"
    set_policies(rabbitmqctl, vhost)
    urls = {}
    for service in services:
        password = secrets.token_urlsafe(16)
        grant(rabbitmqctl, vhost, service_user(service.name, exchange=EXCHANGE), password)
        netloc = f"{quote(service.name)}:{password}@{parts.hostname}:{parts.port or 5672}"
        urls[service.name] = urlunsplit(parts._replace(netloc=netloc))
    return urls


def database_env(postgres: str, service: str) -> dict[str, str]:
    """The service's owner and app roles (new passwords each start) and their URLs."""
    database = f"teilhabe_{service}"
    owner = LoginRole(f"{service}_owner", secrets.token_hex(16))
    app = LoginRole(f"{service}_app", secrets.token_hex(16))
    asyncio.run(create_service_roles(f"{postgres}/postgres", database, owner, app))

    def url(role: LoginRole) -> str:
        return (
            make_url(f"{postgres}/{database}")
            .set(username=role.name, password=role.password)
            .render_as_string(hide_password=False)
        )

    return {"DATABASE_URL": url(app), "DATABASE_MIGRATION_URL": url(owner)}


def development_audit_key() -> str:
    """The key sealing the local audit trails, made once (a deployment brings its own)."""
    path = REPO / ".dev" / "audit-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def infrastructure(stack: ExitStack) -> tuple[str, str, Rabbitmqctl]:
    postgres = os.environ.get("DATABASE_HOST_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
    amqp = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    missing = [
        name for name, url in (("PostgreSQL", postgres), ("RabbitMQ", amqp)) if not answers(url)
    ]
    if not missing:
        return postgres, amqp, local_ctl
    if not docker_engine():
        print(
            f"Not reachable: {' and '.join(missing)} ({postgres}, {amqp}), and no Docker engine to "
            "start them.\nStart PostgreSQL 15+ and RabbitMQ 3.10+ on localhost, or set "
            "DATABASE_HOST_URL (without a database name) and AMQP_URL, or start Docker.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    print("starting PostgreSQL and RabbitMQ with testcontainers …", flush=True)
    containers = stack.enter_context(started_containers())
    return containers.postgres_url.rsplit("/", 1)[0], containers.amqp_url, containers.rabbitmqctl


def api_pool_size(postgres: str) -> int:
    """Each API process's pool, so that every process together stays within the budget."""
    workers = int(os.environ.get("API_WORKERS", "1"))

    async def max_connections() -> int:
        connection = await asyncpg.connect(asyncpg_dsn(f"{postgres}/postgres"))
        try:
            return int(await connection.fetchval("SHOW max_connections"))
        finally:
            await connection.close()

    limit = asyncio.run(max_connections())
    workers_held = len(SERVICES) * (RELAY_CONNECTIONS + CONSUMER_CONNECTIONS)
    workers_held += MAIL_SENDER_CONNECTIONS
    left = limit - RESERVED_CONNECTIONS - workers_held
    pool = min(MAX_API_POOL, left // (len(SERVICES) * workers))
    if pool < 1:
        raise SystemExit(
            f"PostgreSQL's max_connections ({limit}) leaves no connections for the APIs: "
            f"{RESERVED_CONNECTIONS} reserved, {workers_held} for relays and consumers. "
            "Raise max_connections or lower API_WORKERS."
        )
    total = workers_held + len(SERVICES) * workers * pool
    print(
        f"connections: {total} of max_connections {limit} ({RESERVED_CONNECTIONS} kept in "
        f"reserve): APIs {len(SERVICES)} × {workers} worker(s) × pool {pool}, relays and "
        f"consumers {workers_held}",
        flush=True,
    )
    return pool


def spawn(
    script: str, args: list[str], env: dict[str, str], log: Path
) -> tuple[str, subprocess.Popen[bytes], str]:
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(BIN / script), *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us alone; we stop the children in order
            # Yet they end with us, should we be killed before we could stop them.
            preexec_fn=ends_with_this_process(),
        )
    return f"{script} {' '.join(args)}", process, str(log)


def wait_http(url: str, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not become ready at {url}; see .dev/logs/")


def print_overview(issuer: str, log_dir: Path, mail_folder: Path) -> None:
    print("\nTeilhabe is running:\n")
    for service in SERVICES:
        print(f"  {service.name:<14} API  http://127.0.0.1:{service.api_port}/docs")
    for service in SERVICES:
        print(f"  {service.name:<14} tool http://127.0.0.1:{service.api_port}/ui/")
    print(f"  {'identity':<14} dev  {issuer}  (development only)")
    print(f"  {'e-mail':<14} SMTP 127.0.0.1:{SMTP_PORT}, mail lands in {mail_folder}")
    print(
        "\nA token for trying the APIs:\n"
        "  export TOKEN=$(make -s token ROLE=caseworker SUBJECT=anna)\n"
        f"Logs: {log_dir}\nStop with Ctrl-C.",
        flush=True,
    )


def wait_for_signal(processes: list[tuple[str, subprocess.Popen[bytes], str]]) -> int:
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stopping:
        for name, process, log in processes:
            if process.poll() is not None:
                print(f"{name} exited with {process.returncode}; see {log}", file=sys.stderr)
                return 1
        time.sleep(0.5)
    return 0


def stop_all(processes: list[tuple[str, subprocess.Popen[bytes], str]]) -> None:
    for _, process, _ in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for _, process, _ in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    print("stopped every process.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
