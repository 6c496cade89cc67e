#!/usr/bin/env python3
"""Deployment policy of Teilhabe, checked offline on rendered manifests.

    policy.py k8s RENDERED.yaml...        rules for each rendered overlay
    policy.py split RENDERED.yaml OUTDIR  built-in kinds -> OUTDIR/builtin.yaml,
                                          custom resources are listed as skipped
    policy.py compose deploy/compose.yaml rules for the local compose file
    policy.py image deploy/images/Dockerfile
                                          Dockerfile and its .dockerignore agree; the
                                          image builds the staff tools' assets itself
    policy.py selftest RENDERED.yaml      breaks a good rendering in known ways and
                                          fails unless every break is caught

Each rule prints PASS or FAIL with the objects at fault; the exit status is 1 if any
rule failed. Only PyYAML is needed. deploy/check.sh runs all of this; see deploy/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from compose import run_compose
from image import run_image
from model import Rendering, Report, load_all, summarize
from objects import BUILTIN_API_VERSIONS, CUSTOM_API_VERSIONS
from rules import k8s_rules
from selftest import run_selftest


def run_k8s(paths: list[Path], ingress_namespace: str) -> int:
    report = Report()
    for path in paths:
        print(f"== {path}")
        for title, problems in k8s_rules(Rendering(path, load_all(path)), ingress_namespace):
            report.rule(title, problems)
    return summarize(report)


def run_split(path: Path, out_dir: Path) -> int:
    """Write the built-in kinds for kubernetes-validate and list what it cannot check."""
    out_dir.mkdir(parents=True, exist_ok=True)
    builtin, skipped = [], []
    for doc in load_all(path):
        if doc.get("kind") in BUILTIN_API_VERSIONS:
            builtin.append(doc)
        else:
            skipped.append(doc)
    (out_dir / "builtin.yaml").write_text(
        yaml.safe_dump_all(builtin, sort_keys=False), encoding="utf-8"
    )
    groups: dict[tuple[str, str], list[str]] = {}
    for doc in skipped:
        groups.setdefault((str(doc.get("apiVersion")), str(doc.get("kind"))), []).append(
            doc["metadata"]["name"]
        )
    for (api_version, kind), names in sorted(groups.items()):
        operator = CUSTOM_API_VERSIONS.get((api_version, kind), "an unknown operator")
        print(
            f"SKIP  {len(names)} x {kind} ({api_version}, {operator}): custom resource, no schema "
            f"offline; its apiVersion is checked by policy.py ({', '.join(names)})"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    k8s = commands.add_parser("k8s")
    k8s.add_argument("rendered", nargs="+", type=Path)
    k8s.add_argument("--ingress-namespace", default="ingress-nginx")
    split = commands.add_parser("split")
    split.add_argument("rendered", type=Path)
    split.add_argument("out_dir", type=Path)
    compose = commands.add_parser("compose")
    compose.add_argument("compose_file", type=Path)
    image = commands.add_parser("image")
    image.add_argument("dockerfile", type=Path)
    selftest = commands.add_parser("selftest")
    selftest.add_argument("rendered", type=Path)
    selftest.add_argument("--ingress-namespace", default="ingress-nginx")
    args = parser.parse_args()
    if args.command == "k8s":
        return run_k8s(args.rendered, args.ingress_namespace)
    if args.command == "split":
        return run_split(args.rendered, args.out_dir)
    if args.command == "compose":
        return run_compose(args.compose_file)
    if args.command == "selftest":
        return run_selftest(args.rendered, args.ingress_namespace)
    return run_image(args.dockerfile)


if __name__ == "__main__":
    sys.exit(main())
