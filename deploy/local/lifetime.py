"""Processes that end with the one that started them, even when it is killed hard.

Linux's PR_SET_PDEATHSIG asks the kernel to send a signal when the parent dies, which
also happens on SIGKILL, when no handler of the parent can run. The start command sets
it in each child (SIGTERM: the child shuts down as usual) and for itself, so that killing
`make up` or `uv run` takes it down in turn. Elsewhere than Linux it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, sig: signal.Signals = signal.SIGTERM) -> None:
    """Have this process sent `sig` when its parent (`parent_pid`) ends."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:  # the parent ended before the request took effect
        os.kill(os.getpid(), sig)


def ends_with_this_process() -> Callable[[], None]:
    """A `preexec_fn` for Popen: the child gets SIGTERM when the caller dies."""
    parent = os.getpid()
    return lambda: die_with_parent(parent)
