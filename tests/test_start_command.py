"""The start command's processes end with it, even when it is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

LOCAL = Path(__file__).parents[1] / "deploy" / "local"
# Starts three processes as `make up` starts each service's, prints their ids, waits.
DRIVER = """
import sys, time
sys.path.insert(0, sys.argv[1])
import run
children = [run.spawn("python", ["-c", "import time; time.sleep(120)"], {}, run.Path("/dev/null"))
            for _ in range(3)]
print(" ".join(str(process.pid) for _, process, _ in children), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waits only for its (dead) parent's reaper; it runs no more.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def test_children_end_when_the_start_command_is_killed_hard() -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(LOCAL)], stdout=subprocess.PIPE, text=True
    )
    children: list[int] = []
    try:
        assert driver.stdout is not None
        children = [int(pid) for pid in driver.stdout.readline().split()]
        assert len(children) == 3
        assert all(_alive(pid) for pid in children)
        # Each child leads a session of its own: a kill of the driver's group would miss them.
        assert all(os.getsid(pid) == pid for pid in children)

        driver.send_signal(signal.SIGKILL)
        driver.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in children if _alive(pid)], "children outlived the command"
    finally:
        driver.kill()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
