"""Services as real processes, the way they run in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from teilhabe_dev.testing.tcp_proxy import free_port


class ServiceProcess:
    """One `teilhabe-<service> <command>` process with its own health port and log file."""

    def __init__(self, service: str, command: str, env: dict[str, str], log_dir: Path) -> None:
        self.service = service
        self.command = command
        self.port = free_port()
        self.env = {**os.environ, **env, "HTTP_PORT": str(self.port), "HTTP_HOST": "127.0.0.1"}
        self.log_path = log_dir / f"{service}-{command}-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, *, wait_ready: bool = True, timeout: float = 60) -> ServiceProcess:
        script = Path(sys.executable).parent / f"teilhabe-{self.service}"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(script), self.command], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"{self} exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                answer = httpx.get(f"{self.url}/health/ready", timeout=2)
                if answer.status_code == 200:
                    answered_by = answer.json().get("process")
                    if answered_by != f"{self.service} {self.command}":
                        raise RuntimeError(f"{self}: port {self.port} answered by {answered_by}")
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self} not ready after {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye, as when a node dies."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(10)

    def stop(self, timeout: float = 15) -> int | None:
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        return self._process.returncode

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __str__(self) -> str:
        return f"teilhabe-{self.service} {self.command}"
