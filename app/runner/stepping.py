"""The worker's engine observer: stop checks and step mode, chained in front of the recorder.

`Controller` is installed as `autograd_core.hooks` observer for the whole run. It forwards
every call to the trace recorder (when recording), raises `StopRequested` at the next op once
Stop was asked for, and in step mode calls `pause(Stepped)` after each forward op or backward
node; `pause` blocks on the command pipe until the next command. The time from the step to
the next command is left out of the recorded times (`Recorder.exclude`) and counted in
`paused_ns`, so the user's think time never shows as the model's time.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from app.runner.protocol import Stepped


class StopRequested(BaseException):
    """Raised inside user code at the next op after Stop; a BaseException so that a user's
    `except Exception` cannot swallow it."""


FORWARD = "forward"
BACKWARD = "backward"
LEAVES = "leaves"  # record_of(LEAVES): params/inputs first read by the latest forward op


class Controller:
    """Observer that chains to `inner` (the recorder or None), checks for stop, steps.

    Step mode FORWARD pauses after the next op or backward node, whichever comes first (so
    repeated forward steps walk the forward pass, then the backward pass, then the update);
    BACKWARD skips the remaining forward ops and pauses after the next backward node.

    Attributes set by the worker: `stop_requested` (from the command thread), `mode` (None,
    FORWARD: pause after the next forward op, BACKWARD: after the next backward node),
    `iteration`, and `record_of` (callable(phase) -> the recorder's latest record, or None).
    `paused_ns` totals the time spent paused in step mode (the worker subtracts it from its
    own iteration times).
    """

    __slots__ = ("backward_index", "current_phase", "forward_index", "inner", "iteration",
                 "mode", "pause", "paused_ns", "record_of", "stop_requested", "warm")

    def __init__(self, pause: Callable[[Stepped], None]) -> None:
        self.inner: Any = None
        self.pause = pause
        self.stop_requested = False
        self.mode: str | None = None
        self.iteration = 0
        self.forward_index = 0
        self.backward_index = 0
        self.record_of: Callable[[str], Any] = _no_record
        self.current_phase = FORWARD
        self.paused_ns = 0
        # warm(values): after a pause, before the next op (see app.runner.warm); or None.
        self.warm: Callable[[tuple], None] | None = None

    def begin_iteration(self, iteration: int) -> None:
        self.iteration = iteration
        self.forward_index = 0
        self.backward_index = 0
        self.current_phase = FORWARD

    def _check_stop(self) -> None:
        if self.stop_requested:
            raise StopRequested

    # ----------------------------------------------------------------- forward ops
    def op_begin(self, fn: type) -> Any:
        if self.stop_requested:
            raise StopRequested
        inner = self.inner
        begin = inner.op_begin if inner is not None else None
        return begin(fn) if begin is not None else None

    def op_end(self, token: Any, fn: type, t0: int, t1: int, node: Any, inputs: tuple,
               outputs: tuple) -> None:
        inner = self.inner
        if inner is not None:
            inner.op_end(token, fn, t0, t1, node, inputs, outputs)
        self.forward_index += 1
        if self.mode == FORWARD:
            started = perf_counter_ns()  # building the step's report is pause time too
            name = getattr(fn, "__name__", "op")
            self._pause(started, Stepped(self.current_phase, self.forward_index - 1,
                                         self.iteration, name, _shapes(inputs),
                                         _shapes(outputs), self.record_of(FORWARD),
                                         self.record_of(LEAVES) or ()), inputs + outputs)
        self._check_stop()

    # -------------------------------------------------------------- backward nodes
    def backward_begin(self, node: Any) -> Any:
        if self.stop_requested:
            raise StopRequested
        self.current_phase = BACKWARD
        inner = self.inner
        begin = inner.backward_begin if inner is not None else None
        return begin(node) if begin is not None else None

    def backward_end(self, token: Any, node: Any, t0: int, t1: int, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        inner = self.inner
        if inner is not None:
            inner.backward_end(token, node, t0, t1, grad_outputs, grad_inputs)
        self.backward_index += 1
        if self.mode in (FORWARD, BACKWARD):
            started = perf_counter_ns()
            self._pause(started, Stepped(BACKWARD, self.backward_index - 1, self.iteration,
                                         node.name(), _shapes(grad_outputs),
                                         _shapes(grad_inputs), self.record_of(BACKWARD)),
                        grad_outputs + grad_inputs)
        self._check_stop()

    def _pause(self, started: int, stepped: Stepped, values: tuple) -> None:
        """Report the step and wait for the next command; the wait (also when it ends in
        StopRequested) and the cache warm-up after it are excluded from the recorded times."""
        try:
            self.pause(stepped)
            if self.warm is not None:
                self.warm(values)
        finally:
            elapsed = perf_counter_ns() - started
            self.paused_ns += elapsed
            exclude = getattr(self.inner, "exclude", None)
            if exclude is not None:
                exclude(elapsed)

    # ---------------------------------------------------------------- pass-through
    def module_enter(self, module: Any) -> Any:
        inner = self.inner
        return inner.module_enter(module) if inner is not None else None

    def module_exit(self, token: Any, module: Any, output: Any) -> None:
        inner = self.inner
        if inner is not None:
            inner.module_exit(token, module, output)

    def phase(self, name: str) -> None:
        self.current_phase = name
        inner = self.inner
        if inner is not None:
            inner.phase(name)

    def __getattr__(self, name: str) -> Any:
        # Hook calls added to the protocol later reach the recorder unchanged.
        inner = object.__getattribute__(self, "inner")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)


def _no_record(phase: str) -> None:
    return None


def _shapes(values: tuple) -> tuple:
    """Shapes of tensors/arrays (None for a missing gradient, the type name otherwise)."""
    out: list[tuple | str | None] = []
    for v in values:
        if v is None:
            out.append(None)
        else:
            shape = getattr(v, "shape", None)
            out.append(tuple(shape) if shape is not None else type(v).__name__)
    return tuple(out)
