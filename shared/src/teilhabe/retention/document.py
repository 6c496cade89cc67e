"""The retention table of every installed service, generated from their declarations.

`python -m teilhabe.retention --write` renders it into shared/retention.md; `--check`
fails when that file is not current (run by `make lint`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from teilhabe.registry import installed_services
from teilhabe.retention.rules import Exempt, Follows, Retention, Rule

DOCUMENT = Path(__file__).resolve().parents[3] / "retention.md"

_HEAD = """# Retention of personal data

Generated from each service's `retention.py` by `python -m teilhabe.retention --write`;
do not edit. A rule's timer (`teilhabe.retention.run`) deletes or anonymises each record
once its clock started (the SQL expression, NULL while the purpose lasts) and the period
has passed; `teilhabe-<service> retention pause|resume|status` stops and restarts it.
"""


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def years(days: int) -> str:
    if days == 0:
        return "none"
    if days % 365 == 0:
        return f"{days // 365} years" if days != 365 else "1 year"
    return f"{days} days"


def render_service(name: str, retention: Retention) -> str:
    lines = [
        f"## {name}",
        "",
        "| table | record | clock starts | kept | then | legal basis |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for item in retention.all:
        if isinstance(item, Rule):
            then = item.action
            if item.anonymise:
                then += " (" + ", ".join(sorted(item.anonymise)) + ")"
            lines.append(
                f"| `{item.table}` | {_cell(item.record)} | {_cell(item.clock_starts)} "
                f"(`{_cell(item.clock)}`) | {years(item.keep_days)} | {then} "
                f"| {_cell(item.legal_basis)} |"
            )
        elif isinstance(item, Follows):
            lines.append(
                f"| `{item.table}` | {_cell(item.record)} | with its `{item.parent}` "
                "| as its parent | deleted with it | as its parent |"
            )
        elif isinstance(item, Exempt):
            lines.append(f"| `{item.table}` | {_cell(item.reason)} | - | - | not by a rule | - |")
    return "\n".join(lines) + "\n"


def render(services: Sequence[tuple[str, Retention]]) -> str:
    parts = [_HEAD]
    parts += [render_service(name, retention) for name, retention in services]
    return "\n".join(parts)


def current() -> str:
    return render([(service.name, service.retention) for service in installed_services()])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teilhabe.retention")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = current()
    if args.write:
        DOCUMENT.write_text(text, encoding="utf-8")
        return 0
    if not DOCUMENT.exists() or DOCUMENT.read_text(encoding="utf-8") != text:
        print(f"{DOCUMENT} is not current: run `make retention`", file=sys.stderr)
        return 1
    return 0
