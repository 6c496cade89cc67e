"""Rules for deploy/compose.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from images import compose_images
from model import RUN_AS_USER, SERVICES, Doc, Report, summarize
from settings import (
    REQUIRED_RUNTIME_SETTINGS,
    REQUIRED_SETTINGS,
    REQUIRED_UI_SETTINGS,
    SMTP_SETTINGS,
    ui_tools,
    ui_url_setting,
)


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
        yield from compose_images(services)

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
    report.rule("images not built here pinned by tag and digest", images())
    report.rule("api, relay, consumer and one-shot migrate per service", per_service())
    report.rule("service containers run non-root, read-only, without capabilities", hardening())
    report.rule("postgres init script creates every service database", databases())
    return summarize(report)
