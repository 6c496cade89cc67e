"""The Ingress: what it routes where, and what it must not pass to the internet."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from model import SERVICES, Rendering, ref
from settings import UI_STATIC_PATH, environment, ui_url_setting


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
