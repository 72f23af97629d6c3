"""The worker's side of `autograd_core.trace`: one recorder per loaded script, one capture per
recorded iteration. With recording 'none' (or no trace package) `NullRecording` stands in.
"""

from __future__ import annotations

from typing import Any


class NullRecording:
    """Records nothing: the worker still runs, stops and steps through its Controller."""

    level = "off"

    def start(self) -> Any:
        """Begin recording; returns the observer to chain behind the Controller (or None)."""
        return None

    def close(self) -> None:
        """Stop recording and detach."""

    def stepping(self, on: bool) -> None:
        """Step mode started (True) or ended (False)."""

    def begin(self, iteration: int) -> None:
        """An iteration is about to run."""

    def end(self, iteration: int, loss: float | None) -> Any:
        """The iteration finished; returns its `IterationCapture` (None when not recorded)."""
        return None

    def latest(self, phase: str) -> Any:
        """The newest record of `phase` ('forward': a NodeRecord, 'backward': a
        BackwardRecord, 'leaves': the param/input NodeRecords that forward op read first) in
        the iteration being recorded, for step mode."""
        return None


class TraceRecording(NullRecording):
    """A `trace.Recorder` behind the Controller; the worker closes iterations explicitly."""

    def __init__(self, model: Any, level: str, every: int, threads: int = 0) -> None:
        from autograd_core.trace import Recorder, keys

        # The recorder names each op's source by the first frame outside the engine; our
        # Controller sits between the engine and the recorder, so it must count as engine.
        keys.register_engine_file(_CONTROLLER_FILE)
        self.level = level
        # window=1: captures stream to the driver, which keeps the session.
        self.recorder = Recorder(model, stats=level, every=every, window=1, auto_split=False,
                                 threads=threads)
        self._latest: dict[str, Any] = {}
        self._next_id = 0  # node id after the last stepped op: leaves come in between

    def start(self) -> Any:
        return self.recorder

    def stepping(self, on: bool) -> None:
        """Build each record as it is made only while stepping (it costs a little per op)."""
        self.recorder.on_op = self._on_op if on else None
        self.recorder.on_backward = self._on_backward if on else None

    def _on_op(self, record: Any) -> None:
        from autograd_core.trace.capture import node_record

        # The recorder numbers a leaf when an op first reads it, just before that op: the
        # ids since the previous op are the params and inputs this op brought in.
        first, self._next_id = self._next_id, record.id + 1
        leaves = (node_record(self.recorder, k) for k in range(first, record.id))
        self._latest["leaves"] = tuple(n for n in leaves if n.kind != "op")
        self._latest["forward"] = record

    def _on_backward(self, record: Any) -> None:
        self._latest["backward"] = record

    def begin(self, iteration: int) -> None:
        self._latest.clear()
        self._next_id = 0
        self.recorder.start_clock()  # the time idle since the last iteration is not its

    def end(self, iteration: int, loss: float | None) -> Any:
        if self.recorder.next_iteration(loss) is None:
            return None  # not sampled this iteration
        # Build the plain records here, so the driver side receives finished dataclasses.
        capture = self.recorder.session[-1]
        capture.index = iteration  # the worker's count survives abandoned iterations
        return capture

    def latest(self, phase: str) -> Any:
        return self._latest.get(phase)


def make(model: Any, level: str, every: int, threads: int = 0) -> Any:
    """A recording for `model` at `level`, recording one iteration in every `every`, whose
    captures say they ran with `threads` BLAS/OpenMP threads (0: not known).

    Levels 'off', 'basic', 'full' are the trace's statistics levels ('off' still records the
    graph and timings); 'none' records nothing at all.
    """
    if level == "none":
        return NullRecording()
    try:
        import autograd_core.trace  # noqa: F401
    except ImportError:
        return NullRecording()
    return TraceRecording(model, level, every, threads)


def _controller_file() -> str:
    from app.runner import stepping

    return stepping.Controller.op_end.__code__.co_filename


_CONTROLLER_FILE = _controller_file()
