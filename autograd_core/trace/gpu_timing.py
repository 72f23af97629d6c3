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


def attach(rec: Any, timer: GpuTimer | None = None) -> GpuTimer:
    """Time a Recorder's ops and backward nodes with CUDA events too; returns the timer.

    The CPU path is untouched: GPU versions of the four observer hooks shadow `rec`'s
    methods on that instance only, and call the class's CPU methods for the recording.
    A start event goes on the stream before the op or node, a stop event right after (before
    any statistics kernels the recording enqueues).
    """
    from autograd_core import grad_mode
    from autograd_core.trace.capture import BWD, NODE

    gpu = timer if timer is not None else GpuTimer()
    cls = type(rec)

    def op_begin(fn: type) -> Any:
        if not rec._forward and rec.auto_split and grad_mode.state.enabled:
            rec._auto_split()  # before the start event: the split resets the event pool
        return gpu.start() if rec._active else None

    def op_end(token: Any, fn: type, t0: int, t1: int, node: Any, inputs: tuple,
               outputs: tuple) -> None:
        if token is None:  # not timed, or begun before timing was on
            cls.op_end(rec, token, fn, t0, t1, node, inputs, outputs)
            return
        # The op's id is known after op_end (leaves it sees first take ids before it).
        pair = gpu.stop(token)
        cls.op_end(rec, token, fn, t0, t1, node, inputs, outputs)
        gpu.tag(pair, ("op", len(rec._nodes) // NODE - 1))

    def backward_begin(node: Any) -> Any:
        return gpu.start() if rec._active else None

    def backward_end(token: Any, node: Any, t0: int, t1: int, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        if token is not None:  # None: not timed, or begun before timing was on
            gpu.tag(gpu.stop(token), ("backward", len(rec._bwd) // BWD))
        cls.backward_end(rec, token, node, t0, t1, grad_outputs, grad_inputs)

    rec.op_begin, rec.op_end = op_begin, op_end
    rec.backward_begin, rec.backward_end = backward_begin, backward_end
    return gpu
