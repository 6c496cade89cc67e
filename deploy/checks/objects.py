"""Objects that belong together: API versions, names, PDB/HPA, Services, upgrade phases."""

from __future__ import annotations

import re
from collections.abc import Iterator

from model import NAMESPACE, Doc, Rendering, ref, selector_matches

PSS_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}

# Built-in kinds and the one apiVersion each may use (Kubernetes 1.32 and later). Any
# other apiVersion of these kinds is unknown or removed (e.g. policy/v1beta1).
BUILTIN_API_VERSIONS = {
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "ServiceAccount": "v1",
    "PersistentVolumeClaim": "v1",
    "Pod": "v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "Ingress": "networking.k8s.io/v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
}
# Custom resources of the operators the overlays rely on; `policy.py crds` validates them
# against the operators' CRDs vendored in deploy/crds/.
CUSTOM_API_VERSIONS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "RabbitMQ Cluster Operator",
    ("rabbitmq.com/v1beta1", "Vhost"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "User"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "Permission"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "TopicPermission"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "Policy"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "Exchange"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "Queue"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "Binding"): "Messaging Topology Operator",
    ("postgresql.cnpg.io/v1", "Cluster"): "CloudNativePG",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "CloudNativePG",
    ("postgresql.cnpg.io/v1", "Pooler"): "CloudNativePG",
    ("barmancloud.cnpg.io/v1", "ObjectStore"): "CloudNativePG Barman Cloud Plugin",
}
CLUSTER_SCOPED = {"Namespace"}
# Upgrade, first phase (deploy/README.md, "Upgrade"): everything but the long-running
# processes and the scheduled jobs, i.e. settings, data tier, policies and the migration Jobs.
MIGRATION_PHASE = ("app.kubernetes.io/component", {"api", "relay", "consumer", "purge-clearances"})

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check_pdb_hpa(rendering: Rendering) -> Iterator[str]:
    pdbs = rendering.kind("PodDisruptionBudget")
    hpas = rendering.kind("HorizontalPodAutoscaler")
    for deployment in rendering.kind("Deployment"):
        name = deployment["metadata"]["name"]
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        if not any(selector_matches(p["spec"].get("selector"), labels) for p in pdbs):
            yield f"{ref(deployment)}: no PodDisruptionBudget selects its pods"
        owning = [
            h
            for h in hpas
            if h["spec"]["scaleTargetRef"].get("kind") == "Deployment"
            and h["spec"]["scaleTargetRef"].get("name") == name
        ]
        if not owning:
            yield f"{ref(deployment)}: no HorizontalPodAutoscaler scales it"
        elif "replicas" in deployment["spec"]:
            yield f"{ref(deployment)}: sets spec.replicas although an autoscaler owns the count"
        for hpa in owning:
            if hpa["spec"].get("minReplicas", 1) > hpa["spec"].get("maxReplicas", 0):
                yield f"{ref(hpa)}: minReplicas > maxReplicas"
    for hpa in hpas:
        target = hpa["spec"]["scaleTargetRef"]
        if rendering.named(target.get("kind", ""), target.get("name", "")) is None:
            yield f"{ref(hpa)}: scales {target.get('kind')}/{target.get('name')}, which is missing"


def check_services_and_ingress(rendering: Rendering) -> Iterator[str]:
    pods = [pod["metadata"].get("labels", {}) for _, pod in rendering.workloads()]
    for service in rendering.kind("Service"):
        selector = service["spec"].get("selector")
        if selector and not any(
            selector_matches({"matchLabels": selector}, labels) for labels in pods
        ):
            yield f"{ref(service)}: selector {selector} matches no pod"
    for ingress in rendering.kind("Ingress"):
        for rule in ingress["spec"].get("rules", []) or []:
            for path in (rule.get("http") or {}).get("paths", []) or []:
                backend = path["backend"]["service"]
                target = rendering.named("Service", backend["name"])
                if target is None:
                    yield f"{ref(ingress)}: backend Service {backend['name']} does not exist"
                    continue
                port = backend["port"]
                names = {p.get("name") for p in target["spec"]["ports"]}
                numbers = {p.get("port") for p in target["spec"]["ports"]}
                if (
                    port.get("name", object()) not in names
                    and port.get("number", object()) not in numbers
                ):
                    yield f"{ref(ingress)}: Service {backend['name']} has no port {port}"


