"""Rules for deploy/images/Dockerfile and its .dockerignore."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from images import dockerfile_images
from model import RUN_AS_USER, Report, summarize

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
    report.rule("syntax frontend and base images pinned by tag and digest", dockerfile_images(text))
    return summarize(report)
