#!/usr/bin/env python3
"""Deployment policy of Teilhabe, checked offline on rendered manifests.

    policy.py k8s RENDERED.yaml...        rules for each rendered overlay
    policy.py split RENDERED.yaml OUTDIR  built-in kinds -> OUTDIR/builtin.yaml,
                                          custom resources are listed as skipped
    policy.py compose deploy/compose.yaml rules for the local compose file
    policy.py image deploy/images/Dockerfile
                                          Dockerfile and its .dockerignore agree; the
                                          image builds the staff tools' assets itself
    policy.py selftest RENDERED.yaml      breaks a good rendering in known ways and
                                          fails unless every break is caught

Each rule prints PASS or FAIL with the objects at fault; the exit status is 1 if any
rule failed. Only PyYAML is needed. deploy/check.sh runs all of this; see deploy/README.md.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

Doc = dict[str, Any]
WorkloadCheck = Callable[[Doc, Doc], Iterable[str]]

NAMESPACE = "teilhabe"
SERVICES = ("intake", "housing", "courses", "volunteers", "notifications")
RUN_AS_USER = 10001
# The only writable path of the read-only root filesystem (an emptyDir), not a temp file.
TMP = "/tmp"  # noqa: S108
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
# Custom resources of the operators the overlays rely on. kubernetes-validate has no
# schema for them; the operators' admission and CRD schemas check them at apply time.
CUSTOM_API_VERSIONS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "RabbitMQ Cluster Operator",
    ("rabbitmq.com/v1beta1", "Vhost"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "User"): "Messaging Topology Operator",
    ("rabbitmq.com/v1beta1", "Permission"): "Messaging Topology Operator",
    ("postgresql.cnpg.io/v1", "Cluster"): "CloudNativePG",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "CloudNativePG",
    ("barmancloud.cnpg.io/v1", "ObjectStore"): "CloudNativePG Barman Cloud Plugin",
}
CLUSTER_SCOPED = {"Namespace"}
# Volume types the Pod Security Standard "restricted" allows.
RESTRICTED_VOLUME_TYPES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
# Upgrade, first phase (deploy/README.md, "Upgrade"): everything but the long-running
# processes and the scheduled jobs, i.e. settings, data tier, policies and the migration Jobs.
MIGRATION_PHASE = ("app.kubernetes.io/component", {"api", "relay", "consumer", "purge-clearances"})
WORKLOAD_KINDS = {"Deployment", "Job", "StatefulSet", "DaemonSet", "Pod", "CronJob"}

# Scheduled jobs (CronJobs) count the days of the city. In Europe/Berlin the hour from
# 02:00 to 02:59 is skipped on the last Sunday of March and repeated on the last Sunday of
# October: a job scheduled in it would not run, or run twice, on those days.
CRONJOB_TIME_ZONE = "Europe/Berlin"
CRONJOB_AMBIGUOUS_HOURS = {2}
CRONJOB_MAX_HISTORY = 5
CRONJOB_MACROS = {
    "@yearly": 0,
    "@annually": 0,
    "@monthly": 0,
    "@weekly": 0,
    "@daily": 0,
    "@midnight": 0,
    "@hourly": None,
}
# What a CronJob's pod takes over from its service's migration Job (deploy/k8s/components/
# service copies it): the same image, security, settings, credentials and /tmp.
CRONJOB_POD_FIELDS = (
    "serviceAccountName",
    "automountServiceAccountToken",
    "enableServiceLinks",
    "securityContext",
    "volumes",
)
CRONJOB_CONTAINER_FIELDS = (
    "image",
    "imagePullPolicy",
    "securityContext",
    "envFrom",
    "env",
    "volumeMounts",
)

# The settings contract of the services (deploy/README.md, "Configure").
REQUIRED_SETTINGS = {
    "SERVICE_NAME",
    "DATABASE_URL",
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_JWKS_URL",
    "HTTP_HOST",
    "HTTP_PORT",
    "LOG_LEVEL",
    "LOG_JSON",
}
REQUIRED_RUNTIME_SETTINGS = {"AMQP_URL", "EVENT_EXCHANGE"}  # api, relay, consumer
SMTP_SETTINGS = {
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_FROM",
    "SMTP_STARTTLS",
}
# The staff tools (pages at /ui of the api; shared/src/teilhabe/ui/settings.py): what the
# api needs besides, and the address of every tool its navigation lists.
REQUIRED_UI_SETTINGS = {"UI_SESSION_SECRET", "UI_COOKIE_SECURE", "UI_TOOLS"}
UI_STATIC_PATH = "/static/"
SECRET_SETTINGS = {
    "DATABASE_PASSWORD",
    "AMQP_PASSWORD",
    "SMTP_PASSWORD",
    "UI_SESSION_SECRET",
    "UI_OIDC_CLIENT_SECRET",
}


def ui_tools(value: str | None) -> list[str]:
    """The tools of a UI_TOOLS value (comma-separated)."""
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def ui_url_setting(tool: str) -> str:
    return f"UI_{tool.upper()}_URL"


DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
VAR_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
# user:password@ written into a URL literally (a $(VAR) reference is fine).
LITERAL_CREDENTIAL = re.compile(r"://[^/\s:@$]+:(?!\$\()[^@\s]+@")


# --- reporting -------------------------------------------------------------------------


@dataclass
class Report:
    failed: int = 0
    passed: int = 0

    def rule(self, title: str, problems: Iterable[str]) -> None:
        problems = list(problems)
        if problems:
            self.failed += 1
            print(f"FAIL  {title}")
            for problem in problems:
                print(f"        - {problem}")
        else:
            self.passed += 1
            print(f"PASS  {title}")


def load_all(path: Path) -> list[Doc]:
    with path.open(encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc]


def ref(doc: Doc) -> str:
    meta = doc.get("metadata", {})
    return f"{doc.get('kind')}/{meta.get('name')}"


# --- pods and containers ----------------------------------------------------------------


def pod_template(doc: Doc) -> Doc | None:
    """The pod a workload runs; a CronJob's is that of the Jobs it creates."""
    kind = doc.get("kind")
    if kind == "Pod":
        return {"metadata": doc.get("metadata", {}), "spec": doc.get("spec", {})}
    if kind == "CronJob":
        template: Doc | None = (
            doc.get("spec", {}).get("jobTemplate", {}).get("spec", {}).get("template")
        )
        return template
    if kind in WORKLOAD_KINDS:
        template = doc.get("spec", {}).get("template")
        return template
    return None