def check_names(rendering: Rendering) -> Iterator[str]:
    for doc in rendering.docs:
        meta = doc.get("metadata", {})
        name = str(meta.get("name", ""))
        kind = doc.get("kind")
        pattern = DNS_LABEL if kind in ("Namespace", "Service") else DNS_SUBDOMAIN
        if not pattern.match(name) or len(name) > 253:
            yield f"{kind}/{name}: not a valid object name"
        # The Job name becomes the value of the job-name label of its pods.
        if kind in ("Job", "Namespace", "Service") and len(name) > 63:
            yield f"{kind}/{name}: longer than 63 characters"
        # The Jobs of a CronJob are named <cronjob>-<11 characters>.
        if kind == "CronJob" and len(name) > 52:
            yield f"{kind}/{name}: longer than 52 characters"
        if kind not in CLUSTER_SCOPED and meta.get("namespace") != NAMESPACE:
            yield f"{kind}/{name}: namespace is {meta.get('namespace')!r}, not {NAMESPACE!r}"
        for key, value in (meta.get("labels") or {}).items():
            if len(str(value)) > 63 or not re.fullmatch(
                r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?", str(value)
            ):
                yield f"{kind}/{name}: label {key}={value!r} is not a valid label value"


def in_migration_phase(doc: Doc) -> bool:
    """`kubectl apply -l 'app.kubernetes.io/component notin (api,relay,consumer)'`."""
    key, excluded = MIGRATION_PHASE
    return (doc.get("metadata", {}).get("labels") or {}).get(key) not in excluded


def check_upgrade_phases(rendering: Rendering) -> Iterator[str]:
    """The documented two-phase apply migrates first and rolls the processes afterwards."""
    first = [doc for doc in rendering.docs if in_migration_phase(doc)]
    names = {(doc["kind"], doc["metadata"]["name"]) for doc in first}
    for doc in rendering.kind("Deployment"):
        if in_migration_phase(doc):
            yield f"{ref(doc)} would roll out in the migration phase"
    for doc in rendering.kind("CronJob"):
        if in_migration_phase(doc):
            yield (
                f"{ref(doc)} would be applied in the migration phase and could run the new "
                "release before its migration"
            )
    for job in rendering.kind("Job"):
        if not in_migration_phase(job):
            yield f"{ref(job)} is not applied in the migration phase"
        spec = job["spec"]["template"]["spec"]
        account = spec.get("serviceAccountName")
        if account and ("ServiceAccount", account) not in names:
            yield f"{ref(job)}: its ServiceAccount {account} is not applied before it"
        for container in spec.get("containers", []):
            for source in container.get("envFrom", []) or []:
                config_map = (source.get("configMapRef") or {}).get("name")
                if config_map and ("ConfigMap", config_map) not in names:
                    yield f"{ref(job)}: its ConfigMap {config_map} is not applied before it"


def check_api_versions(rendering: Rendering) -> Iterator[str]:
    for doc in rendering.docs:
        kind, api_version = doc.get("kind"), doc.get("apiVersion")
        if kind in BUILTIN_API_VERSIONS:
            if api_version != BUILTIN_API_VERSIONS[kind]:
                yield (
                    f"{ref(doc)}: apiVersion {api_version} is unknown or removed; "
                    f"use {BUILTIN_API_VERSIONS[kind]}"
                )
        elif (api_version, kind) not in CUSTOM_API_VERSIONS:
            yield f"{ref(doc)}: {api_version} {kind} is no known built-in nor expected custom kind"


def check_namespace(rendering: Rendering) -> Iterator[str]:
    namespace = rendering.named("Namespace", NAMESPACE)
    if namespace is None:
        yield f"Namespace {NAMESPACE} is not part of the rendering"
        return
    labels = namespace["metadata"].get("labels", {}) or {}
    for key, value in PSS_LABELS.items():
        if labels.get(key) != value:
            yield f"Namespace {NAMESPACE}: label {key} is {labels.get(key)!r}, not {value!r}"
