"""Helpers for the remote tests: wait on a process by pid (a pidfd, never a sleep), signal
it, and read the pid a test script wrote."""

from __future__ import annotations

import contextlib
import os
import select
from pathlib import Path
from typing import Any

from app.runner import protocol as p


def wait_gone(pid: int, timeout: float) -> bool:
    """Whether process `pid` ended within `timeout` seconds (waits on a pidfd)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        return bool(ready)
    finally:
        os.close(fd)


def kill_quietly(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def read_pid(path: Path, session: Any, timeout: float = 30.0) -> int:
    """The pid a test script wrote to `path` (it does so at load: wait for Loaded first)."""
    session.wait_for(lambda e: isinstance(e, p.Loaded), timeout)
    return int(path.read_text())