def containers(pod: Doc) -> Iterator[Doc]:
    spec = pod.get("spec", {})
    yield from spec.get("initContainers", []) or []
    yield from spec.get("containers", []) or []


def effective_security(pod: Doc, container: Doc) -> Doc:
    merged = dict(pod.get("spec", {}).get("securityContext", {}) or {})
    merged.update(container.get("securityContext", {}) or {})
    return merged


def check_security_context(doc: Doc, pod: Doc) -> Iterator[str]:
    spec = pod.get("spec", {})
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            yield f"{ref(doc)}: {flag} is set"
    for volume in spec.get("volumes", []) or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            yield f"{ref(doc)}: volume {volume.get('name')} of type {sorted(kinds)} not allowed"
    for container in containers(pod):
        name = f"{ref(doc)} container {container.get('name')}"
        sec = effective_security(pod, container)
        if sec.get("runAsNonRoot") is not True:
            yield f"{name}: runAsNonRoot is not true"
        if sec.get("runAsUser") != RUN_AS_USER:
            yield f"{name}: runAsUser is {sec.get('runAsUser')!r}, not {RUN_AS_USER}"
        if sec.get("readOnlyRootFilesystem") is not True:
            yield f"{name}: readOnlyRootFilesystem is not true"
        if sec.get("allowPrivilegeEscalation") is not False:
            yield f"{name}: allowPrivilegeEscalation is not false"
        if sec.get("privileged"):
            yield f"{name}: privileged"
        caps = sec.get("capabilities", {}) or {}
        if "ALL" not in (caps.get("drop") or []):
            yield f"{name}: capabilities.drop does not contain ALL"
        if caps.get("add"):
            yield f"{name}: capabilities.add {caps['add']}"
        if (sec.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            yield f"{name}: seccompProfile.type is not RuntimeDefault"
        if any(port.get("hostPort") for port in container.get("ports", []) or []):
            yield f"{name}: uses a hostPort"


def check_resources(doc: Doc, pod: Doc) -> Iterator[str]:
    for container in containers(pod):
        resources = container.get("resources", {}) or {}
        for section in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in (resources.get(section) or {}):
                    yield f"{ref(doc)} container {container.get('name')}: no {section}.{resource}"


def check_image(doc: Doc, pod: Doc) -> Iterator[str]:
    for container in containers(pod):
        image = str(container.get("image", ""))
        name = f"{ref(doc)} container {container.get('name')}"
        if not image:
            yield f"{name}: no image"
            continue
        if "@sha256:" in image:
            continue
        last = image.rsplit("/", 1)[-1]
        if ":" not in last:
            yield f"{name}: image {image} has no tag (means :latest)"
        elif last.rsplit(":", 1)[1] == "latest":
            yield f"{name}: image {image} uses :latest"
        elif not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", last.rsplit(":", 1)[1]):
            yield f"{name}: image {image} has an invalid tag"


def check_probes(doc: Doc, pod: Doc) -> Iterator[str]:
    expected = {"livenessProbe": "/health/live", "readinessProbe": "/health/ready"}
    for container in pod.get("spec", {}).get("containers", []) or []:
        for probe, path in expected.items():
            spec = container.get(probe)
            if not spec:
                yield f"{ref(doc)} container {container.get('name')}: no {probe}"
            elif (spec.get("httpGet") or {}).get("path") != path:
                yield f"{ref(doc)} container {container.get('name')}: {probe} is not GET {path}"


def check_tmp(doc: Doc, pod: Doc) -> Iterator[str]:
    volumes = {v.get("name"): v for v in pod.get("spec", {}).get("volumes", []) or []}
    for container in pod.get("spec", {}).get("containers", []) or []:
        mounts = {
            m.get("mountPath"): m.get("name") for m in container.get("volumeMounts", []) or []
        }
        volume = volumes.get(mounts.get(TMP))
        if not volume or "emptyDir" not in volume:
            yield f"{ref(doc)} container {container.get('name')}: no emptyDir at {TMP}"


def check_token(doc: Doc, pod: Doc) -> Iterator[str]:
    if pod.get("spec", {}).get("automountServiceAccountToken") is not False:
        yield f"{ref(doc)}: automountServiceAccountToken is not false"


# --- settings and references ------------------------------------------------------------


@dataclass
class Rendering:
    path: Path
    docs: list[Doc]
    by_kind: dict[str, list[Doc]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for doc in self.docs:
            self.by_kind.setdefault(str(doc.get("kind")), []).append(doc)

    def kind(self, kind: str) -> list[Doc]:
        return self.by_kind.get(kind, [])

    def named(self, kind: str, name: str) -> Doc | None:
        return next((d for d in self.kind(kind) if d["metadata"].get("name") == name), None)

    def workloads(self) -> Iterator[tuple[Doc, Doc]]:
        for doc in self.docs:
            pod = pod_template(doc)
            if pod is not None:
                yield doc, pod


def environment(
    rendering: Rendering, doc: Doc, container: Doc
) -> Iterator[tuple[str, str | None, str]]:
    """(name, literal value or None, origin) of each variable, in the order Kubernetes sets them."""
    for source in container.get("envFrom", []) or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            name = source["configMapRef"].get("name")
            config_map = rendering.named("ConfigMap", name)
            if config_map is None:
                yield "", None, f"missing ConfigMap {name}"
                continue
            for key, value in (config_map.get("data") or {}).items():
                yield prefix + key, str(value), f"ConfigMap {name}"
        elif "secretRef" in source:
            # Keys of a referenced Secret are unknown offline.
            yield "", None, f"Secret {source['secretRef'].get('name')} (all keys)"
    for var in container.get("env", []) or []:
        if "value" in var:
            yield var["name"], str(var["value"]), "value"
        else:
            origin = next(iter((var.get("valueFrom") or {}).keys()), "valueFrom")
            yield var["name"], None, origin


def check_settings(rendering: Rendering) -> Iterator[str]:
    for doc, pod in rendering.workloads():
        labels = pod.get("metadata", {}).get("labels", {}) or {}
        if labels.get("app.kubernetes.io/part-of") != "teilhabe":
            continue
        service = labels.get("app.kubernetes.io/name")
        component = labels.get("app.kubernetes.io/component")
        for container in pod.get("spec", {}).get("containers", []) or []:
            where = f"{ref(doc)} container {container.get('name')}"
            defined: dict[str, tuple[str | None, str]] = {}
            secret_refs = []
            for name, value, origin in environment(rendering, doc, container):
                if origin.startswith("missing"):
                    yield f"{where}: envFrom references a {origin[8:]} not in the rendering"
                    continue
                if origin.startswith("Secret") and not name:
                    secret_refs.append(origin)
                    continue
                if value is not None and origin == "value":
                    for referenced in VAR_REF.findall(value):
                        if referenced not in defined:
                            yield f"{where}: {name} uses $({referenced}), not defined before it"
                    if LITERAL_CREDENTIAL.search(value):
                        yield f"{where}: {name} carries a literal user:password in its URL"
                if name in SECRET_SETTINGS and origin not in ("secretKeyRef",):
                    yield f"{where}: {name} comes from {origin}, not from a Secret"
                defined[name] = (value, origin)
            required = set(REQUIRED_SETTINGS)
            if component in ("api", "relay", "consumer"):
                required |= REQUIRED_RUNTIME_SETTINGS
            if component == "api":
                required |= REQUIRED_UI_SETTINGS
                tools = ui_tools(defined.get("UI_TOOLS", (None, ""))[0])
                for tool in tools:
                    if tool not in SERVICES:
                        yield f"{where}: UI_TOOLS names {tool!r}, which is no service"
                    required.add(ui_url_setting(tool))
                secure = defined.get("UI_COOKIE_SECURE", (None, ""))
                if "UI_COOKIE_SECURE" in defined and str(secure[0]).lower() != "true":
                    yield (
                        f"{where}: UI_COOKIE_SECURE is {secure[0]!r}: the staff tools' session "
                        "cookie must go over HTTPS only"
                    )
            if service == "notifications":
                required |= SMTP_SETTINGS
            missing = sorted(required - defined.keys())
            if missing and not secret_refs:
                yield f"{where}: settings missing: {', '.join(missing)}"
            if defined.get("SERVICE_NAME", (None, ""))[0] not in (None, service):
                yield f"{where}: SERVICE_NAME is {defined['SERVICE_NAME'][0]!r}, pod is {service!r}"
            ports = {
                p.get("name"): p.get("containerPort") for p in container.get("ports", []) or []
            }
            http_port = defined.get("HTTP_PORT", (None, ""))[0]
            if "http" in ports and str(ports["http"]) != str(http_port):
                yield f"{where}: HTTP_PORT {http_port} but container port http is {ports['http']}"
    for config_map in rendering.kind("ConfigMap"):
        for key in config_map.get("data", {}) or {}:
            if re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY", key):
                yield f"{ref(config_map)}: key {key} looks like a credential; use a Secret"


def check_no_secrets(rendering: Rendering) -> Iterator[str]:
    for secret in rendering.kind("Secret"):
        yield f"{ref(secret)} is defined in the manifests; create it in the cluster instead"
    for doc in rendering.docs:
        text = yaml.safe_dump(doc)
        if re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", text):
            yield f"{ref(doc)}: contains a private key"


# Secrets that operations create before the first apply (deploy/README.md, "Secrets"),
# with the keys the manifests read from them.
OPERATIONS_SECRETS = {
    "notifications-smtp": {"username", "password"},
    "teilhabe-backup-s3": {"ACCESS_KEY_ID", "ACCESS_SECRET_KEY"},
    "teilhabe-api-tls": {"tls.crt", "tls.key"},
    "teilhabe-ui-session": {"secret"},
}


def generated_secrets(rendering: Rendering) -> dict[str, set[str]]:
    """Secrets the operators create for the custom resources in the rendering, with their keys."""
    secrets: dict[str, set[str]] = {}
    for cluster in rendering.kind("Cluster"):
        secrets[f"{cluster['metadata']['name']}-app"] = {
            "username",
            "password",
            "host",
            "port",
            "dbname",
            "uri",
        }
    for user in rendering.kind("User"):
        secrets[f"{user['metadata']['name']}-user-credentials"] = {"username", "password"}
    for broker in rendering.kind("RabbitmqCluster"):
        secrets[f"{broker['metadata']['name']}-default-user"] = {"username", "password"}
    return secrets


def secret_references(doc: Doc) -> Iterator[tuple[str, str | None]]:
    """(secret name, key or None for all keys) of every reference in a manifest."""

    def walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str | None]]:
        if isinstance(node, dict):
            if path and path[-1] == "secretKeyRef":
                yield str(node.get("name")), str(node.get("key"))
            elif path and path[-1] == "secretRef":
                yield str(node.get("name")), None
            elif "s3Credentials" in path and "name" in node and "key" in node:
                yield node["name"], node["key"]
            for key, value in node.items():
                yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, path)

    yield from walk(doc, ())
    if doc.get("kind") == "Ingress":
        for tls in doc.get("spec", {}).get("tls", []) or []:
            if tls.get("secretName"):
                yield tls["secretName"], "tls.crt"


