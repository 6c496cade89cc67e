"""Cross-service tests: every service a real process, on a real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from teilhabe.auth.testing import RunningDevProvider
from teilhabe.testing.infrastructure import Infrastructure

from .support import System, provisioned_system


@pytest.fixture
async def system(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["intake", "housing"]) as system:
        yield system
