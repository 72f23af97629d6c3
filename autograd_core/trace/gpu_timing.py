"""GPU op times from CUDA events: an event is recorded on the current stream before and after
each op (stream-ordered, no synchronisation), and the iteration's times are read once at its
end, after one synchronize on the last event.

Only the recorder's GPU path uses this; a CPU recording never creates a `GpuTimer`.
"""

from __future__ import annotations

from typing import Any


class GpuTimer:
    """Pairs of CUDA events around ops and backward nodes, read after the iteration.

    Args:
        event: the event class (default `cupy.cuda.Event`): `event()` makes a timing event,
            `.record()` enqueues it on the current stream, `.synchronize()` waits for it.
        elapsed: `elapsed(start, stop)` in milliseconds (default `cupy.cuda.get_elapsed_time`).

    Example:
        timer = GpuTimer()
        pair = timer.stop(timer.start())     # around an op
        timer.tag(pair, ("op", 3))
        timer.read()   # [(("op", 3), 12345.0)]: nanoseconds, after one synchronize
    """

    def __init__(self, event: Any = None, elapsed: Any = None) -> None:
        if event is None or elapsed is None:
            import cupy  # only a recording that saw a CuPy array gets here

            event = event or cupy.cuda.Event
            elapsed = elapsed or cupy.cuda.get_elapsed_time
        self._event_type = event
        self._elapsed = elapsed
        self._events: list[Any] = []  # a pool, reused every iteration
        self._used = 0
        self._pairs: list[list] = []  # [start, stop, tag]

    def _record(self) -> int:
        i = self._used
        if i == len(self._events):
            self._events.append(self._event_type())
        self._events[i].record()
        self._used = i + 1
        return i

    def start(self) -> int:
        """Record a start event now (on the current stream); returns its index."""
        return self._record()

    def stop(self, start: int) -> int:
        """Record the matching stop event; returns the pair's index for `tag`."""
        self._pairs.append([start, self._record(), None])
        return len(self._pairs) - 1

    def tag(self, pair: int, tag: Any) -> None:
        """Name the timed op of `pair`, as `read()` reports it."""
        self._pairs[pair][2] = tag

    def read(self) -> list[tuple[Any, float]]:
        """(tag, nanoseconds) per timed pair, in stop order; then the pool is free again.

        One synchronize, on the last event recorded: the pairs were recorded on one stream
        before it, so they have all completed when it has.
        """
        pairs, events = self._pairs, self._events
        self.reset()
        if not pairs:
            return []
        events[max(p[1] for p in pairs)].synchronize()
        elapsed = self._elapsed
        return [(tag, elapsed(events[a], events[b]) * 1e6) for a, b, tag in pairs]

    def reset(self) -> None:
        """Forget what was recorded (an iteration that is not kept)."""
        self._pairs = []
        self._used = 0
