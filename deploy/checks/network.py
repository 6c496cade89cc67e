"""The network policies, evaluated pod by pod."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field

from model import NAMESPACE, Doc, Rendering, ref, selector_matches
from settings import MAIL_SENDER

# Jobs CloudNativePG runs for a cluster (cnpg.io/jobRole) that must finish for it to work.
DATABASE_JOB_ROLES = ("initdb", "join")
# The API server as pods reach it: the Service's 443, or the endpoints' 6443 after DNAT.
KUBERNETES_API_PORTS = (443, 6443)


@dataclass(frozen=True)
class Peer:
    """A pod (labels, namespace labels) or an address outside the cluster."""

    description: str
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    namespace: str | None = NAMESPACE
    ip: str | None = None

    @property
    def namespace_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace} if self.namespace else {}


def peer_matches(rule_peer: Doc, peer: Peer, policy_namespace: str) -> bool:
    if "ipBlock" in rule_peer:
        if peer.ip is None:
            return False
        block = rule_peer["ipBlock"]
        address = ipaddress.ip_address(peer.ip)
        if address not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(address in ipaddress.ip_network(e) for e in block.get("except", []) or [])
    if peer.namespace is None:
        return False
    namespace_selector = rule_peer.get("namespaceSelector")
    pod_selector = rule_peer.get("podSelector")
    if namespace_selector is not None:
        if not selector_matches(namespace_selector, peer.namespace_labels):
            return False
    elif peer.namespace != policy_namespace:
        return False
    return pod_selector is None or selector_matches(pod_selector, peer.labels)


def port_matches(rule_ports: list[Doc] | None, port: int, protocol: str) -> bool:
    if not rule_ports:
        return True
    for rule_port in rule_ports:
        if rule_port.get("protocol", "TCP") != protocol:
            continue
        number = rule_port.get("port")
        if number is None:
            return True
        end = rule_port.get("endPort") or number
        if isinstance(number, int) and isinstance(end, int) and number <= port <= end:
            return True
    return False


def direction_allows(
    policies: list[Doc], pod: Peer, other: Peer, port: int, protocol: str, kind: str
) -> bool:
    """Whether the policies selecting `pod` allow `kind` (Ingress/Egress) traffic with `other`."""
    selecting = [
        p
        for p in policies
        if pod.namespace == p["metadata"].get("namespace")
        and selector_matches(p["spec"].get("podSelector", {}), pod.labels)
        and kind in p["spec"].get("policyTypes", ["Ingress"])
    ]
    if not selecting:
        return True  # not isolated in this direction
    key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
    for policy in selecting:
        for rule in policy["spec"].get(key, []) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(
                peer_matches(p, other, policy["metadata"]["namespace"]) for p in peers
            )
            if peer_ok and port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def allowed(
    policies: list[Doc], source: Peer, target: Peer, port: int, protocol: str = "TCP"
) -> bool:
    egress = source.namespace != NAMESPACE or direction_allows(
        policies, source, target, port, protocol, "Egress"
    )
    ingress = target.namespace != NAMESPACE or direction_allows(
        policies, target, source, port, protocol, "Ingress"
    )
    return egress and ingress


def check_network_policies(rendering: Rendering, ingress_namespace: str) -> Iterator[str]:
    policies = rendering.kind("NetworkPolicy")
    for policy in policies:
        for rule_key, peers_key in (("ingress", "from"), ("egress", "to")):
            for rule in policy["spec"].get(rule_key, []) or []:
                for peer in rule.get(peers_key, []) or []:
                    if "ipBlock" in peer:
                        ipaddress.ip_network(peer["ipBlock"]["cidr"])  # raises on a typo

    if not any(
        p["spec"].get("podSelector") in ({}, None)
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        yield "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)"

    workloads: list[tuple[Doc, Peer]] = []
    for doc, pod in rendering.workloads():
        labels = pod["metadata"].get("labels", {}) or {}
        workloads.append((doc, Peer(ref(doc), labels)))
    databases = {
        c["metadata"]["name"]: Peer(
            f"Cluster/{c['metadata']['name']} pod",
            {"cnpg.io/cluster": c["metadata"]["name"], "cnpg.io/podRole": "instance"},
        )
        for c in rendering.kind("Cluster")
    }
    # CloudNativePG's one-shot Jobs: the first instance's initdb, a new standby's join.
    # Their pods carry the cluster and the job's role, but no podRole.
    database_jobs = [
        Peer(
            f"Cluster/{name} {role} Job pod",
            {"cnpg.io/cluster": name, "cnpg.io/jobRole": role, "cnpg.io/instanceName": f"{name}-1"},
        )
        for name in databases
        for role in DATABASE_JOB_ROLES
    ]
    poolers = [
        (
            str(p["spec"]["cluster"]["name"]),
            Peer(
                f"Pooler/{p['metadata']['name']} pod",
                {
                    "cnpg.io/cluster": str(p["spec"]["cluster"]["name"]),
                    "cnpg.io/poolerName": p["metadata"]["name"],
                    "cnpg.io/podRole": "pooler",
                },
            ),
        )
        for p in rendering.kind("Pooler")
    ]
    brokers = [
        Peer(
            f"RabbitmqCluster/{r['metadata']['name']} pod",
            {
                "app.kubernetes.io/name": r["metadata"]["name"],
                "app.kubernetes.io/component": "rabbitmq",
                "app.kubernetes.io/part-of": "rabbitmq",
            },
        )
        for r in rendering.kind("RabbitmqCluster")
    ]
    kubernetes_api = Peer("the Kubernetes API", namespace=None, ip="10.0.0.1")
    dns = Peer("cluster DNS", {"k8s-app": "kube-dns"}, namespace="kube-system")
    ingress_controller = Peer(
        f"ingress controller ({ingress_namespace})", {"app": "controller"}, ingress_namespace
    )
    outside = Peer("an address outside the cluster", namespace=None, ip="203.0.113.7")
    stranger = Peer("a pod in namespace default", {"app": "other"}, namespace="default")

    # Every pod is isolated in both directions by some policy (default deny).
    data_pods = [*databases.values(), *database_jobs, *(p for _, p in poolers), *brokers]
    for peer in [p for _, p in workloads] + data_pods:
        for direction in ("Ingress", "Egress"):
            if not any(
                selector_matches(p["spec"].get("podSelector", {}), peer.labels)
                and direction in p["spec"].get("policyTypes", ["Ingress"])
                for p in policies
            ):
                yield f"{peer.description}: no NetworkPolicy restricts its {direction.lower()}"

    def expect(
        source: Peer, target: Peer, port: int, should: bool, protocol: str = "TCP"
    ) -> Iterator[str]:
        if allowed(policies, source, target, port, protocol) != should:
            verdict = "allowed" if not should else "denied"
            yield f"{source.description} -> {target.description}:{port}/{protocol} is {verdict}"

    for _, peer in workloads:
        service = peer.labels.get("app.kubernetes.io/name")
        component = peer.labels.get("app.kubernetes.io/component")
        yield from expect(peer, dns, 53, True, "UDP")
        own = databases.get(f"{service}-db")
        if own is None:
            yield f"{peer.description}: no PostgreSQL cluster {service}-db in the rendering"
        else:
            yield from expect(peer, own, 5432, True)
        for name, database in databases.items():
            if name != f"{service}-db":
                yield from expect(peer, database, 5432, False)
        for broker in brokers:
            yield from expect(peer, broker, 5672, component in ("api", "relay", "consumer"))
        yield from expect(ingress_controller, peer, 8000, component == "api")
        yield from expect(peer, stranger, 80, False)
        yield from expect(stranger, peer, 8000, False)
        sends = (service, component) == MAIL_SENDER
        yield from expect(peer, outside, 587, sends)
        yield from expect(peer, outside, 443, sends)
        for cluster, pooler in poolers:
            yield from expect(peer, pooler, 5432, cluster == f"{service}-db")

    # The database tier: every pod of a cluster reaches DNS and the Kubernetes API (the
    # instance manager, the initdb and join Jobs); a joining standby copies the primary;
    # a pooler reaches its own cluster's instances and no other.
    for member in [*databases.values(), *database_jobs, *(p for _, p in poolers)]:
        cluster = member.labels["cnpg.io/cluster"]
        yield from expect(member, dns, 53, True, "UDP")
        for port in KUBERNETES_API_PORTS:
            yield from expect(member, kubernetes_api, port, True)
        for name, instance in databases.items():
            if (
                member.labels.get("cnpg.io/jobRole") == "join"
                or "cnpg.io/poolerName" in member.labels
            ):
                yield from expect(member, instance, 5432, name == cluster)
            elif name != cluster:
                yield from expect(member, instance, 5432, False)
    if not brokers:
        yield "no RabbitmqCluster in the rendering"
