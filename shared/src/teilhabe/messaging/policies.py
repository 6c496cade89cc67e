"""Broker policies: what the setup step sets beside the topology.

Dead letters expire. A dead-lettered message keeps its full body, so it may hold what
an erasure or a retention rule must remove; the erasure deletes the ones that mention
its subject, and the dead-letter policy bounds the rest: every `<queue>.dlq` keeps at
most `DEAD_LETTER_MAX_LENGTH` messages (the oldest dropped first) for at most
`DEAD_LETTER_MAX_AGE`, after which operations have had time to look, fix and redrive.

A policy rather than queue arguments: it can be changed on a running broker without
declaring the queues anew (which the broker refuses for changed arguments), and the same
definition reaches every environment: `teilhabe-broker setup` and the tests set it with
`rabbitmqctl`, a service's `broker-setup` (compose) through the management API when
`RABBITMQ_MANAGEMENT_URL` is set, and Kubernetes as a Messaging Topology Operator
`Policy` (deploy/k8s/broker_topology.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

DEAD_LETTER_MAX_LENGTH = 10_000
DEAD_LETTER_MAX_AGE = timedelta(days=14)


@dataclass(frozen=True)
class Policy:
    name: str
    pattern: str
    definition: Mapping[str, Any]
    apply_to: str = "queues"
    priority: int = 0


DEAD_LETTER_POLICY = Policy(
    name="teilhabe-dead-letters",
    pattern=r"\.dlq$",
    definition={
        "max-length": DEAD_LETTER_MAX_LENGTH,
        "message-ttl": int(DEAD_LETTER_MAX_AGE.total_seconds() * 1000),
        # Full: the oldest dead letter goes, never the new one (a refused dead-lettering
        # would leave the message in its consumer's queue, at-least-once).
        "overflow": "drop-head",
    },
)
POLICIES: tuple[Policy, ...] = (DEAD_LETTER_POLICY,)


def set_policies(
    rabbitmqctl: Callable[[list[str]], None], vhost: str, policies: tuple[Policy, ...] = POLICIES
) -> None:
    """Set (create or replace) each policy in `vhost` through `rabbitmqctl`."""
    for policy in policies:
        rabbitmqctl(
            [
                "set_policy",
                "-p",
                vhost,
                "--apply-to",
                policy.apply_to,
                "--priority",
                str(policy.priority),
                policy.name,
                policy.pattern,
                json.dumps(dict(policy.definition)),
            ]
        )


def put_policies(management_url: str, vhost: str, policies: tuple[Policy, ...] = POLICIES) -> None:
    """Set each policy in `vhost` through the management API (`http://user:pw@host:15672`)."""
    with httpx.Client(timeout=15) as client:
        for policy in policies:
            response = client.put(
                f"{management_url.rstrip('/')}/api/policies/{quote(vhost, safe='')}/"
                f"{quote(policy.name, safe='')}",
                json={
                    "pattern": policy.pattern,
                    "definition": dict(policy.definition),
                    "apply-to": policy.apply_to,
                    "priority": policy.priority,
                },
            )
            response.raise_for_status()
