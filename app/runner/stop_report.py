"""Where the script was when the user stopped it: the `stopped` Error event's text.

A cooperative stop (`StopRequested` raised at the script's next op) carries a traceback; a
stuck worker (a pure-Python loop that never reaches an op) is asked for its stacks with
SIGUSR1 just before it is killed: the worker registers `faulthandler` on a file the driver
gave it (`StackDump`), and the driver reads the dump. Either way the location is the innermost
frame in the script's folder, as for an exception (`script._is_user_file`).
"""

from __future__ import annotations

import contextlib
import faulthandler
import linecache
import os
import re
import signal
import tempfile
import time
import traceback
from typing import Any

from app.runner.protocol import Error
from app.runner.script import _is_user_file

DUMP_SIGNAL = signal.SIGUSR1
_FRAME = re.compile(r'^\s+File "(?P<file>.+)", line (?P<line>\d+) in (?P<func>.*)$')
_THREAD = re.compile(r"^(Current thread|Thread) 0x[0-9a-f]+")
_WORKER_FILE = "worker.py"  # the runner's frame below the script's: the main thread


def stopped_error(tb: Any, path: str, iteration: int | None = None) -> Error:
    """The event for a cooperative stop, from the StopRequested traceback `tb`."""
    frames = traceback.extract_tb(tb)
    user = [f for f in frames if _is_user_file(f.filename, path)]
    where = (user[-1].filename, user[-1].lineno or 0) if user else None
    return _error(where, "", iteration)


def killed_error(where: tuple[str, int] | None, grace: float) -> Error:
    """The event for a stop that had to end the worker after `grace` seconds."""
    return _error(where, f" (the script did not answer within {grace:g} s, so it was ended)",
                  None)


def _error(where: tuple[str, int] | None, why: str, iteration: int | None) -> Error:
    if where is None:
        return Error("stopped", f"stopped by you{why}", iteration=iteration)
    location = f"{where[0]}:{where[1]}"
    line = linecache.getline(where[0], where[1]).strip()
    details = f'  File "{where[0]}", line {where[1]}\n    {line}' if line else ""
    return Error("stopped", f"stopped by you at {location}{why}", location=location,
                 details=details, iteration=iteration)


def where_stuck(dump: str, path: str) -> tuple[str, int] | None:
    """(file, line) of the innermost script frame in a faulthandler dump of all threads.

    The thread running the script is the one whose stack reaches the runner's worker loop
    (other threads are ours or the script's own); failing that, any thread in the script.
    """
    threads = _threads(dump)
    ordered = [t for t in threads if any(f[0].endswith(os.sep + _WORKER_FILE) for f in t)]
    for frames in ordered + threads:
        for filename, line in frames:  # most recent call first
            if _is_user_file(filename, path):
                return filename, line
    return None


def _threads(dump: str) -> list[list[tuple[str, int]]]:
    threads: list[list[tuple[str, int]]] = []
    for text in dump.splitlines():
        if _THREAD.match(text):
            threads.append([])
        elif (m := _FRAME.match(text)) and threads:
            threads[-1].append((m["file"], int(m["line"])))
    return threads


class StackDump:
    """A file, made by the driver and inherited by the worker, that receives the worker's
    stacks on SIGUSR1. `fd` is passed to the worker (`WorkerOptions.dump_fd`)."""

    def __init__(self) -> None:
        # Unnamed: nothing to clean up after a crash; closed by `close` (held for the run).
        self.file = tempfile.TemporaryFile()  # noqa: SIM115
        self.fd = self.file.fileno()

    def request(self, pid: int, timeout: float = 0.1) -> str:
        """Ask process `pid` for its stacks and return the dump ('' if none came)."""
        self.file.seek(0)
        self.file.truncate()
        try:
            os.kill(pid, DUMP_SIGNAL)
        except (ProcessLookupError, PermissionError):
            return ""
        # The C handler writes at once, but the kernel may deliver the signal a moment later.
        # The caller may be a GUI thread: wait briefly (a few ms when the dump comes).
        end = time.monotonic() + timeout
        size = -1
        while time.monotonic() < end:
            current = os.fstat(self.fd).st_size
            if current and current == size:  # stopped growing: the dump is complete
                break
            size = current
            time.sleep(0.005)
        self.file.seek(0)
        return self.file.read().decode("utf-8", "replace")

    def close(self) -> None:
        self.file.close()


def install_dump(fd: int | None) -> None:
    """Worker side: write all threads' stacks to `fd` on DUMP_SIGNAL (no-op without one)."""
    if fd is None:
        return
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        faulthandler.register(DUMP_SIGNAL, file=fd, all_threads=True, chain=False)