def check_secret_references(rendering: Rendering) -> Iterator[str]:
    known = {**generated_secrets(rendering), **OPERATIONS_SECRETS}
    for doc in rendering.docs:
        for name, key in secret_references(doc):
            if name not in known:
                yield (
                    f"{ref(doc)}: references Secret {name}, which no operator in the rendering "
                    "creates "
                    f"and which is not among the documented operations secrets"
                )
            elif key is not None and key not in known[name]:
                keys = sorted(known[name])
                yield f"{ref(doc)}: references key {key!r} of Secret {name}, which has {keys}"


# --- objects that belong together -------------------------------------------------------


def selector_matches(selector: Doc | None, labels: dict[str, str]) -> bool:
    """Kubernetes label selector semantics (matchLabels and matchExpressions)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


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


def ingress_backend(rendering: Rendering, host: str, path: str) -> tuple[str, str] | None:
    """(Ingress, Service) that a request for `host` and `path` reaches: longest match wins."""
    best: tuple[int, int, str, str] | None = None
    for ingress in rendering.kind("Ingress"):
        for rule in ingress["spec"].get("rules", []) or []:
            if rule.get("host") != host:
                continue
            for entry in (rule.get("http") or {}).get("paths", []) or []:
                prefix, kind = str(entry.get("path", "/")), entry.get("pathType")
                if kind == "Exact":
                    matches = path == prefix
                else:
                    root = prefix.rstrip("/")
                    matches = not root or path == root or path.startswith(root + "/")
                if matches:
                    rank = (len(prefix), 1 if kind == "Exact" else 0)
                    service = str(entry["backend"]["service"]["name"])
                    if best is None or rank > best[:2]:
                        best = (*rank, ref(ingress), service)
    return None if best is None else (best[2], best[3])


def check_staff_tools(rendering: Rendering) -> Iterator[str]:
    """With an Ingress, every staff tool's address is served, over HTTPS, by its own api."""
    if not rendering.kind("Ingress"):
        return
    tls_hosts = {
        host
        for ingress in rendering.kind("Ingress")
        for tls in ingress["spec"].get("tls", []) or []
        for host in tls.get("hosts", []) or []
    }
    settings: dict[str, tuple[str, str]] = {}
    for doc, pod in rendering.workloads():
        labels = pod.get("metadata", {}).get("labels", {}) or {}
        if labels.get("app.kubernetes.io/component") != "api":
            continue
        for container in pod.get("spec", {}).get("containers", []) or []:
            for name, value, _ in environment(rendering, doc, container):
                if name.startswith("UI_") and name.endswith("_URL") and value is not None:
                    settings.setdefault(name, (value, ref(doc)))
    for tool in SERVICES:
        if ui_url_setting(tool) not in settings:
            continue
        url, where = settings[ui_url_setting(tool)]
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https":
            yield f"{where}: {ui_url_setting(tool)} {url} is not an https address"
        if host not in tls_hosts:
            yield f"{where}: {ui_url_setting(tool)} names {host!r}, which no Ingress TLS covers"
        for path in (parts.path or "/", UI_STATIC_PATH):
            routed = ingress_backend(rendering, host, path)
            if routed is None:
                yield f"{where}: no Ingress routes {host}{path} ({ui_url_setting(tool)})"
            elif routed[1] != f"{tool}-api":
                yield (
                    f"{routed[0]}: {host}{path} goes to Service {routed[1]}, not {tool}-api "
                    f"({ui_url_setting(tool)})"
                )


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


