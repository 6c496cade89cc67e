"""The broker users of the services: they may do only their part.

The topology is declared by the Messaging Topology Operator (rabbitmq-topology.yaml,
generated from the setup step), so no service user may configure anything, none may write
to the default exchange (which reaches every queue), and each has topic permissions on the
events exchange that limit what it publishes (deploy/README.md, "Broker").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from model import Rendering, ref

NOTHING = "^$"


def check_broker_users(rendering: Rendering) -> Iterator[str]:
    users = {u["metadata"]["name"] for u in rendering.kind("User")}
    granted: dict[str, set[str]] = {name: set() for name in users}
    for kind in ("Permission", "TopicPermission"):
        for doc in rendering.kind(kind):
            user = (doc["spec"].get("userReference") or {}).get("name")
            if user in granted:
                granted[user].add(kind)
    for user, kinds in sorted(granted.items()):
        for kind in sorted({"Permission", "TopicPermission"} - kinds):
            yield f"User/{user}: no {kind}; without it the user may do everything"
    for permission in rendering.kind("Permission"):
        rules = permission["spec"].get("permissions") or {}
        if rules.get("configure") != NOTHING:
            yield f"{ref(permission)}: configure is {rules.get('configure')!r}, not {NOTHING!r}"
        write = str(rules.get("write", ""))
        # RabbitMQ checks a publish to the default exchange (blank name) as "amq.default",
        # so "^$" (nothing) stays the way to grant no write at all.
        if re.search(write, "amq.default"):
            yield f"{ref(permission)}: write {write!r} admits the default exchange"
    for topic in rendering.kind("TopicPermission"):
        rules = topic["spec"].get("permissions") or {}
        if rules.get("read") != NOTHING:
            yield f"{ref(topic)}: topic read is {rules.get('read')!r}, not {NOTHING!r}"
