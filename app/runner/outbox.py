"""The worker's event sender: a thread that ships queued events in batches.

Waking the driver's process costs a context switch per write (more than a small iteration on
a busy machine), so routine events (losses, captures) wait up to `interval` and travel
together as one pickled list; events a viewer waits on (status, errors, steps, output) wake
the sender at once. The thread also keeps the stream flowing while user code spins.

`flush()` sends what is queued on the calling thread: the worker calls it after each captured
iteration (unless a viewer window thins captures), so a capture is in the socket before the
next iteration starts and a worker that crashes loses none of the iterations it finished.

Captures travel as their own pickles inside the batch (see `protocol.Captured`), so the
driver decodes only those it reads. With `keep_captures` set (a viewer's session window), a
batch that has fallen further behind than that keeps only its newest captures: the viewer
would drop the older ones from its window on arrival anyway. Losses and status are never
thinned. `gradscope record` keeps every capture (`keep_captures=None`).
"""

from __future__ import annotations

import pickle
import sys
import threading
import traceback
from typing import Any

from app.runner import protocol as p

# Events sent without waiting for the batch interval.
URGENT = (p.Status, p.Error, p.Stepped, p.Finished, p.Loaded, p.Output)


class Outbox:
    """Queue events for the driver; `close()` sends what is left."""

    def __init__(self, conn: Any, interval: float = 0.05, keep_captures: int | None = None
                 ) -> None:
        self.conn = conn
        self.interval = interval
        self.keep_captures = keep_captures
        self.dropped_captures = 0
        self._items: list[Any] = []
        # Re-entrant: a finalizer or warning that prints (sys.stderr sends Output events)
        # may run inside `put` or the swap in `_flush` on the same thread.
        self._lock = threading.RLock()
        # Held from taking a batch until it is written, so two flushing threads cannot
        # reorder batches on the pipe.
        self._send_lock = threading.RLock()
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
            self._flush_safely()
        self._flush_safely()

    def _flush_safely(self) -> None:
        """A failing flush must not end the thread: every later event would be lost."""
        try:
            self._flush()
        except Exception:  # a bug of ours; the driver hears of it, the stream goes on
            traceback.print_exc(file=sys.__stderr__)

    def flush(self) -> None:
        """Send everything queued now, on this thread (blocks while the pipe is full)."""
        self._flush_safely()

    def _flush(self) -> None:
        with self._send_lock:
            self._send_batch()

    def _send_batch(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        if not items or self._broken:
            return
        if self.keep_captures is not None:
            items = self._thin(items, self.keep_captures)
        try:
            data = _encode(items)
        except Exception as exc:  # an event that cannot pickle: send the rest, and say so
            data = _encode([_picklable(e, exc) for e in items])
        try:
            self.conn.send_bytes(data)
        except (BrokenPipeError, OSError):
            self._broken = True  # the driver is gone; the worker exits on its Shutdown

    def _thin(self, items: list[Any], keep: int) -> list[Any]:
        """`items` with only the newest `keep` captures (everything else kept, in order)."""
        n = sum(1 for e in items if type(e) is p.Captured)
        if n <= keep:
            return items
        skip = n - keep
        self.dropped_captures += skip
        out = []
        for e in items:
            if type(e) is p.Captured and skip > 0:
                skip -= 1
                continue
            out.append(e)
        return out

    def close(self, timeout: float = 2.0) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join(timeout)


def _encode(items: list[Any]) -> bytes:
    for e in items:
        if type(e) is p.Captured:
            e.encode()
    return pickle.dumps(items if len(items) > 1 else items[0], protocol=5)


def _picklable(event: Any, exc: Exception) -> Any:
    try:
        _encode([event])
        return event
    except Exception:
        return p.Error("internal", f"an event could not be sent: {type(event).__name__}: "
                       f"{type(exc).__name__}: {exc}", details=traceback.format_exc())
