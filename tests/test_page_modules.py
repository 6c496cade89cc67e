"""Staff pages call only their service: no tables, no queries, the UI package as a module.

A page turns a form into the API's request model and a use case's answer into HTML. What
it shows it gets from `service.py`, which scopes, audits and commits each read as the
API's read does; a page that queried a table itself would show what the audit trail never
hears of. Read from the source, so that a new page module is held to it from its first
line: `pages.py`, `*_pages.py` or a `pages/` package in any service.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parent.parent / "services"
# What a session runs against the database; none of it belongs in a page.
QUERY_METHODS = frozenset(
    {"execute", "scalar", "scalars", "get", "stream", "add", "delete", "merge", "refresh"}
)
# Still to follow, check by check. Strict: a service that holds while still listed fails,
# so its name leaves the set in the commit that makes it hold.
DATABASE_TO_FOLLOW: frozenset[str] = frozenset()
UI_NAMES_TO_FOLLOW: frozenset[str] = frozenset()


def page_modules(service: str) -> list[Path]:
    source = SERVICES / service / "src" / service
    found = [
        path
        for path in source.rglob("*.py")
        if path.name == "pages.py"
        or path.stem.endswith("_pages")
        or "pages" in path.parent.parts[len(source.parts) :]
    ]
    assert found, f"{service} has no page module"
    return sorted(found)


def services(to_follow: frozenset[str], reason: str) -> list[object]:
    names = sorted(path.name for path in SERVICES.iterdir() if (path / "src").is_dir())
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason=reason) if name in to_follow else (),
        )
        for name in names
    ]


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def database_use(path: Path, service: str) -> list[str]:
    """Where `path` imports tables or SQLAlchemy, or runs a query on a session."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy" or alias.name.endswith(".models"):
                    found.append(f"{where} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if module.split(".")[0] == "sqlalchemy" or module.endswith(".models"):
                found.append(f"{where} imports from {module}")
            elif module == service and "models" in names:
                found.append(f"{where} imports {service}.models")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and "session" in _receiver(node.func.value)
        ):
            found.append(f"{where} runs session.{node.func.attr}()")
    return found


def ui_names_imported(path: Path) -> list[str]:
    """Names imported one by one from the UI package, instead of `from teilhabe import ui`."""
    return [
        f"{path.name}:{node.lineno} imports {len(node.names)} names from teilhabe.ui"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "teilhabe.ui"
    ]


@pytest.mark.parametrize(
    "service", services(DATABASE_TO_FOLLOW, "its pages still use the database themselves")
)
def test_pages_read_and_change_only_through_their_service(service: str) -> None:
    found = [use for path in page_modules(service) for use in database_use(path, service)]
    assert found == [], f"{service}'s pages use the database themselves"


@pytest.mark.parametrize(
    "service", services(UI_NAMES_TO_FOLLOW, "its pages still import names one by one")
)
def test_pages_use_the_ui_package_as_a_module(service: str) -> None:
    found = [use for path in page_modules(service) for use in ui_names_imported(path)]
    assert found == [], f"{service}'s pages import the UI package name by name"


def test_the_check_sees_a_query_and_a_table_import(tmp_path: Path) -> None:
    planted = tmp_path / "pages.py"
    planted.write_text(
        "from sqlalchemy import select\n"
        "from intake.models import Household\n"
        "from intake import models, service\n"
        "async def page(session):\n"
        "    return await session.scalars(select(Household))\n",
        encoding="utf-8",
    )
    assert database_use(planted, "intake") == [
        "pages.py:1 imports from sqlalchemy",
        "pages.py:2 imports from intake.models",
        "pages.py:3 imports intake.models",
        "pages.py:5 runs session.scalars()",
    ]
