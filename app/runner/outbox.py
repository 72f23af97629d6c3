"""The worker's event sender: a thread that ships queued events in batches.

Waking the driver's process costs a context switch per write (more than a small iteration on
a busy machine), so routine events (losses, captures) wait up to `interval` and travel
together as one list; events a viewer waits on (status, errors, steps, output) wake the
sender at once. The thread also keeps the stream flowing while user code spins.
"""

from __future__ import annotations

import threading
from typing import Any

from app.runner import protocol as p

# Events sent without waiting for the batch interval.
URGENT = (p.Status, p.Error, p.Stepped, p.Finished, p.Loaded, p.Output)


class Outbox:
    """Queue events for the driver; `close()` sends what is left."""

    def __init__(self, conn: Any, interval: float = 0.05) -> None:
        self.conn = conn
        self.interval = interval
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._broken = False
        self._thread = threading.Thread(target=self._run, name="gradscope-outbox", daemon=True)
        self._thread.start()

    def put(self, event: Any) -> None:
        with self._lock:
            self._items.append(event)
        if isinstance(event, URGENT):
            self._wake.set()

    def _run(self) -> None:
        while not self._closing:
            self._wake.wait(self.interval)
            self._wake.clear()
            self._flush()
        self._flush()

    def _flush(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        if not items or self._broken:
            return
        try:
            self.conn.send(items if len(items) > 1 else items[0])
        except (BrokenPipeError, OSError):
            self._broken = True  # the driver is gone; the worker exits on its Shutdown

    def close(self, timeout: float = 2.0) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join(timeout)
