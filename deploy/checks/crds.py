"""Custom resources validated offline against the operators' own CRD schemas.

The CRDs are vendored unchanged in deploy/crds/ (deploy/crds/sources.yaml names release,
commit and checksum of each). Their openAPIV3Schema is read as JSON Schema with what the
API server adds on top: a field the schema does not declare is an error (the API server
prunes it silently, so a typo would never take effect), unless the schema preserves
unknown fields there; `nullable` admits null; int-or-string admits both. CEL rules
(x-kubernetes-validations) are left to the operator's admission.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from model import Doc, ref

CRD_DIR = Path(__file__).resolve().parent.parent / "crds"
SOURCES = CRD_DIR / "sources.yaml"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Definition:
    """One served version of a custom resource, ready to validate."""

    kind: str
    api_version: str
    source: str
    validator: Draft7Validator


def strict(schema: Any) -> Any:
    """The API server's reading of a structural schema, as a JSON Schema."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if out.get("x-kubernetes-embedded-resource"):
        properties = out.setdefault("properties", {})
        for field in ("apiVersion", "kind"):
            properties.setdefault(field, {"type": "string"})
        properties.setdefault("metadata", {"type": "object"})
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@functools.cache
def load_definitions() -> tuple[dict[tuple[str, str], Definition], list[str]]:
    """Served versions by (apiVersion, kind), and the problems with the vendored files."""
    problems: list[str] = []
    definitions: dict[tuple[str, str], Definition] = {}
    entries = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["crds"]
    for entry in entries:
        path = CRD_DIR / entry["file"]
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{path}: checksum differs from {SOURCES.name} ({entry['source']})")
            continue
        crd = yaml.load(data, Loader=Loader)  # noqa: S506 (a safe loader, C or Python)
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served", False):
                continue
            schema = strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
            api_version = f"{group}/{version['name']}"
            definitions[(api_version, kind)] = Definition(
                kind, api_version, f"{entry['file']} ({entry['version']})", Draft7Validator(schema)
            )
    return definitions, problems


def field_path(error: Any) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "(object)"


def check_custom_resources(
    docs: list[Doc], definitions: dict[tuple[str, str], Definition], builtin: set[str]
) -> Iterator[str]:
    """Every custom resource against the schema of its kind and version."""
    for doc in docs:
        if doc.get("kind") in builtin:
            continue
        key = (str(doc.get("apiVersion")), str(doc.get("kind")))
        definition = definitions.get(key)
        if definition is None:
            yield f"{ref(doc)}: no vendored CRD serves {key[0]} {key[1]}"
            continue
        for error in sorted(definition.validator.iter_errors(doc), key=field_path):
            yield f"{ref(doc)}: {field_path(error)}: {error.message} [{definition.source}]"


def custom_resource_problems(docs: list[Doc], builtin: set[str]) -> list[str]:
    definitions, problems = load_definitions()
    return problems + list(check_custom_resources(docs, definitions, builtin))
