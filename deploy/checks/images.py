"""Every image that is not built from this repository is pinned by tag and digest.

A tag says which release it is; the digest makes it that exact image, whatever happens to
the tag later. deploy/README.md ("Images") says where each digest comes from. An image
whose digest is not known yet may be listed in AWAITING_DIGEST with the reason; the check
names it each time instead of failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from model import Doc, Rendering, ref

PINNED = re.compile(r"^[^@\s]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[0-9a-f]{64}$")
# image (as written, without digest) -> why it has none yet.
AWAITING_DIGEST: dict[str, str] = {}
# The broker series with community support (deploy/README.md, "Upgrade").
RABBITMQ_MIN_MAJOR = 4


def unpinned(image: str, where: str) -> Iterator[str]:
    if PINNED.match(image):
        return
    if image in AWAITING_DIGEST:
        return
    yield f"{where}: image {image!r} is not pinned as name:tag@sha256:<digest>"


def third_party_images(rendering: Rendering) -> Iterator[tuple[str, str]]:
    """(image, where) of everything the operators and workloads pull that is not ours."""
    for broker in rendering.kind("RabbitmqCluster"):
        yield str(broker["spec"].get("image", "")), ref(broker)
    for cluster in rendering.kind("Cluster"):
        yield str(cluster["spec"].get("imageName", "")), ref(cluster)
    for pooler in rendering.kind("Pooler"):
        spec = ((pooler["spec"].get("template") or {}).get("spec")) or {}
        for container in spec.get("containers", []) or []:
            yield str(container.get("image", "")), f"{ref(pooler)} container {container['name']}"
    for doc, pod in rendering.workloads():
        labels = pod.get("metadata", {}).get("labels", {}) or {}
        for container in pod.get("spec", {}).get("containers", []) or []:
            ours = labels.get("app.kubernetes.io/part-of") == "teilhabe"
            if not (ours and container.get("name") == "app"):
                yield str(container.get("image", "")), f"{ref(doc)} container {container['name']}"


def check_k8s_images(rendering: Rendering) -> Iterator[str]:
    for image, where in third_party_images(rendering):
        yield from unpinned(image, where)
        name, _, tag = image.split("@")[0].rpartition(":")
        if name.rsplit("/", 1)[-1] == "rabbitmq":
            major = re.match(r"(\d+)\.", tag)
            if not major or int(major.group(1)) < RABBITMQ_MIN_MAJOR:
                yield f"{where}: RabbitMQ {tag} is out of community support; use 4.x"


def dockerfile_images(text: str) -> Iterator[str]:
    """The syntax frontend and every base image of a Dockerfile (not its own stages)."""
    stages: set[str] = set()
    syntax = re.search(r"^#\s*syntax=(\S+)", text, flags=re.M)
    if syntax:
        yield from unpinned(syntax.group(1), "syntax frontend")
    for image, alias in re.findall(
        r"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I
    ):
        if image not in stages:
            yield from unpinned(image, f"FROM {image.split('@')[0]}")
        if alias:
            stages.add(alias)


def compose_images(services: dict[str, Doc]) -> Iterator[str]:
    for name, spec in services.items():
        image = str(spec.get("image", ""))
        if spec.get("build") or image.startswith("teilhabe-"):
            continue  # built from this repository
        yield from unpinned(image, name)