def cron_hours(field: str) -> set[int] | None:
    """The hours of a cron hour field; None for every hour ("*", "*/n") or an unreadable field."""
    if field.startswith("*"):
        return None
    hours: set[int] = set()
    for part in field.split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?(?:/(\d+))?", part)
        if not match:
            return None
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else start
        step = int(match.group(3)) if match.group(3) else 1
        if match.group(3) and not match.group(2):
            end = 23
        hours.update(range(start, end + 1, step))
    return hours


def check_cronjobs(rendering: Rendering) -> Iterator[str]:
    """Scheduled jobs: city time, no overlap, short history, bounded, the pod of the service."""
    for cronjob in rendering.kind("CronJob"):
        name = ref(cronjob)
        spec = cronjob.get("spec", {}) or {}
        job = (spec.get("jobTemplate") or {}).get("spec", {}) or {}
        pod = job.get("template", {}) or {}
        schedule = str(spec.get("schedule", "")).split()
        if spec.get("timeZone") != CRONJOB_TIME_ZONE:
            yield (
                f"{name}: timeZone is {spec.get('timeZone')!r}, not {CRONJOB_TIME_ZONE!r} "
                "(without it the schedule follows the zone of the controller manager)"
            )
        if len(schedule) == 1 and schedule[0] in CRONJOB_MACROS:
            hour = CRONJOB_MACROS[schedule[0]]
            hours = None if hour is None else {hour}
        elif len(schedule) == 5:
            hours = cron_hours(schedule[1])
        else:
            yield f"{name}: schedule {spec.get('schedule')!r} is not five cron fields"
            hours = None
        if hours and hours & CRONJOB_AMBIGUOUS_HOURS:
            yield (
                f"{name}: schedule {spec.get('schedule')!r} runs between 02:00 and 02:59, an hour "
                "skipped in March and repeated in October in Europe/Berlin"
            )
        if spec.get("concurrencyPolicy") != "Forbid":
            yield f"{name}: concurrencyPolicy is {spec.get('concurrencyPolicy')!r}, not 'Forbid'"
        for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            limit = spec.get(key)
            if not isinstance(limit, int) or not 0 <= limit <= CRONJOB_MAX_HISTORY:
                yield f"{name}: {key} is {limit!r}, not set to at most {CRONJOB_MAX_HISTORY}"
        for key in ("backoffLimit", "activeDeadlineSeconds"):
            if not isinstance(job.get(key), int):
                yield f"{name}: jobTemplate sets no {key}"
        if (pod.get("spec") or {}).get("restartPolicy") not in ("Never", "OnFailure"):
            yield f"{name}: restartPolicy of its pods is not Never or OnFailure"
        yield from same_pod_as_migration(rendering, cronjob, pod)


