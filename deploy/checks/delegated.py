"""Rules left to checkov, and a self-test that checkov really enforces each of them.

`policy.py delegated RENDERED --checkov BIN` copies objects of a good rendering, plants one
mistake in each copy (renamed selftest-<mistake>), runs checkov once over them with
deploy/.checkov.yaml, and fails unless every copy fails the check that stands for its rule
and the unchanged copy fails none of them. So a checkov upgrade that drops or renames a
check, or a skip added to deploy/.checkov.yaml, cannot silently turn a rule off.
"""

from __future__ import annotations

import copy
import json
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml
from model import Doc, Report, load_all, pod_template, summarize

Mutation = Callable[[Doc], None]
CONFIG = Path(__file__).resolve().parent.parent / ".checkov.yaml"


def app(doc: Doc) -> Doc:
    pod = pod_template(doc)
    assert pod is not None
    container: Doc = pod["spec"]["containers"][0]
    return container


def pod_spec(doc: Doc) -> Doc:
    pod = pod_template(doc)
    assert pod is not None
    spec: Doc = pod["spec"]
    return spec


def security(doc: Doc) -> Doc:
    context: Doc = app(doc)["securityContext"]
    return context


def run_as_root(doc: Doc) -> None:
    for context in (security(doc), pod_spec(doc)["securityContext"]):
        context.pop("runAsNonRoot", None)
        context["runAsUser"] = 0


def no_seccomp(doc: Doc) -> None:
    security(doc).pop("seccompProfile", None)
    pod_spec(doc)["securityContext"].pop("seccompProfile", None)


# rule, object kind to break (Deployment, Job, CronJob), the mistake, checkov's check IDs
# (any of which must fail on it).
DELEGATED: list[tuple[str, str, Mutation, set[str]]] = [
    (
        "host network",
        "Deployment",
        lambda d: pod_spec(d).update(hostNetwork=True),
        {"CKV_K8S_19"},
    ),
    ("host PID", "Deployment", lambda d: pod_spec(d).update(hostPID=True), {"CKV_K8S_17"}),
    ("host IPC", "Deployment", lambda d: pod_spec(d).update(hostIPC=True), {"CKV_K8S_18"}),
    ("runs as root", "Deployment", run_as_root, {"CKV_K8S_23"}),
    (
        "writable root filesystem",
        "Job",
        lambda d: security(d).pop("readOnlyRootFilesystem"),
        {"CKV_K8S_22"},
    ),
    (
        "privilege escalation",
        "CronJob",
        lambda d: security(d).update(allowPrivilegeEscalation=True),
        {"CKV_K8S_20"},
    ),
    ("privileged", "Deployment", lambda d: security(d).update(privileged=True), {"CKV_K8S_16"}),
    (
        "capabilities not dropped",
        "Deployment",
        lambda d: security(d)["capabilities"].pop("drop"),
        {"CKV_K8S_37"},
    ),
    (
        "capability added",
        "Deployment",
        lambda d: security(d)["capabilities"].update(add=["NET_ADMIN"]),
        {"CKV_K8S_25"},
    ),
    ("no seccomp profile", "Deployment", no_seccomp, {"CKV_K8S_31"}),
    (
        "host port",
        "Deployment",
        lambda d: app(d)["ports"][0].update(hostPort=8000),
        {"CKV_K8S_26"},
    ),
    (
        "no limits",
        "Deployment",
        lambda d: app(d)["resources"].pop("limits"),
        {"CKV_K8S_11", "CKV_K8S_13"},
    ),
    ("no liveness probe", "Deployment", lambda d: app(d).pop("livenessProbe"), {"CKV_K8S_8"}),
    ("no readiness probe", "Deployment", lambda d: app(d).pop("readinessProbe"), {"CKV_K8S_9"}),
    (
        "image tagged latest",
        "Deployment",
        lambda d: app(d).update(image="registry.example.org/teilhabe/intake:latest"),
        {"CKV_K8S_14"},
    ),
    (
        "image without tag",
        "Job",
        lambda d: app(d).update(image="registry.example.org/teilhabe/intake"),
        {"CKV_K8S_14"},
    ),
    (
        "service account token mounted",
        "CronJob",
        lambda d: pod_spec(d).update(automountServiceAccountToken=True),
        {"CKV_K8S_38"},
    ),
]


def planted(good: list[Doc]) -> tuple[list[Doc], dict[str, set[str]]]:
    """The broken copies (and an unchanged one), with the checks each must fail."""
    originals = {kind: next(d for d in good if d["kind"] == kind) for _, kind, _, _ in DELEGATED}
    docs: list[Doc] = []
    expected: dict[str, set[str]] = {}
    unchanged = copy.deepcopy(originals["Deployment"])
    unchanged["metadata"]["name"] = "selftest-unchanged"
    docs.append(unchanged)
    for title, kind, mutate, checks in DELEGATED:
        doc = copy.deepcopy(originals[kind])
        name = "selftest-" + title.replace(" ", "-")
        doc["metadata"]["name"] = name
        mutate(doc)
        docs.append(doc)
        expected[name] = checks
    return docs, expected


def failed_checks(checkov: str, directory: Path) -> dict[str, set[str]]:
    """checkov's failed check IDs by object name."""
    command = [checkov, "--config-file", str(CONFIG), "--framework", "kubernetes"]
    result = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [*command, "-d", str(directory), "-o", "json", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    found: dict[str, set[str]] = defaultdict(set)
    for entry in reports:
        for failure in entry.get("results", {}).get("failed_checks", []):
            for part in str(failure["resource"]).split("."):
                if part.startswith("selftest-"):
                    found[part].add(failure["check_id"])
    return found


def run_delegated(path: Path, checkov: str) -> int:
    docs, expected = planted(load_all(path))
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "planted.yaml").write_text(
            yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8"
        )
        found = failed_checks(checkov, Path(directory))
    report = Report()
    print(f"== rules left to checkov, planted in copies of {path}")
    every = set().union(*expected.values())
    report.rule(
        "checkov passes the unchanged copy on every delegated check",
        [f"selftest-unchanged fails {sorted(found['selftest-unchanged'] & every)}"]
        if found["selftest-unchanged"] & every
        else [],
    )
    for name, checks in expected.items():
        hit = found[name] & checks
        report.rule(
            f"checkov catches: {name.removeprefix('selftest-').replace('-', ' ')} "
            f"({', '.join(sorted(hit or checks))})",
            [] if hit else [f"{name} passed checkov's {sorted(checks)}"],
        )
    return summarize(report)
