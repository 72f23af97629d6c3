"""The worker's event sender: a thread that ships queued events in batches.

Waking the driver's process costs a context switch per write (more than a small iteration on
a busy machine), so routine events (losses, captures) wait up to `interval` and travel
together as one frame; events a viewer waits on (status, errors, steps, output) wake
the sender at once. The thread also keeps the stream flowing while user code spins.

Printed lines are routine too: queued `Output` events travel folded into `OutputBatch` events
(bounded per batch), so a script printing thousands of lines per iteration costs one message
per interval, not a wake-up and an event per line. A script that prints faster than the
viewer reads waits in `print` once `MAX_QUEUED_LINES` lines are queued, as it would on a full
terminal: the backlog (and so how late Pause and Stop are seen in the window) stays bounded.

`flush()` sends what is queued on the calling thread: the worker calls it after each captured
iteration (unless a viewer window thins captures), so a capture is in the socket before the
next iteration starts and a worker that crashes loses none of the iterations it finished.

Captures travel as their own packets inside the frame (see `protocol.Captured`), so the
driver decodes only those it reads. With `keep_captures` set (a viewer's session window), a
batch that has fallen further behind than that keeps only its newest captures: the viewer
would drop the older ones from its window on arrival anyway. Losses and status are never
thinned, nor the first capture that holds a NaN/Inf (the window keeps where it was born).
`gradscope record` keeps every capture (`keep_captures=None`).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Any

from app.runner import protocol as p
from app.runner.channel import encode_messages

# Events sent without waiting for the batch interval.
URGENT = (p.Status, p.Error, p.Stepped, p.Finished, p.Loaded, p.Pong)

# Printed lines queued before `put` waits for the sender (a few batches: enough to keep the
# pipe full, few enough that the window catches up within a frame or two).
MAX_QUEUED_LINES = 4 * p.OUTPUT_BATCH_LINES
# The longest a printing thread waits for room; after that it queues anyway (a stalled
# viewer must not hang the script where Stop cannot reach it).
MAX_OUTPUT_WAIT = 2.0


class Outbox:
    """Queue events for the driver; `close()` sends what is left."""

    def __init__(self, conn: Any, interval: float = 0.05, keep_captures: int | None = None
                 ) -> None:
        self.conn = conn
        self.interval = interval
        self.keep_captures = keep_captures
        self.dropped_captures = 0
        self.nonfinite_sent = False  # the first capture holding a NaN/Inf went out unthinned
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
        self._queued_lines = 0  # Output events in _items
        self._room = threading.Condition(threading.Lock())  # notified when _items is taken
        self._thread = threading.Thread(target=self._run, name="gradscope-outbox", daemon=True)
        self._thread.start()

    def put(self, event: Any) -> None:
        output = type(event) is p.Output
        if output and self._queued_lines >= MAX_QUEUED_LINES:
            self._wait_for_room()
        with self._lock:
            self._items.append(event)
            self._queued_lines += output
        if isinstance(event, URGENT):
            self._wake.set()

    def _wait_for_room(self) -> None:
        """Hold a printing thread until the sender has taken the queue (not the sender
        itself, and not once the pipe is broken or closing: nobody would make room)."""
        if threading.current_thread() is self._thread:
            return
        self._wake.set()
        end = time.monotonic() + MAX_OUTPUT_WAIT
        with self._room:
            while (self._queued_lines >= MAX_QUEUED_LINES and not self._broken
                   and not self._closing and time.monotonic() < end):
                self._room.wait(0.05)

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
            self._queued_lines = 0
        with self._room:
            self._room.notify_all()
        if not items or self._broken:
            return
        if self.keep_captures is not None:
            items = self._thin(items, self.keep_captures)
        items = fold_output(items)
        try:
            data = _encode(items)
        except Exception as exc:  # an event that cannot travel: send the rest, and say so
            data = _encode([_sendable(e, exc) for e in items])
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
            if type(e) is p.Captured and e.nonfinite and not self.nonfinite_sent:
                self.nonfinite_sent = True  # where a NaN was born: the viewer keeps it
            elif type(e) is p.Captured and skip > 0:
                skip -= 1
                continue
            out.append(e)
        return out

    def close(self, timeout: float = 2.0) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join(timeout)


def fold_output(items: list[Any]) -> list[Any]:
    """`items` with each run of `Output` events folded into `OutputBatch` events of at most
    `OUTPUT_BATCH_LINES` lines and about `OUTPUT_BATCH_CHARS` characters (order kept)."""
    out: list[Any] = []
    lines: list[tuple[str, str]] = []
    chars = 0
    for e in items:
        if type(e) is not p.Output or type(e.text) is not str:  # a bad one travels alone
            if lines:
                out.append(p.OutputBatch(lines))
                lines, chars = [], 0
            out.append(e)
            continue
        lines.append((e.stream, e.text))
        chars += len(e.text)
        if len(lines) >= p.OUTPUT_BATCH_LINES or chars >= p.OUTPUT_BATCH_CHARS:
            out.append(p.OutputBatch(lines))
            lines, chars = [], 0
    if lines:
        out.append(p.OutputBatch(lines))
    return out


def _encode(items: list[Any]) -> bytes:
    return encode_messages(items)


def _sendable(event: Any, exc: Exception) -> Any:
    try:
        _encode([event])
        return event
    except Exception:
        return p.Error("internal", f"an event could not be sent: {type(event).__name__}: "
                       f"{type(exc).__name__}: {exc}", details=traceback.format_exc())
