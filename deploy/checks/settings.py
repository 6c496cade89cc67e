"""The settings contract of the services, and credentials only by reference."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from model import SERVICES, Doc, Rendering, ref

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
# Only the process that sends mail holds the SMTP account.
SMTP_CREDENTIALS = {"SMTP_USERNAME", "SMTP_PASSWORD"}
MAIL_SENDER = ("notifications", "consumer")
# The staff tools (pages at /ui of the api; shared/src/teilhabe/ui/settings.py): what the
# api needs besides, and the address of every tool its navigation lists.
REQUIRED_UI_SETTINGS = {"UI_COOKIE_SECURE", "UI_TOOLS", "AUDIT_KEY"}
UI_STATIC_PATH = "/static/"
SECRET_SETTINGS = {
    "DATABASE_PASSWORD",
    "DATABASE_OWNER_PASSWORD",
    "AUDIT_KEY",
    "AMQP_PASSWORD",
    "SMTP_PASSWORD",
    "UI_OIDC_CLIENT_SECRET",
}


def ui_tools(value: str | None) -> list[str]:
    """The tools of a UI_TOOLS value (comma-separated)."""
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def ui_url_setting(tool: str) -> str:
    return f"UI_{tool.upper()}_URL"


VAR_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
# user:password@ written into a URL literally (a $(VAR) reference is fine).
LITERAL_CREDENTIAL = re.compile(r"://[^/\s:@$]+:(?!\$\()[^@\s]+@")


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
            if (service, component) == MAIL_SENDER:
                required |= SMTP_SETTINGS
            elif held := sorted(SMTP_CREDENTIALS & defined.keys()):
                yield f"{where}: holds {', '.join(held)} but sends no mail"
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


# The database roles of a service: the owner migrates, the app role runs everything else.
DB_ROLES = ("owner", "app")
OWNER_ENV = {"DATABASE_OWNER_USER", "DATABASE_OWNER_PASSWORD", "DATABASE_MIGRATION_URL"}


# Secrets that operations create before the first apply (deploy/README.md, "Secrets"),
# with the keys the manifests read from them.
OPERATIONS_SECRETS = {
    "notifications-smtp": {"username", "password"},
    "teilhabe-backup-s3": {"ACCESS_KEY_ID", "ACCESS_SECRET_KEY"},
    "teilhabe-api-tls": {"tls.crt", "tls.key"},
    "teilhabe-audit-key": {"key"},
    # The two database roles of each service (type kubernetes.io/basic-auth).
    **{
        f"{service}-db-{role}": {"username", "password"}
        for service in SERVICES
        for role in DB_ROLES
    },
}


def generated_secrets(rendering: Rendering) -> dict[str, set[str]]:
    """Secrets the operators create for the custom resources in the rendering, with their keys."""
    secrets: dict[str, set[str]] = {}
    for cluster in rendering.kind("Cluster"):
        initdb = ((cluster["spec"].get("bootstrap") or {}).get("initdb")) or {}
        if initdb.get("secret"):
            continue  # the owner's password is given, nothing generated
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


def secret_of(var: Doc) -> str | None:
    return ((var.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name")


def check_database_roles(rendering: Rendering) -> Iterator[str]:
    """The owner role migrates, in the migrate Job only; everything else runs as the app role."""
    for cluster in rendering.kind("Cluster"):
        name = cluster["metadata"]["name"]
        service = name.removesuffix("-db")
        initdb = (cluster["spec"].get("bootstrap") or {}).get("initdb") or {}
        if initdb.get("owner") != f"{service}_owner":
            yield f"{ref(cluster)}: initdb owner is {initdb.get('owner')!r}, not {service}_owner"
        if (initdb.get("secret") or {}).get("name") != f"{service}-db-owner":
            yield f"{ref(cluster)}: initdb takes the owner's password from no {service}-db-owner"
        roles = {r.get("name"): r for r in (cluster["spec"].get("managed") or {}).get("roles", [])}
        app = roles.get(f"{service}_app")
        if app is None:
            yield f"{ref(cluster)}: no managed role {service}_app"
            continue
        if app.get("login") is not True or app.get("ensure", "present") != "present":
            yield f"{ref(cluster)}: role {service}_app cannot log in"
        if (app.get("passwordSecret") or {}).get("name") != f"{service}-db-app":
            yield f"{ref(cluster)}: role {service}_app takes its password from no {service}-db-app"
        for flag in ("superuser", "createdb", "createrole", "replication", "bypassrls"):
            if app.get(flag):
                yield f"{ref(cluster)}: role {service}_app has {flag}"
        if not isinstance(app.get("connectionLimit"), int) or app["connectionLimit"] < 1:
            yield f"{ref(cluster)}: role {service}_app has no connectionLimit"
    for doc, pod in rendering.workloads():
        labels = pod.get("metadata", {}).get("labels", {}) or {}
        if labels.get("app.kubernetes.io/part-of") != "teilhabe":
            continue
        service = labels.get("app.kubernetes.io/name")
        migrates = labels.get("app.kubernetes.io/component") == "migrate"
        for container in pod.get("spec", {}).get("containers", []) or []:
            env = {v["name"]: v for v in container.get("env", []) or []}
            where = f"{ref(doc)} container {container.get('name')}"
            if secret_of(env.get("DATABASE_USER", {})) != f"{service}-db-app":
                yield f"{where}: DATABASE_USER is not the app role's ({service}-db-app)"
            owner_refs = sorted(
                n for n, v in env.items() if n in OWNER_ENV or secret_of(v) == f"{service}-db-owner"
            )
            if migrates and secret_of(env.get("DATABASE_OWNER_USER", {})) != f"{service}-db-owner":
                yield f"{where}: migrates without the owner's credentials ({service}-db-owner)"
            if migrates and "DATABASE_MIGRATION_URL" not in env:
                yield f"{where}: no DATABASE_MIGRATION_URL: the migration would run as the app role"
            if not migrates and owner_refs:
                yield f"{where}: holds the database owner's {', '.join(owner_refs)}"