def same_pod_as_migration(rendering: Rendering, cronjob: Doc, pod: Doc) -> Iterator[str]:
    """A CronJob's pod runs like its service's migration Job: image, security, settings."""
    service = (pod.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/name")
    wanted = {"app.kubernetes.io/name": service, "app.kubernetes.io/component": "migrate"}
    migration = next(
        (
            job
            for job in rendering.kind("Job")
            if selector_matches(
                {"matchLabels": wanted}, job["spec"]["template"]["metadata"].get("labels") or {}
            )
        ),
        None,
    )
    if migration is None:
        yield f"{ref(cronjob)}: no migration Job of service {service!r} to run like"
        return
    spec, reference = pod.get("spec", {}) or {}, migration["spec"]["template"]["spec"]
    for key in CRONJOB_POD_FIELDS:
        if spec.get(key) != reference.get(key):
            yield f"{ref(cronjob)}: pod {key} differs from {ref(migration)}"

    def app(pod_spec: Doc) -> Doc:
        found = (c for c in pod_spec.get("containers", []) or [] if c.get("name") == "app")
        return next(found, {})

    container, reference_container = app(spec), app(reference)
    if not container:
        yield f"{ref(cronjob)}: no container app"
        return
    for key in CRONJOB_CONTAINER_FIELDS:
        if container.get(key) != reference_container.get(key):
            yield f"{ref(cronjob)}: container app {key} differs from {ref(migration)}"


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


# --- network policies ------------------------------------------------------------------


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
    dns = Peer("cluster DNS", {"k8s-app": "kube-dns"}, namespace="kube-system")
    ingress_controller = Peer(
        f"ingress controller ({ingress_namespace})", {"app": "controller"}, ingress_namespace
    )
    outside = Peer("an address outside the cluster", namespace=None, ip="203.0.113.7")
    stranger = Peer("a pod in namespace default", {"app": "other"}, namespace="default")

    # Every pod is isolated in both directions by some policy (default deny).
    for peer in [p for _, p in workloads] + [*databases.values(), *brokers]:
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
        yield from expect(peer, outside, 587, service == "notifications")
        if service != "notifications":
            yield from expect(peer, outside, 443, False)
    if not brokers:
        yield "no RabbitmqCluster in the rendering"


# --- commands ----------------------------------------------------------------------------


def on_workloads(
    rendering: Rendering, check: WorkloadCheck, kinds: set[str] | None = None
) -> list[str]:
    return [
        problem
        for doc, pod in rendering.workloads()
        if kinds is None or doc["kind"] in kinds
        for problem in check(doc, pod)
    ]


def k8s_rules(rendering: Rendering, ingress_namespace: str) -> list[tuple[str, Iterable[str]]]:
    """Every rule of a rendered overlay with the problems it found."""
    return [
        (
            "apiVersions: built-in kinds current, custom resources expected",
            check_api_versions(rendering),
        ),
        ("names and namespace of every object", check_names(rendering)),
        ("namespace enforces Pod Security Standard 'restricted'", check_namespace(rendering)),
        ("no Secret defined, credentials only by reference", check_no_secrets(rendering)),
        (
            "every referenced Secret is generated by an operator or documented for operations",
            check_secret_references(rendering),
        ),
        (
            "restricted security context on every container",
            on_workloads(rendering, check_security_context),
        ),
        (
            "resource requests and limits on every container",
            on_workloads(rendering, check_resources),
        ),
        ("image tags pinned (no :latest, no missing tag)", on_workloads(rendering, check_image)),
        ("an emptyDir for temporary files", on_workloads(rendering, check_tmp)),
        ("no service account token mounted", on_workloads(rendering, check_token)),
        (
            "liveness and readiness probes on every Deployment",
            on_workloads(rendering, check_probes, {"Deployment"}),
        ),
        ("settings complete, $(VAR) references resolvable", check_settings(rendering)),
        (
            "every Deployment has a PodDisruptionBudget and an autoscaler",
            check_pdb_hpa(rendering),
        ),
        ("Services select pods, Ingress backends exist", check_services_and_ingress(rendering)),
        (
            "staff tools: settings' addresses served over HTTPS by their own api (/ui, /static)",
            check_staff_tools(rendering),
        ),
        (
            "upgrade phases: migration Jobs and what they need before the processes",
            check_upgrade_phases(rendering),
        ),
        (
            "CronJobs: city time zone, no overlap, short history, bounded, the service's pod",
            check_cronjobs(rendering),
        ),
        (
            "NetworkPolicies: default deny, DNS, broker, own database only, ingress, egress",
            check_network_policies(rendering, ingress_namespace),
        ),
    ]


def run_k8s(paths: list[Path], ingress_namespace: str) -> int:
    report = Report()
    for path in paths:
        print(f"== {path}")
        for title, problems in k8s_rules(Rendering(path, load_all(path)), ingress_namespace):
            report.rule(title, problems)
    return summarize(report)


def run_split(path: Path, out_dir: Path) -> int:
    """Write the built-in kinds for kubernetes-validate and list what it cannot check."""
    out_dir.mkdir(parents=True, exist_ok=True)
    builtin, skipped = [], []
    for doc in load_all(path):
        if doc.get("kind") in BUILTIN_API_VERSIONS:
            builtin.append(doc)
        else:
            skipped.append(doc)
    (out_dir / "builtin.yaml").write_text(
        yaml.safe_dump_all(builtin, sort_keys=False), encoding="utf-8"
    )
    groups: dict[tuple[str, str], list[str]] = {}
    for doc in skipped:
        groups.setdefault((str(doc.get("apiVersion")), str(doc.get("kind"))), []).append(
            doc["metadata"]["name"]
        )
    for (api_version, kind), names in sorted(groups.items()):
        operator = CUSTOM_API_VERSIONS.get((api_version, kind), "an unknown operator")
        print(
            f"SKIP  {len(names)} x {kind} ({api_version}, {operator}): custom resource, no schema "
            f"offline; its apiVersion is checked by policy.py ({', '.join(names)})"
        )
    return 0


def run_compose(path: Path) -> int:
    report = Report()
    compose = yaml.safe_load(path.read_text(encoding="utf-8"))
    services: dict[str, Doc] = compose.get("services", {})
    base = path.parent
    print(f"== {path}")

    def references() -> Iterator[str]:
        for name, spec in services.items():
            for dependency, condition in (spec.get("depends_on") or {}).items():
                if dependency not in services:
                    yield f"{name}: depends on unknown service {dependency}"
                if isinstance(condition, dict) and condition.get("condition") not in (
                    "service_started",
                    "service_healthy",
                    "service_completed_successfully",
                ):
                    yield f"{name}: unknown condition {condition}"
            for volume in spec.get("volumes", []) or []:
                source = str(volume).split(":", 1)[0]
                if source.startswith("."):
                    if not (base / source).exists():
                        yield f"{name}: bind mount source {source} does not exist"
                elif source not in (compose.get("volumes") or {}):
                    yield f"{name}: named volume {source} is not declared"
            build = spec.get("build")
            if build:
                context = base / build.get("context", ".")
                if not (context / build.get("dockerfile", "Dockerfile")).exists():
                    yield f"{name}: Dockerfile {build.get('dockerfile')} not found in {context}"

    def images() -> Iterator[str]:
        for name, spec in services.items():
            image = str(spec.get("image", ""))
            last = image.rsplit("/", 1)[-1]
            if ":" not in last or last.endswith(":latest"):
                yield f"{name}: image {image!r} is not pinned to a tag"

    def per_service() -> Iterator[str]:
        for service in SERVICES:
            for process in ("migrate", "api", "relay", "consumer"):
                name = f"{service}-{process}"
                spec = services.get(name)
                if spec is None:
                    yield f"{name}: missing"
                    continue
                if spec.get("command") != [process]:
                    yield f"{name}: command is {spec.get('command')}, not [{process}]"
                if (spec.get("build") or {}).get("args", {}).get("SERVICE") != service:
                    yield f"{name}: not built with SERVICE={service}"
                env = spec.get("environment") or {}
                required = REQUIRED_SETTINGS | REQUIRED_RUNTIME_SETTINGS
                if process == "api":
                    required |= REQUIRED_UI_SETTINGS
                    for tool in ui_tools(env.get("UI_TOOLS")):
                        if tool not in SERVICES:
                            yield f"{name}: UI_TOOLS names {tool!r}, which is no service"
                        required |= {ui_url_setting(tool)}
                if service == "notifications":
                    required |= SMTP_SETTINGS
                missing = sorted(required - env.keys())
                if missing:
                    yield f"{name}: settings missing: {', '.join(missing)}"
                if env.get("SERVICE_NAME") != service:
                    yield f"{name}: SERVICE_NAME is {env.get('SERVICE_NAME')!r}"
                if not str(env.get("DATABASE_URL", "")).endswith(f"/{service}"):
                    yield f"{name}: DATABASE_URL does not point at database {service}"
                if process == "migrate":
                    if spec.get("restart") != "no":
                        yield f"{name}: a one-shot container needs restart: 'no'"
                    continue
                condition = (spec.get("depends_on") or {}).get(f"{service}-migrate", {})
                if condition.get("condition") != "service_completed_successfully":
                    yield f"{name}: does not wait for {service}-migrate to complete successfully"

    def hardening() -> Iterator[str]:
        for name, spec in services.items():
            if not (spec.get("build") or str(spec.get("image", "")).startswith("teilhabe-")):
                continue
            if str(spec.get("user", "")).split(":")[0] != str(RUN_AS_USER):
                yield f"{name}: does not run as {RUN_AS_USER}"
            if spec.get("read_only") is not True:
                yield f"{name}: root filesystem not read-only"
            if "ALL" not in (spec.get("cap_drop") or []):
                yield f"{name}: capabilities not dropped"

    def databases() -> Iterator[str]:
        init = base / "compose" / "postgres-init.sql"
        text = init.read_text(encoding="utf-8") if init.exists() else ""
        for service in SERVICES:
            if not re.search(rf"CREATE DATABASE {service};", text):
                yield f"{init}: does not create database {service}"

    report.rule("references: depends_on, volumes, build contexts", references())
    report.rule("images pinned to tags", images())
    report.rule("api, relay, consumer and one-shot migrate per service", per_service())
    report.rule("service containers run non-root, read-only, without capabilities", hardening())
    report.rule("postgres init script creates every service database", databases())
    return summarize(report)


# What the image build makes itself and must never take from the build context: the npm
# packages of the staff tools and the KERN files copied out of them (deploy/images/Dockerfile,
# stages ui-packages and ui-assets).
BUILD_MADE_PATHS = ("**/node_modules", "**/static/vendor")


def ignore_pattern_matches(path: str, pattern: str) -> bool:
    """Whether a `**/x` or plain .dockerignore pattern excludes `path` or a folder above it."""
    import fnmatch

    parts = path.strip("/").split("/")
    anywhere = pattern.startswith("**/")
    pattern = pattern.removeprefix("**/").rstrip("/")
    size = pattern.count("/") + 1
    starts = range(len(parts)) if anywhere else range(1)
    return any(fnmatch.fnmatchcase("/".join(parts[i : i + size]), pattern) for i in starts)


def dockerfile_stages(text: str) -> list[tuple[str, str]]:
    """(base image, instructions) of every stage, in order."""
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    return [(stage.split()[0], stage) for stage in stages]


def run_image(dockerfile: Path) -> int:
    report = Report()
    text = dockerfile.read_text(encoding="utf-8")
    ignore_file = dockerfile.with_name(dockerfile.name + ".dockerignore")
    print(f"== {dockerfile}")
    lines = (
        [line.strip() for line in ignore_file.read_text().splitlines()]
        if ignore_file.exists()
        else []
    )
    included = {line[1:].strip().rstrip("/") for line in lines if line.startswith("!")}
    excluded = [line for line in lines if line and line[0] not in "#!" and line != "*"]

    def ignore() -> Iterator[str]:
        if not ignore_file.exists():
            yield f"{ignore_file} missing"
            return
        sources = re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+?) \S+$", text, flags=re.M)
        sources += re.findall(r"type=bind,source=([^,\s]+)", text)
        for group in sources:
            for source in group.split():
                path = source.rstrip("/")
                if not any(path == entry or path.startswith(entry + "/") for entry in included):
                    yield f"{source} is copied but not re-included in {ignore_file.name}"
                for pattern in excluded:
                    if ignore_pattern_matches(path, pattern):
                        yield f"{source} is copied but {ignore_file.name} excludes it ({pattern})"

    def built_assets() -> Iterator[str]:
        for pattern in BUILD_MADE_PATHS:
            if pattern not in excluded:
                yield (
                    f"{ignore_file.name} does not exclude {pattern}: the image would carry "
                    "whatever the building machine has there instead of what the build makes"
                )
        if not re.search(r"^\s*npm ci\b.*--ignore-scripts", text, flags=re.M):
            yield "no stage installs the staff tools' npm packages with `npm ci --ignore-scripts`"
        if not re.search(r"\bpython3?\s+\S*assets\.py\b", text):
            yield "no stage copies the KERN files with assets.py"
        stages = dockerfile_stages(text)
        if stages:
            base, final = stages[-1]
            node_stages = [
                name
                for image, stage in stages[:-1]
                if image.startswith("node")
                for name in re.findall(r"\A\S+\s+AS\s+(\S+)", stage, flags=re.I)
            ]
            if base.startswith("node") or re.search(r"\bnpm\b|\bnode_modules\b", final):
                yield "the final stage has node, npm or node_modules"
            for name in node_stages:
                if re.search(rf"^COPY --from={re.escape(name)}\b", final, flags=re.M):
                    yield f"the final stage copies from the node stage {name}"

    def user() -> Iterator[str]:
        users = re.findall(r"^USER (\S+)", text, flags=re.M)
        if not users or users[-1].split(":")[0] != str(RUN_AS_USER):
            last = users[-1] if users else None
            yield f"final USER is {last}, not {RUN_AS_USER} (runAsUser of the manifests)"

    report.rule(
        "build context: every COPY/bind source is in the .dockerignore allow-list", ignore()
    )
    report.rule(
        "staff tools' assets built in the image (npm ci, assets.py), no node in the final stage",
        built_assets(),
    )
    report.rule("image user matches runAsUser of the manifests", user())
    return summarize(report)


