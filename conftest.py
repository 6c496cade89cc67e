"""Fixtures for every test suite: real PostgreSQL and RabbitMQ, isolated per run."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from teilhabe_dev.testing.auth import RunningDevProvider, run_dev_provider
from teilhabe_dev.testing.infrastructure import (
    AMQP_ENV,
    DEFAULT_AMQP,
    Infrastructure,
    broker_answers,
    provision,
)

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Stop the run when a test timed out because the broker stopped answering.

    Every later test that needs the broker would wait out its own timeout, so a stalled
    node would turn one failure into hours of them; the run ends at once, with the cause.
    """
    report = yield
    if report.failed and "Timeout (>" in str(report.longrepr):
        url = os.environ.get(AMQP_ENV, DEFAULT_AMQP)
        if not broker_answers(url):
            pytest.exit(
                f"RabbitMQ at {urlsplit(url).netloc.split('@')[-1]} stopped answering "
                f"(no AMQP handshake in 15 s) during {item.nodeid}",
                returncode=1,
            )
    return report


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    with provision() as infrastructure:
        yield infrastructure


@pytest.fixture(scope="session")
def identity() -> Iterator[RunningDevProvider]:
    with run_dev_provider() as provider:
        yield provider


@pytest.fixture(scope="session")
def log_dir() -> Path:
    path = ARTIFACTS / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
