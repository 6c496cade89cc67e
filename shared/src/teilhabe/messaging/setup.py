"""The privileged broker setup: topology, users and permissions of every service.

`teilhabe-broker setup` runs with an administrator's AMQP URL (`AMQP_SETUP_URL`, else
`AMQP_URL`) and declares the events exchange and each installed service's queues,
bindings and redelivery exchange, and sets the broker's policies (`policies`: dead
letters expire) through `rabbitmqctl`; with `--grant` it also creates each service's user and
sets its permissions (`teilhabe.messaging.access`) through `rabbitmqctl`, which user
management needs. `make up` and the test fixtures run it; in Kubernetes the Messaging
Topology Operator declares the same. `teilhabe-broker permissions` prints the matrix.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import aio_pika

from teilhabe.messaging.access import BrokerUser, service_user
from teilhabe.messaging.agencies import (
    AGENCY_QUEUE_PREFIX,
    SIDE_CONSUMERS,
    Agency,
    agency_user,
    declare_agency,
    declare_agency_exchanges,
    declare_side_consumer,
    remove_agency,
)
from teilhabe.messaging.policies import set_policies
from teilhabe.messaging.topology import declare_service_topology

if TYPE_CHECKING:
    from teilhabe.runtime import ServiceDefinition

EXCHANGE = "teilhabe.events"
Rabbitmqctl = Callable[[list[str]], None]


async def declare_topology(
    amqp_url: str, services: Iterable[ServiceDefinition], *, exchange: str = EXCHANGE
) -> None:
    """Declare (idempotently) what every one of `services` consumes from, and the
    agencies' exchanges."""
    connection = await aio_pika.connect(amqp_url, timeout=15)
    try:
        channel = await connection.channel()
        await declare_agency_exchanges(channel)
        for service in services:
            await declare_service_topology(
                channel,
                exchange,
                service.name,
                [model.event_type for model in service.handlers],
            )
            side = SIDE_CONSUMERS.get(service.name)
            if side is not None:
                await declare_side_consumer(channel, side, exchange)
    finally:
        await connection.close()


async def provision_agency(amqp_url: str, agency: Agency) -> None:
    """Declare the agency's queue and bindings (its user: `grant`)."""
    connection = await aio_pika.connect(amqp_url, timeout=15)
    try:
        await declare_agency(await connection.channel(), agency)
    finally:
        await connection.close()


async def deprovision_agency(amqp_url: str, name: str) -> None:
    connection = await aio_pika.connect(amqp_url, timeout=15)
    try:
        await remove_agency(await connection.channel(), name)
    finally:
        await connection.close()


def grant(rabbitmqctl: Rabbitmqctl, vhost: str, user: BrokerUser, password: str) -> None:
    """Create or update `user` with `password`, and set its permissions in `vhost`."""
    # "--" ends the options: a random password may begin with "-".
    try:
        rabbitmqctl(["add_user", "--", user.name, password])
    except subprocess.CalledProcessError:  # exists already: the password is ours to set
        rabbitmqctl(["change_password", "--", user.name, password])
    rabbitmqctl(["set_permissions", "-p", vhost, user.name, user.configure, user.write, user.read])
    rabbitmqctl(
        [
            "set_topic_permissions",
            "-p",
            vhost,
            user.name,
            user.topic_exchange,
            user.topic_write,
            user.topic_read,
        ]
    )


def local_rabbitmqctl(args: list[str]) -> None:
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise SystemExit("rabbitmqctl is needed to create the services' broker users")
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)  # noqa: S603


