"""The connection budget of each service's database server.

Every process keeps a pool of DATABASE_POOL_SIZE connections (+ DATABASE_MAX_OVERFLOW under
load), and the autoscalers may run maxReplicas of each Deployment at once: their sum must fit
the app role's connectionLimit, which with the owner's migration and what PostgreSQL and
CloudNativePG need themselves must fit max_connections. A pooler in session mode hands each
client its own server connection, so one pooler pod must be able to take every client.
"""

from __future__ import annotations

from collections.abc import Iterator

from model import Doc, Rendering, ref
from settings import environment

# What each process holds (shared/src/teilhabe/runtime.py, deploy/local/run.py): the api
# its pool (DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW, defaults below); the relay two
# lanes' pool, a spare and its LISTEN connection; the consumer its pool of 3 and the timers
# it fires (a pool of 2 and LISTEN); notifications' consumer also its mail sender and its
# webhook sender (a pool of 2 and LISTEN each); the clearance purge a pool of 1.
DEFAULT_POOL_SIZE = 5
DEFAULT_MAX_OVERFLOW = 0
FIXED_CONNECTIONS = {"relay": 4, "consumer": 6, "purge-clearances": 1}
EXTRA_CONNECTIONS = {("notifications", "consumer"): 6}
# The owner's migration (Alembic and the grants) at most.
OWNER_RESERVE = 5
# superuser_reserved_connections (3), the standbys' replication, the instance manager and
# the metrics exporter of CloudNativePG.
SYSTEM_RESERVE = 13
PGBOUNCER_DEFAULT_POOL_SIZE = 20


def pool_of(rendering: Rendering, doc: Doc, pod: Doc) -> int:
    """Connections one process of this workload may hold."""
    labels = pod.get("metadata", {}).get("labels", {}) or {}
    component = str(labels.get("app.kubernetes.io/component"))
    extra = EXTRA_CONNECTIONS.get((str(labels.get("app.kubernetes.io/name")), component), 0)
    if component in FIXED_CONNECTIONS:
        return FIXED_CONNECTIONS[component] + extra
    values: dict[str, str | None] = {}
    for container in pod.get("spec", {}).get("containers", []) or []:
        for name, value, _ in environment(rendering, doc, container):
            values[name] = value
    size = values.get("DATABASE_POOL_SIZE") or str(DEFAULT_POOL_SIZE)
    overflow = values.get("DATABASE_MAX_OVERFLOW") or str(DEFAULT_MAX_OVERFLOW)
    return int(size) + int(overflow) + extra


def clients_per_service(rendering: Rendering) -> dict[str, tuple[int, list[str]]]:
    """Connections the app role's processes of each service may hold at full scale."""
    hpas = {
        h["spec"]["scaleTargetRef"].get("name"): h
        for h in rendering.kind("HorizontalPodAutoscaler")
        if h["spec"]["scaleTargetRef"].get("kind") == "Deployment"
    }
    budget: dict[str, tuple[int, list[str]]] = {}
    for doc, pod in rendering.workloads():
        labels = pod.get("metadata", {}).get("labels", {}) or {}
        if labels.get("app.kubernetes.io/part-of") != "teilhabe":
            continue
        if labels.get("app.kubernetes.io/component") == "migrate":
            continue  # the owner's, within OWNER_RESERVE
        if doc["kind"] == "Deployment":
            hpa = hpas.get(doc["metadata"]["name"])
            replicas = hpa["spec"]["maxReplicas"] if hpa else doc["spec"].get("replicas", 1)
        else:
            replicas = 1  # a Job, or a CronJob that never overlaps (concurrencyPolicy)
        pool = pool_of(rendering, doc, pod)
        service = str(labels.get("app.kubernetes.io/name"))
        total, parts = budget.get(service, (0, []))
        budget[service] = (total + replicas * pool, [*parts, f"{ref(doc)} {replicas}×{pool}"])
    return budget


def check_connection_budget(rendering: Rendering) -> Iterator[str]:
    budget = clients_per_service(rendering)
    poolers: dict[str, list[Doc]] = {}
    for pooler in rendering.kind("Pooler"):
        poolers.setdefault(pooler["spec"]["cluster"]["name"], []).append(pooler)
    for cluster in rendering.kind("Cluster"):
        name = cluster["metadata"]["name"]
        service = name.removesuffix("-db")
        clients, parts = budget.get(service, (0, []))
        parameters = (cluster["spec"].get("postgresql") or {}).get("parameters") or {}
        max_connections = int(parameters.get("max_connections", 100))
        roles = (cluster["spec"].get("managed") or {}).get("roles", []) or []
        app: Doc = next((r for r in roles if r.get("name") == f"{service}_app"), {})
        limit = app.get("connectionLimit")
        if not isinstance(limit, int) or limit < 0:
            yield f"{ref(cluster)}: the app role has no connectionLimit to budget against"
            continue
        if clients > limit:
            yield (
                f"{ref(cluster)}: {service}'s processes may hold {clients} connections "
                f"({', '.join(parts)}), over the app role's connectionLimit {limit}"
            )
        if limit + OWNER_RESERVE + SYSTEM_RESERVE > max_connections:
            yield (
                f"{ref(cluster)}: connectionLimit {limit} + owner {OWNER_RESERVE} + system "
                f"{SYSTEM_RESERVE} exceed max_connections {max_connections}"
            )
        for pooler in poolers.get(name, []):
            pgbouncer = pooler["spec"].get("pgbouncer") or {}
            size = int(
                (pgbouncer.get("parameters") or {}).get(
                    "default_pool_size", PGBOUNCER_DEFAULT_POOL_SIZE
                )
            )
            if pgbouncer.get("poolMode", "session") == "session" and size < clients:
                yield (
                    f"{ref(pooler)}: default_pool_size {size} in session mode is below the "
                    f"{clients} connections {service}'s processes may hold: they would queue"
                )
