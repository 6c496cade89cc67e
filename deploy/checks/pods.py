"""The project's own rules for every pod the manifests run.

The generic hardening rules are checkov's (deploy/checks/delegated.py lists which check
stands for which rule, and its self-test plants each mistake for checkov to find): host
namespaces, root, privilege escalation, privileged, capabilities, seccomp, read-only root
filesystem, host ports, limits, probes present, image tag, service account token. What
stays here is what only this project knows: the user the image is built for, the volume
types the namespace's Pod Security Standard admits, requests (checkov's request checks do
not look at Jobs), the probes' paths and the one writable path, /tmp.
"""

from __future__ import annotations

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
PROBE_PATHS = {"livenessProbe": "/health/live", "readinessProbe": "/health/ready"}


def effective_security(pod: Doc, container: Doc) -> Doc:
    merged = dict(pod.get("spec", {}).get("securityContext", {}) or {})
    merged.update(container.get("securityContext", {}) or {})
    return merged


def check_pod_identity(doc: Doc, pod: Doc) -> Iterator[str]:
    """The image's user (deploy/images/Dockerfile) and the volumes PSS "restricted" admits."""
    for volume in pod.get("spec", {}).get("volumes", []) or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            yield f"{ref(doc)}: volume {volume.get('name')} of type {sorted(kinds)} not allowed"
    for container in containers(pod):
        user = effective_security(pod, container).get("runAsUser")
        if user != RUN_AS_USER:
            yield (
                f"{ref(doc)} container {container.get('name')}: runAsUser is {user!r}, "
                f"not {RUN_AS_USER} (the image's user)"
            )


def check_requests(doc: Doc, pod: Doc) -> Iterator[str]:
    for container in containers(pod):
        requests = (container.get("resources", {}) or {}).get("requests") or {}
        for resource in ("cpu", "memory"):
            if resource not in requests:
                yield f"{ref(doc)} container {container.get('name')}: no requests.{resource}"


def check_probe_paths(doc: Doc, pod: Doc) -> Iterator[str]:
    for container in pod.get("spec", {}).get("containers", []) or []:
        for probe, path in PROBE_PATHS.items():
            spec = container.get(probe)
            if spec and (spec.get("httpGet") or {}).get("path") != path:
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


def on_workloads(
    rendering: Rendering, check: WorkloadCheck, kinds: set[str] | None = None
) -> list[str]:
    return [
        problem
        for doc, pod in rendering.workloads()
        if kinds is None or doc["kind"] in kinds
        for problem in check(doc, pod)
    ]
