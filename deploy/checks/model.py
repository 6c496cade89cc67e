"""What every check works on: the rendered documents, their pods, the report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
WorkloadCheck = Callable[[Doc, Doc], Iterable[str]]

NAMESPACE = "teilhabe"
SERVICES = ("intake", "housing", "courses", "volunteers", "notifications")
RUN_AS_USER = 10001
# The only writable path of the read-only root filesystem (an emptyDir), not a temp file.
TMP = "/tmp"  # noqa: S108
WORKLOAD_KINDS = {"Deployment", "Job", "StatefulSet", "DaemonSet", "Pod", "CronJob"}

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


def summarize(report: Report) -> int:
    print(f"policy: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0
