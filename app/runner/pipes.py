"""The driver's side of the worker's pipes and process: relaying the worker's raw output to
ours, a descriptor that wakes on the worker's exit, and the `Died` event its exit code
becomes (event messages are read by `channel.Channel`)."""

from __future__ import annotations

import os
import signal as signals
import threading
from typing import Any

from app.runner import protocol as p


def start_relay(source: Any, target: Any) -> None:
    """A daemon thread copying the worker's raw output from `source` to `target`'s
    descriptor until EOF (which never comes while a detached process of the script holds
    the pipe: the thread then simply ends with us)."""
    try:
        fd = target.fileno() if target is not None else -1
    except (OSError, ValueError):
        fd = -1
    threading.Thread(target=relay, args=(source, fd), name="gradscope-relay",
                     daemon=True).start()


def relay(source: Any, fd: int) -> None:
    with source:
        while chunk := read_some(source):
            while chunk and fd >= 0:  # a pipe may take part of a write
                try:
                    chunk = chunk[os.write(fd, chunk):]
                except OSError:  # our own output is gone: keep draining, so the worker
                    fd = -1      # never blocks on a full pipe


def read_some(source: Any) -> bytes:
    try:
        return os.read(source.fileno(), 65536)
    except OSError:
        return b""


def refused_error(why: str) -> p.Error:
    """The error a refused frame from the worker becomes (the connection is then closed)."""
    return p.Error("internal", f"the worker sent data this side cannot accept, so the "
                   f"connection was closed and the worker ended: {why}")


def pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when the process exits (Linux 5.3+), else None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def died_event(code: int | None) -> p.Died:
    if code is not None and code < 0:
        try:
            name = signals.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = _SIGNAL_HINTS.get(name, "")
        return p.Died(code, name, f"the worker was killed by {name}{why}")
    return p.Died(code, None, f"the worker exited with code {code}")


_SIGNAL_HINTS = {
    "SIGSEGV": " (a segmentation fault in native code)",
    "SIGKILL": " (stopped by force, or out of memory)",
    "SIGABRT": " (a native library aborted)",
    "SIGBUS": " (a bus error in native code)",
}
