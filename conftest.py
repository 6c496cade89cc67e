"""Fixtures for every test suite: real PostgreSQL and RabbitMQ, isolated per run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from teilhabe_dev.testing.auth import RunningDevProvider, run_dev_provider
from teilhabe_dev.testing.infrastructure import Infrastructure, provision

ARTIFACTS = Path(__file__).parent / "artifacts"


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
