"""Production carries no test code: what a service's image installs, read from the lock.

The image installs `uv sync --frozen --no-dev --package teilhabe-<service>` (see
deploy/images/Dockerfile): the service's locked dependencies and theirs, never the dev
group. The development identity provider and the test helpers live in `teilhabe-dev`,
which only the dev group names; these checks fail as soon as anything a service needs
would pull it (or a test tool) into an image, or production code imports it.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import SERVICES

ROOT = Path(__file__).parents[1]
DOCKERFILE = ROOT / "deploy" / "images" / "Dockerfile"
DEV_PACKAGE = "teilhabe-dev"
# What must never reach an image, with the development package itself.
TEST_TOOLS = {DEV_PACKAGE, "pytest", "pytest-asyncio", "testcontainers", "playwright"}


def locked_packages() -> dict[str, dict[str, object]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package for package in lock["package"]}


def install_set(root: str) -> set[str]:
    """`root` and everything it needs at run time, extras included, no dev groups."""
    packages = locked_packages()
    found: set[str] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while todo:
        name, extras = todo.pop()
        package = packages[name]
        first = name not in found
        found.add(name)
        edges = list(package.get("dependencies", [])) if first else []  # type: ignore[call-overload]
        optional = package.get("optional-dependencies", {})
        for extra in extras:
            edges += optional.get(extra, [])  # type: ignore[union-attr]
        for edge in edges:
            todo.append((edge["name"], tuple(edge.get("extra", ()))))
    return found


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_services_image_installs_no_development_package_and_no_test_tool(
    service: str,
) -> None:
    installed = install_set(f"teilhabe-{service}")
    assert "teilhabe-shared" in installed
    assert installed & TEST_TOOLS == set()


def test_the_development_package_is_in_the_dev_group_only() -> None:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"{DEV_PACKAGE}[testing]" in root["dependency-groups"]["dev"]
    assert DEV_PACKAGE not in root["project"]["dependencies"]
    for pyproject in [ROOT / "shared" / "pyproject.toml", *ROOT.glob("services/*/pyproject.toml")]:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        assert not any(d.startswith(DEV_PACKAGE) for d in project["dependencies"]), pyproject
        assert "teilhabe-dev-oidc" not in project.get("scripts", {}), pyproject


def production_modules() -> Iterator[Path]:
    yield from (ROOT / "shared" / "src").rglob("*.py")
    yield from ROOT.glob("services/*/src/**/*.py")


def test_no_production_module_imports_the_development_package() -> None:
    offenders = []
    for path in production_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "teilhabe_dev" for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def stages(text: str) -> dict[str, str]:
    """The Dockerfile's instructions (no comments) by stage name, in order."""
    instructions = re.sub(r"^\s*#.*\n", "", text, flags=re.M)
    found = re.findall(r"^FROM \S+ AS (\S+)\n(.*?)(?=^FROM |\Z)", instructions, flags=re.M | re.S)
    return dict(found)


def test_the_image_installs_the_service_alone_and_the_provider_has_a_target_of_its_own() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    named = stages(text)
    assert list(named)[-1] == "runtime", "the default target is the production image"
    runtime_sources = re.findall(r"^COPY --from=(\S+)", named["runtime"], flags=re.M)
    assert runtime_sources == ["builder"]
    syncs = re.findall(r"uv sync ([^\n\\]*)", named["builder"])
    assert syncs
    for sync in syncs:
        assert "--no-dev" in sync
        assert '--package "teilhabe-${SERVICE}"' in sync
    assert DEV_PACKAGE not in named["builder"] + named["runtime"]
    assert f"--package {DEV_PACKAGE}" in "".join(
        stage for name, stage in named.items() if name.startswith("dev-")
    )
