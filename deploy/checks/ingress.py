"""The Ingress: what it routes where, and what it must not pass to the internet."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from model import SERVICES, Doc, Rendering, ref
from settings import UI_STATIC_PATH, environment, ui_url_setting

# What the api serves for its own operation or for developers, never for the internet: the
# interactive API documentation, the schema, the metrics and the probes.
NOT_PUBLIC_PATHS = (
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/openapi.json",
    "/metrics",
    "/health/live",
    "/health/ready",
)
DENYLIST = "nginx.ingress.kubernetes.io/denylist-source-range"
BODY_SIZE = "nginx.ingress.kubernetes.io/proxy-body-size"
# The application's default of max_request_body_bytes (shared/src/teilhabe/config.py).
DEFAULT_MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024
NGINX_SIZE = re.compile(r"(\d+)([kKmMgG]?)")


def nginx_size(value: str) -> int | None:
    """Bytes of an nginx size ("8m" is 8 MiB, as client_max_body_size reads it)."""
    match = NGINX_SIZE.fullmatch(value.strip())
    if not match:
        return None
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(match.group(1)) * factor


def ingress_backend(rendering: Rendering, host: str, path: str) -> tuple[str, str] | None:
    """(Ingress, Service) that a request for `host` and `path` reaches: longest match wins."""
    found = ingress_route(rendering, host, path)
    return None if found is None else (ref(found[0]), found[1])


def ingress_route(rendering: Rendering, host: str, path: str) -> tuple[Doc, str] | None:
    """(Ingress, Service) that a request for `host` and `path` reaches: longest match wins."""
    best: tuple[int, int, Doc, str] | None = None
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
                        best = (*rank, ingress, service)
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


def denies_everyone(ingress: Doc) -> bool:
    """Whether ingress-nginx answers 403 to every client address for this Ingress's paths."""
    ranges = str((ingress["metadata"].get("annotations") or {}).get(DENYLIST, ""))
    networks = []
    for item in ranges.split(","):
        try:
            networks.append(ipaddress.ip_network(item.strip()))
        except ValueError:
            continue
    return any(n.prefixlen == 0 and n.version == 4 for n in networks) and any(
        n.prefixlen == 0 and n.version == 6 for n in networks
    )


def check_not_public(rendering: Rendering) -> Iterator[str]:
    """The API documentation, the schema, metrics and probes never reach the internet."""
    hosts = {
        rule.get("host")
        for ingress in rendering.kind("Ingress")
        for rule in ingress["spec"].get("rules", []) or []
    }
    for host in sorted(str(h) for h in hosts):
        for path in NOT_PUBLIC_PATHS:
            routed = ingress_route(rendering, host, path)
            if routed is not None and not denies_everyone(routed[0]):
                yield (
                    f"{ref(routed[0])}: {host}{path} goes to Service {routed[1]} for any client "
                    f"(route it through an Ingress with {DENYLIST}: 0.0.0.0/0,::/0)"
                )


def api_body_limits(rendering: Rendering) -> dict[str, int]:
    """max_request_body_bytes of each api's Service, as its pods' settings give it."""
    limits: dict[str, int] = {}
    for doc, pod in rendering.workloads():
        labels = pod.get("metadata", {}).get("labels", {}) or {}
        if labels.get("app.kubernetes.io/component") != "api":
            continue
        for container in pod.get("spec", {}).get("containers", []) or []:
            for name, value, _ in environment(rendering, doc, container):
                if name == "MAX_REQUEST_BODY_BYTES" and value is not None and value.isdigit():
                    limits[f"{labels.get('app.kubernetes.io/name')}-api"] = int(value)
        limits.setdefault(
            f"{labels.get('app.kubernetes.io/name')}-api", DEFAULT_MAX_REQUEST_BODY_BYTES
        )
    return limits


def check_body_size(rendering: Rendering) -> Iterator[str]:
    """The ingress admits exactly the request bodies the application admits."""
    limits = api_body_limits(rendering)
    for ingress in rendering.kind("Ingress"):
        if denies_everyone(ingress):
            continue
        annotation = (ingress["metadata"].get("annotations") or {}).get(BODY_SIZE)
        allowed = nginx_size(str(annotation)) if annotation is not None else None
        for rule in ingress["spec"].get("rules", []) or []:
            for entry in (rule.get("http") or {}).get("paths", []) or []:
                service = str(entry["backend"]["service"]["name"])
                if service in limits and allowed != limits[service]:
                    yield (
                        f"{ref(ingress)}: {BODY_SIZE} is {annotation!r} ({allowed} bytes) but "
                        f"{service} accepts {limits[service]} bytes (MAX_REQUEST_BODY_BYTES)"
                    )
                    return
