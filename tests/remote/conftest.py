"""Fixtures for the remote-worker tests: a private sshd on a free loopback port (see `sshd`),
the target that reaches it running this checkout's python, and helpers that wait on events
and on processes (by pid, never by sleeping)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runner import Driver, RemoteTarget
from tests.remote.sshd import PrivateSshd, SshdUnavailableError

ROOT = Path(__file__).resolve().parents[2]
# The host is this machine: its python is this venv's, importing this checkout's `app`.
REMOTE_PYTHON = f"env PYTHONPATH={ROOT} {sys.executable}"


@pytest.fixture(scope="session")
def sshd() -> Iterator[PrivateSshd]:
    server = PrivateSshd()
    try:
        server.start()
    except (SshdUnavailableError, OSError) as exc:
        server.stop()
        pytest.skip(f"no private sshd for the remote tests: {exc}")
    yield server
    server.stop()


@pytest.fixture
def target(sshd: PrivateSshd) -> RemoteTarget:
    return RemoteTarget.parse(sshd.destination, sshd.options, REMOTE_PYTHON)


@pytest.fixture
def drivers() -> Iterator[list[Driver]]:
    """Drivers a test made; each is closed afterwards (its worker and ssh ended)."""
    made: list[Driver] = []
    yield made
    for d in made:
        d.close()