def matrix(users: Sequence[BrokerUser]) -> str:
    """The permission matrix as a Markdown table."""
    lines = [
        "| user | configure | write | read | topic write on `teilhabe.events` | topic read |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for user in users:
        cells = (user.configure, user.write, user.read, user.topic_write, user.topic_read)
        # A bar inside a table cell is escaped, even in code.
        shown = [f"`{cell}`".replace("|", "\\|") for cell in cells]
        lines.append(f"| `{user.name}` | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from teilhabe.registry import installed_services

    parser = argparse.ArgumentParser(prog="teilhabe-broker", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("setup", help="declare the topology (and, --grant, the users)")
    setup.add_argument("--service", action="append", help="only these services (repeatable)")
    setup.add_argument(
        "--vhost", default="/", help="the vhost of AMQP_SETUP_URL, for --grant and the policies"
    )
    setup.add_argument(
        "--grant",
        action="store_true",
        help="create each service's user through rabbitmqctl; its password from "
        "AMQP_PASSWORD_<SERVICE> (required)",
    )
    commands.add_parser("permissions", help="print the permission matrix (Markdown)")
    _add_agency_commands(commands)
    args = parser.parse_args(argv)

    if args.command == "agency":
        return agency_command(args)
    services = installed_services()
    if args.command == "permissions":
        print(matrix([service_user(s.name, exchange=EXCHANGE) for s in services]))
        return 0
    if args.service:
        services = [s for s in services if s.name in set(args.service)]
    url = os.environ.get("AMQP_SETUP_URL") or os.environ.get("AMQP_URL")
    if not url:
        raise SystemExit("set AMQP_SETUP_URL to an administrator's AMQP URL")
    asyncio.run(declare_topology(url, services))
    if shutil.which("rabbitmqctl") is None:
        print("rabbitmqctl not found: the broker's policies (dead letters expire) are not set")
    else:
        set_policies(local_rabbitmqctl, args.vhost)
    if args.grant:
        for service in services:
            variable = f"AMQP_PASSWORD_{service.name.upper()}"
            password = os.environ.get(variable)
            if not password:
                raise SystemExit(f"set {variable} to the password of the {service.name} user")
            grant(
                local_rabbitmqctl,
                args.vhost,
                service_user(service.name, exchange=EXCHANGE),
                password,
            )
    print(f"broker set up for {', '.join(s.name for s in services)}")
    return 0


def _add_agency_commands(commands: Any) -> None:
    agency = commands.add_parser(
        "agency", help="provision a partner agency: its user, queue and bindings"
    )
    actions = agency.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add",
        help="create or update the agency's user (password from AMQP_PASSWORD_AGENCY), "
        "its quorum queue agency.<name> and its bindings",
    )
    add.add_argument("name", help="the agency's name: lower-case letters, digits, '-'")
    add.add_argument(
        "--receives", action="append", default=[], help="an event type it receives (repeatable)"
    )
    add.add_argument(
        "--sends", action="append", default=[], help="an event type it sends in (repeatable)"
    )
    remove = actions.add_parser("remove", help="delete the agency's user and queue")
    remove.add_argument("name")
    actions.add_parser("list", help="the agencies' queues in the vhost")
    for parser in (add, remove, actions.choices["list"]):
        parser.add_argument("--vhost", default="/", help="the vhost of AMQP_SETUP_URL")


def agency_command(args: argparse.Namespace) -> int:
    if args.action == "list":
        ctl = shutil.which("rabbitmqctl")
        if ctl is None:
            raise SystemExit("rabbitmqctl is needed to list the agencies")
        listed = subprocess.run(  # noqa: S603
            [ctl, "-q", "list_queues", "-p", args.vhost, "name", "messages", "--no-table-headers"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for line in sorted(listed.splitlines()):
            if line.startswith(AGENCY_QUEUE_PREFIX):
                name, _, messages = line.partition("\t")
                print(f"{name.removeprefix(AGENCY_QUEUE_PREFIX)}\t{messages.strip()} waiting")
        return 0
    url = os.environ.get("AMQP_SETUP_URL") or os.environ.get("AMQP_URL")
    if not url:
        raise SystemExit("set AMQP_SETUP_URL to an administrator's AMQP URL")
    if args.action == "remove":
        asyncio.run(deprovision_agency(url, args.name))
        local_rabbitmqctl(["delete_user", "--", args.name])
        print(f"agency {args.name} removed")
        return 0
    try:
        agency = Agency(args.name, tuple(args.receives), tuple(args.sends))
    except ValueError as error:
        raise SystemExit(str(error)) from None
    password = os.environ.get("AMQP_PASSWORD_AGENCY")
    if not password:
        raise SystemExit("set AMQP_PASSWORD_AGENCY to the password of the agency's user")
    asyncio.run(provision_agency(url, agency))
    grant(local_rabbitmqctl, args.vhost, agency_user(agency), password)
    print(
        f"agency {agency.name}: reads {', '.join(agency.receives) or 'nothing'}; "
        f"sends {', '.join(agency.sends) or 'nothing'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
