#!/usr/bin/env python3
"""Deployment policy of Teilhabe, checked offline on rendered manifests.

    policy.py k8s RENDERED.yaml...        rules for each rendered overlay
    policy.py split RENDERED.yaml OUTDIR  built-in kinds -> OUTDIR/builtin.yaml (for
                                          kubernetes-validate)
    policy.py crds RENDERED.yaml...       custom resources against the vendored CRDs
    policy.py compose deploy/compose.yaml rules for the local compose file
    policy.py image deploy/images/Dockerfile
                                          Dockerfile and its .dockerignore agree; the
                                          image builds the staff tools' assets itself
    policy.py selftest RENDERED.yaml      breaks a good rendering in known ways and
                                          fails unless every break is caught
    policy.py delegated RENDERED.yaml --checkov BIN
                                          plants a mistake for each rule left to
                                          checkov and fails unless checkov finds it

Each rule prints PASS or FAIL with the objects at fault; the exit status is 1 if any
rule failed. Needs PyYAML and jsonschema. deploy/check.sh runs all of this; see deploy/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from compose import run_compose
from crds import custom_resource_problems
from delegated import run_delegated
from image import run_image
from model import Rendering, Report, load_all, summarize
from objects import BUILTIN_API_VERSIONS
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
    """Write the built-in kinds for kubernetes-validate (custom resources: `crds`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    builtin = [doc for doc in load_all(path) if doc.get("kind") in BUILTIN_API_VERSIONS]
    (out_dir / "builtin.yaml").write_text(
        yaml.safe_dump_all(builtin, sort_keys=False), encoding="utf-8"
    )
    return 0


def run_crds(paths: list[Path]) -> int:
    """Every custom resource of each rendering against the vendored CRD of its operator."""
    report = Report()
    for path in paths:
        docs = load_all(path)
        custom = [d for d in docs if d.get("kind") not in BUILTIN_API_VERSIONS]
        kinds = sorted({str(d.get("kind")) for d in custom})
        report.rule(
            f"{path.name}: {len(custom)} custom resources ({', '.join(kinds)}) valid against the "
            "vendored CRDs, unknown fields refused",
            custom_resource_problems(docs, set(BUILTIN_API_VERSIONS)),
        )
    return summarize(report)


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
    crds = commands.add_parser("crds")
    crds.add_argument("rendered", nargs="+", type=Path)
    compose = commands.add_parser("compose")
    compose.add_argument("compose_file", type=Path)
    image = commands.add_parser("image")
    image.add_argument("dockerfile", type=Path)
    selftest = commands.add_parser("selftest")
    selftest.add_argument("rendered", type=Path)
    selftest.add_argument("--ingress-namespace", default="ingress-nginx")
    delegated = commands.add_parser("delegated")
    delegated.add_argument("rendered", type=Path)
    delegated.add_argument("--checkov", required=True)
    args = parser.parse_args()
    if args.command == "k8s":
        return run_k8s(args.rendered, args.ingress_namespace)
    if args.command == "split":
        return run_split(args.rendered, args.out_dir)
    if args.command == "delegated":
        return run_delegated(args.rendered, args.checkov)
    if args.command == "crds":
        return run_crds(args.rendered)
    if args.command == "compose":
        return run_compose(args.compose_file)
    if args.command == "selftest":
        return run_selftest(args.rendered, args.ingress_namespace)
    return run_image(args.dockerfile)


if __name__ == "__main__":
    sys.exit(main())
