"""The probe that tells a stalled broker from a slow test: only a node that begins an
AMQP handshake counts as answering."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from teilhabe_dev.testing.infrastructure import Infrastructure, broker_answers


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and never says anything, like a stalled node."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_running_broker_answers(infra: Infrastructure) -> None:
    assert broker_answers(infra.amqp_url)


def test_a_port_that_accepts_but_stays_silent_does_not_answer(silent_port: int) -> None:
    assert not broker_answers(f"amqp://guest:guest@127.0.0.1:{silent_port}/", timeout=1)


def test_nothing_listening_does_not_answer() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    assert not broker_answers(f"amqp://guest:guest@127.0.0.1:{free_port}/", timeout=1)
