"""The worker process's lifetime: whether a command waits on the pipe, what ends its command
stream, and how an orphaned worker (its driver gone) leaves, taking the processes its script
forked with it."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from typing import Any

from app.runner import protocol as p
from app.runner.frames import FrameError

# What ends the worker's command stream: the driver closed it, or sent a frame that is not
# our protocol (untrusted either way: nothing more is read from it).
GONE = (EOFError, OSError, FrameError)


def note_gone(exc: BaseException) -> p.Shutdown:
    """The command the end of the stream means; a refused frame is named on stderr."""
    if isinstance(exc, FrameError):
        print(f"gradscope worker: refused a command frame: {exc}", file=sys.__stderr__)
    return p.Shutdown()


def readable(conn: Any) -> bool:
    """Whether bytes wait on `conn` (the reader thread has not taken them yet)."""
    try:
        return bool(conn.poll())
    except (OSError, EOFError, ValueError):
        return False


ORPHAN_GRACE = 5.0  # seconds an orphaned worker has to leave by itself


def exit_later(seconds: float) -> None:
    """End this process (and what its script forked) after `seconds` unless it has ended."""
    timer = threading.Timer(seconds, end_group)
    timer.daemon = True
    timer.start()


# Folders to remove when the worker ends (an uploaded script's, on a remote host).
CLEANUP: list[str] = []


def clean_up() -> None:
    """Remove the folders in CLEANUP (an uploaded script's temporary folder)."""
    while CLEANUP:
        shutil.rmtree(CLEANUP.pop(), ignore_errors=True)


def end_group() -> None:
    """Without a driver nobody else will: kill our process group (the processes the script
    forked), ourselves last. Only when we lead the group, as `Driver.start` makes us."""
    clean_up()
    if os.getpgid(0) == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os._exit(3)
