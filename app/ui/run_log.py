"""A run's full output as a log file, written by a thread of its own.

The Output dock shows a bounded view; every printed line also goes to the run's log file
("Open full output"). Writing and flushing happen on a writer thread, not the GUI thread: a
script printing 200k lines a second writes ~10 MB/s, and a disk busy with other work (dirty
page throttling) can hold a write for tens of milliseconds, which on the GUI thread froze the
window for as long. The GUI thread only hands lists of lines over (a queue put). Qt-free.
"""

from __future__ import annotations

import contextlib
import queue
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

__all__ = ["KEEP_LOGS", "MAX_LOG_BYTES", "RunLog"]

MAX_LOG_BYTES = 256 << 20  # one run's log file stops growing here (and says so)
KEEP_LOGS = 50            # log files kept in the folder (older ones are removed)
_CLOSE = object()         # the writer's last item


class RunLog:
    """One run's full output: `write(lines)` queues, the writer thread appends (buffered).

    `flush()` waits until everything queued is on disk (for a reader of the file);
    `flush(wait=False)` only asks for it. Disk errors stop the log, never the window."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self._file: IO[str] | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._written = 0
        self._full = False  # set by the writer (a bool store: no lock needed)

    def write(self, lines: Iterable[str]) -> None:
        if self._full:
            return
        if self._thread is None and not self._open():
            return
        self._queue.put(list(lines))

    def flush(self, wait: bool = True) -> None:
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(done)
        if wait:
            done.wait(10.0)

    def close(self) -> None:
        """Write what is queued, close the file and end the writer."""
        if self._thread is not None:
            self._queue.put(_CLOSE)
            self._thread.join(10.0)
            self._thread = None

    def _open(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _prune(self.folder)
            fd, name = tempfile.mkstemp(prefix=time.strftime("run-%Y%m%d-%H%M%S-"),
                                        suffix=".log", dir=self.folder)
            self._file = open(fd, "w", encoding="utf-8", errors="replace",  # noqa: SIM115
                              buffering=1 << 16)
        except OSError:
            self._full = True
            return False
        self.path = Path(name)
        self._thread = threading.Thread(target=self._run, name="gradscope-run-log",
                                        daemon=True)
        self._thread.start()
        return True

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _CLOSE:
                self._close_file()
                return
            if isinstance(item, threading.Event):
                self._flush_file()
                item.set()
            else:
                self._append(item)

    def _append(self, lines: list[str]) -> None:
        if self._full or self._file is None:
            return
        text = "".join(f"{line}\n" for line in lines)
        self._written += len(text)
        if self._written > MAX_LOG_BYTES:
            self._full = True
            text = f"[output log stopped at {MAX_LOG_BYTES >> 20} MiB]\n"
        try:
            self._file.write(text)
        except OSError:  # a full disk: the view still works, the log stops
            self._full = True

    def _flush_file(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.flush()

    def _close_file(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None


def _prune(folder: Path) -> None:
    """Remove all but the newest `KEEP_LOGS` logs (of earlier sessions of the app)."""
    with contextlib.suppress(OSError):
        logs = sorted(folder.glob("run-*.log"), key=lambda f: f.stat().st_mtime)
        for old in logs[:-KEEP_LOGS]:
            with contextlib.suppress(OSError):
                old.unlink()
