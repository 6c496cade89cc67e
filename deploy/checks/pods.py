"""Rules for every pod the manifests run: security context, resources, image, probes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from model import RUN_AS_USER, TMP, Doc, Rendering, WorkloadCheck, containers, ref

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


def on_workloads(
    rendering: Rendering, check: WorkloadCheck, kinds: set[str] | None = None
) -> list[str]:
    return [
        problem
        for doc, pod in rendering.workloads()
        if kinds is None or doc["kind"] in kinds
        for problem in check(doc, pod)
    ]
