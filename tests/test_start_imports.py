"""A service's processes import at start only what every one of them needs.

Every process (api, relay, consumer, timers) imports its service's `main` module. A large
library that only one use needs is imported where it is used: openpyxl by an Excel
download or a workbook read, icalendar by a served feed, alembic (and mako) by the
`migrate` and `revision` commands, Authlib when the pages are mounted (only the API does
that). Imported at start, together they cost each process about 0.4 s of CPU and 20 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys

SERVICES = ("intake", "courses", "housing", "notifications", "volunteers")
NOT_AT_START = ("openpyxl", "icalendar", "alembic", "mako", "authlib", "weasyprint")

PROBE = """
import importlib, json, sys
for service in sys.argv[1:]:
    importlib.import_module(service + ".main")
print(json.dumps(sorted(sys.modules)))
"""


def test_no_service_imports_a_library_only_one_use_needs_at_start() -> None:
    # One fresh interpreter for all five: this test process has imported them already.
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, *SERVICES],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    imported = {name.split(".")[0] for name in json.loads(probe.stdout)}
    assert sorted(imported & set(NOT_AT_START)) == []