def run_selftest(path: Path, ingress_namespace: str) -> int:
    """Break a good rendering in known ways; each break must be caught by its rule."""
    import copy

    good = load_all(path)
    broken_rules = [
        t for t, problems in k8s_rules(Rendering(path, good), ingress_namespace) if list(problems)
    ]
    if broken_rules:
        print(f"FAIL  self-test needs a rendering that passes the policy; {path} fails:")
        for title in broken_rules:
            print(f"        - {title}")
        return 1

    def first(docs: list[Doc], kind: str, name_part: str = "") -> Doc:
        return next(d for d in docs if d["kind"] == kind and name_part in d["metadata"]["name"])

    def container(docs: list[Doc], kind: str = "Deployment", name_part: str = "intake-api") -> Doc:
        pod = pod_template(first(docs, kind, name_part))
        assert pod is not None
        found: Doc = pod["spec"]["containers"][0]
        return found

    def purge(docs: list[Doc]) -> Doc:
        return first(docs, "CronJob", "volunteers-purge-clearances")

    def env_var(docs: list[Doc], name: str) -> Doc:
        return next(v for v in container(docs)["env"] if v["name"] == name)

    def writable_root(docs: list[Doc]) -> None:
        del container(docs, "Job", "migrate")["securityContext"]["readOnlyRootFilesystem"]

    def root_user(docs: list[Doc]) -> None:
        container(docs)["securityContext"]["runAsUser"] = 0

    def latest_tag(docs: list[Doc]) -> None:
        container(docs, name_part="housing-relay")["image"] = (
            "registry.example.org/teilhabe/housing:latest"
        )

    def no_limits(docs: list[Doc]) -> None:
        del container(docs, name_part="courses-consumer")["resources"]["limits"]

    def no_readiness(docs: list[Doc]) -> None:
        del container(docs, name_part="volunteers-api")["readinessProbe"]

    def secret_value(docs: list[Doc]) -> None:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "intake-db-app", "namespace": NAMESPACE},
                "stringData": {"password": "hunter2"},
            }
        )

    def literal_password(docs: list[Doc]) -> None:
        env_var(docs, "DATABASE_URL")["value"] = (
            "postgresql+asyncpg://intake:hunter2@intake-db-rw:5432/intake"
        )

    def env_order(docs: list[Doc]) -> None:
        env = container(docs)["env"]
        url = next(v for v in env if v["name"] == "DATABASE_URL")
        env.remove(url)
        env.insert(0, url)

    def removed_api_version(docs: list[Doc]) -> None:
        first(docs, "PodDisruptionBudget")["apiVersion"] = "policy/v1beta1"

    def unknown_kind(docs: list[Doc]) -> None:
        docs.append(
            {
                "apiVersion": "example.org/v1",
                "kind": "Widget",
                "metadata": {"name": "w", "namespace": NAMESPACE},
            }
        )

    def no_pss_label(docs: list[Doc]) -> None:
        del first(docs, "Namespace")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]

    def no_hpa(docs: list[Doc]) -> None:
        docs.remove(first(docs, "HorizontalPodAutoscaler", "notifications-consumer"))

    def no_pdb(docs: list[Doc]) -> None:
        docs.remove(first(docs, "PodDisruptionBudget", "intake-relay"))

    def no_default_deny(docs: list[Doc]) -> None:
        docs.remove(first(docs, "NetworkPolicy", "default-deny"))

    def foreign_database(docs: list[Doc]) -> None:
        policy = first(docs, "NetworkPolicy", "intake-to-database")
        policy["spec"]["egress"][0]["to"].append(
            {"podSelector": {"matchLabels": {"cnpg.io/cluster": "housing-db"}}}
        )
        other = first(docs, "NetworkPolicy", "housing-database")
        other["spec"]["ingress"][0]["from"].append(
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "intake"}}}
        )

    def open_egress(docs: list[Doc]) -> None:
        policy = first(docs, "NetworkPolicy", "services-to-broker")
        policy["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})

    def wrong_secret(docs: list[Doc]) -> None:
        env_var(docs, "DATABASE_PASSWORD")["valueFrom"]["secretKeyRef"]["name"] = "SERVICE-db-app"

    def unlabelled_deployment(docs: list[Doc]) -> None:
        del first(docs, "Deployment", "housing-consumer")["metadata"]["labels"][
            "app.kubernetes.io/component"
        ]

    def bad_job_name(docs: list[Doc]) -> None:
        first(docs, "Job")["metadata"]["name"] = "intake-migrate-1.4.0_RC1"

    def cronjob_escalation(docs: list[Doc]) -> None:
        sec = container(docs, "CronJob", "volunteers-purge-clearances")["securityContext"]
        sec["allowPrivilegeEscalation"] = True

    def cronjob_in_skipped_hour(docs: list[Doc]) -> None:
        purge(docs)["spec"]["schedule"] = "30 2 * * *"

    def cronjob_other_image(docs: list[Doc]) -> None:
        app = container(docs, "CronJob", "volunteers-purge-clearances")
        app["image"] = app["image"].rsplit(":", 1)[0] + ":0.0.9"

    def cronjob_to_broker(docs: list[Doc]) -> None:
        egress = first(docs, "NetworkPolicy", "services-to-broker")["spec"]["podSelector"]
        broker = next(
            d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "broker"
        )
        ingress = broker["spec"]["ingress"][0]["from"][0]
        for selector in (egress, ingress["podSelector"]):
            selector["matchExpressions"][0]["values"].append("purge-clearances")

    def cronjob_first_phase(docs: list[Doc]) -> None:
        del purge(docs)["metadata"]["labels"]["app.kubernetes.io/component"]

    def settings_data(docs: list[Doc]) -> dict[str, str]:
        data: dict[str, str] = first(docs, "ConfigMap", "teilhabe-settings")["data"]
        return data

    def ui_secret_value(docs: list[Doc]) -> None:
        variable = env_var(docs, "UI_SESSION_SECRET")
        del variable["valueFrom"]
        variable["value"] = "hunter2"

    def ui_cookie_insecure(docs: list[Doc]) -> None:
        settings_data(docs)["UI_COOKIE_SECURE"] = "false"

    def ui_tool_without_address(docs: list[Doc]) -> None:
        del settings_data(docs)["UI_HOUSING_URL"]

    def ui_url_off_ingress(docs: list[Doc]) -> None:
        settings_data(docs)["UI_INTAKE_URL"] = "https://intake.other.example/ui/"

    def ui_static_elsewhere(docs: list[Doc]) -> None:
        ingress = first(docs, "Ingress")
        rule = next(r for r in ingress["spec"]["rules"] if r["host"].startswith("housing."))
        rule["http"]["paths"].append(
            {
                "path": "/static",
                "pathType": "Prefix",
                "backend": {"service": {"name": "intake-api", "port": {"name": "http"}}},
            }
        )

    mutations: list[
        tuple[str, Callable[[list[Doc]], None], Callable[[Rendering], Iterable[str]]]
    ] = [
        (
            "writable root filesystem in a Job",
            writable_root,
            lambda r: wl(r, check_security_context),
        ),
        ("container running as root", root_user, lambda r: wl(r, check_security_context)),
        ("image tagged :latest", latest_tag, lambda r: wl(r, check_image)),
        ("container without limits", no_limits, lambda r: wl(r, check_resources)),
        ("Deployment without readiness probe", no_readiness, lambda r: probes(r)),
        ("Secret with a value in the manifests", secret_value, check_no_secrets),
        ("password written into DATABASE_URL", literal_password, check_settings),
        ("$(VAR) used before it is defined", env_order, check_settings),
        ("PodDisruptionBudget on removed policy/v1beta1", removed_api_version, check_api_versions),
        ("unknown custom resource", unknown_kind, check_api_versions),
        ("namespace without PSS enforce label", no_pss_label, check_namespace),
        ("Deployment without autoscaler", no_hpa, check_pdb_hpa),
        ("Deployment without disruption budget", no_pdb, check_pdb_hpa),
        (
            "no default-deny policy",
            no_default_deny,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        (
            "service reaching another service's database",
            foreign_database,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        ("egress to anywhere", open_egress, lambda r: check_network_policies(r, ingress_namespace)),
        ("release with characters invalid in a name", bad_job_name, check_names),
        ("credential from a Secret nobody creates", wrong_secret, check_secret_references),
        (
            "Deployment that would roll out before its migration",
            unlabelled_deployment,
            check_upgrade_phases,
        ),
        (
            "CronJob container allowing privilege escalation",
            cronjob_escalation,
            lambda r: wl(r, check_security_context),
        ),
        ("CronJob scheduled in the hour skipped in March", cronjob_in_skipped_hour, check_cronjobs),
        ("CronJob running another image than its service", cronjob_other_image, check_cronjobs),
        (
            "CronJob pods reaching the broker",
            cronjob_to_broker,
            lambda r: check_network_policies(r, ingress_namespace),
        ),
        ("CronJob that would run before its migration", cronjob_first_phase, check_upgrade_phases),
        ("staff tools' session key written as a value", ui_secret_value, check_settings),
        ("staff tools' session cookie sent over HTTP", ui_cookie_insecure, check_settings),
        ("staff tool in UI_TOOLS without its address", ui_tool_without_address, check_settings),
        (
            "staff tool address on a host the Ingress does not serve",
            ui_url_off_ingress,
            check_staff_tools,
        ),
        ("a tool's /static routed to another service", ui_static_elsewhere, check_staff_tools),
    ]

    def wl(rendering: Rendering, check: Callable[[Doc, Doc], Iterable[str]]) -> list[str]:
        return [p for doc, pod in rendering.workloads() for p in check(doc, pod)]

    def probes(rendering: Rendering) -> list[str]:
        return [
            p
            for doc, pod in rendering.workloads()
            if doc["kind"] == "Deployment"
            for p in check_probes(doc, pod)
        ]

    report = Report()
    print(f"== self-test on {path}")
    for title, mutate, rule in mutations:
        docs = copy.deepcopy(good)
        try:
            mutate(docs)
        except StopIteration:
            report.rule(f"policy catches: {title}", ["the rendering has no object to break"])
            continue
        problems = list(rule(Rendering(path, docs)))
        report.rule(
            f"policy catches: {title}" + (f" ({problems[0]})" if problems else ""),
            [] if problems else ["the broken manifest passed"],
        )
    return summarize(report)


def summarize(report: Report) -> int:
    print(f"policy: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    k8s = commands.add_parser("k8s")
    k8s.add_argument("rendered", nargs="+", type=Path)
    k8s.add_argument("--ingress-namespace", default="ingress-nginx")
    split = commands.add_parser("split")
    split.add_argument("rendered", type=Path)
    split.add_argument("out_dir", type=Path)
    compose = commands.add_parser("compose")
    compose.add_argument("compose_file", type=Path)
    image = commands.add_parser("image")
    image.add_argument("dockerfile", type=Path)
    selftest = commands.add_parser("selftest")
    selftest.add_argument("rendered", type=Path)
    selftest.add_argument("--ingress-namespace", default="ingress-nginx")
    args = parser.parse_args()
    if args.command == "k8s":
        return run_k8s(args.rendered, args.ingress_namespace)
    if args.command == "split":
        return run_split(args.rendered, args.out_dir)
    if args.command == "compose":
        return run_compose(args.compose_file)
    if args.command == "selftest":
        return run_selftest(args.rendered, args.ingress_namespace)
    return run_image(args.dockerfile)


if __name__ == "__main__":
    sys.exit(main())
