"""`Recorder`: the engine's observer. It collects tuples on the hot path and builds the record
dataclasses once per iteration (`capture.py`), so recording at level `off` costs a couple of
microseconds per op.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter_ns
from typing import Any

from autograd_core import grad_mode, hooks
from autograd_core.backend import device_of, get_array_module
from autograd_core.creation import get_default_device
from autograd_core.tensor import Tensor
from autograd_core.trace import capture as _capture
from autograd_core.trace.health import HealthConfig
from autograd_core.trace.keys import ModulePaths, user_location
from autograd_core.trace.records import LEVELS, IterationCapture
from autograd_core.trace.session import DEFAULT_WINDOW, Session
from autograd_core.trace.stats import device_stats, host_stats, param_sample

_ndarray_type = type(__import__("numpy").empty(0))
_CPU = device_of(__import__("numpy").empty(0))


@dataclass(slots=True)
class Sampling:
    """Record fully every `every`-th iteration; between them `between` is "structure" (level
    `off`: graph and timings only) or "skip" (nothing recorded)."""

    every: int = 1
    between: str = "structure"


class Recorder:
    """Implements `autograd_core.hooks.Observer`. Use it through `record(...)`."""

    def __init__(self, model: Any = None, stats: str = "basic", every: int = 1,
                 between: str = "structure", window: int = DEFAULT_WINDOW,
                 health: HealthConfig | None = None, on_op: Callable | None = None,
                 on_backward: Callable | None = None, on_capture: Callable | None = None,
                 auto_split: bool = True, script: str = "", device: str | None = None) -> None:
        if stats not in LEVELS:
            raise ValueError(f"stats must be one of {LEVELS}, got {stats!r}")
        if every < 1 or between not in ("structure", "skip"):
            raise ValueError("every must be >= 1 and between 'structure' or 'skip'")
        self.model = model
        self.level = stats
        self.sampling = Sampling(every, between)
        self.health = health or HealthConfig()
        self.on_op, self.on_backward, self.on_capture = on_op, on_backward, on_capture
        self.auto_split = auto_split
        self.session = Session(script=script, device=device or _default_device(), window=window)
        self._paths = ModulePaths(model)
        self._param_names = _param_names(model)
        self._mstack: list[tuple[Any, str]] = []
        self._path = ""
        self._gen = 0
        self._iteration = -1
        self._start_iteration()

    # ------------------------------------------------------------------ iterations
    @property
    def captures(self) -> list[IterationCapture]:
        return list(self.session.captures)

    def next_iteration(self, loss: Any = None) -> int | None:
        """Close the current iteration (its capture, if recorded, joins the session: read it
        as `rec.session[-1]`) and start the next. `loss` (a Tensor or number) marks the
        iteration's loss. Returns the closed capture's index, or None if none was kept."""
        cap = self._finish(loss)
        self._start_iteration()
        return cap

    def wrap(self, step: Callable) -> Callable:
        """`step` wrapped so that each call closes one capture, with its return as the loss."""
        def traced_step(*args: Any, **kwargs: Any) -> Any:
            out = step(*args, **kwargs)
            self.next_iteration(loss=out)
            return out
        traced_step.__wrapped__ = step  # type: ignore[attr-defined]
        return traced_step

    def close(self, loss: Any = None) -> int | None:
        """Finish the open iteration if anything ran in it."""
        return self._finish(loss) if self._entries else None

    def _start_iteration(self) -> None:
        self._iteration += 1
        self._gen += 1
        s = self.sampling
        full = self._iteration % s.every == 0
        self._active = full or s.between == "structure"
        self._level = self.level if full else "off"
        self._stats = self._level != "off"
        self._full = self._level == "full"
        self._wall = time.time()
        self._base = perf_counter_ns()
        self._phase = "forward"
        self._forward = True
        self._entries: list[tuple] = []  # leaves and ops, in node-id order
        self._bwd: list[tuple] = []
        self._mods: list[tuple] = []
        self._counts: dict[tuple[str, str], int] = {}
        # Tensors produced by a graph op are found through grad_fn.meta; others (leaves,
        # no-grad outputs) through this map: id(tensor) -> (weakref, tid).
        self._tids: dict[int, tuple[Any, int]] = {}
        self._tmeta: list[tuple] = []  # by tid: (shape, dtype, device, stats slot)
        self._pending: list[Any] = []
        self._leaf_refs: dict[int, Any] = {}  # leaf tid -> weakref, for grad norms
        self._snapshots: dict[int, Any] = {}
        self._built: dict[int, Any] = {}

    def _finish(self, loss: Any) -> int | None:
        """Freeze the iteration's tuples into the session; records are built on first read."""
        if not self._active or not (self._entries or self._bwd):
            return None
        raw = _capture.freeze(self, loss)
        self.session.add(raw)
        if self.on_capture is not None:
            self.on_capture(self.session[-1])
        return raw.index

    def _auto_split(self) -> None:
        if self._entries or self._bwd:
            self.next_iteration()
        else:
            self._phase, self._forward = "forward", True

    # ------------------------------------------------------------------ observer: ops
    def op_begin(self, fn: type) -> Any:
        if not self._forward and self.auto_split and grad_mode.state.enabled:
            self._auto_split()
        if not self._active:
            return None
        return (fn, perf_counter_ns())

    def op_end(self, token: Any, node: Any, inputs: tuple, outputs: tuple) -> None:
        t1 = perf_counter_ns()
        if token is None:
            return
        fn, t0 = token
        name = fn.__name__
        path = self._path
        counts = self._counts
        ck = (path, name)
        index = counts.get(ck, 0)
        counts[ck] = index + 1
        gen = self._gen
        entries = self._entries
        ins = []
        for a in inputs:
            if isinstance(a, Tensor):
                producer = a.grad_fn
                meta = producer.meta if producer is not None else None
                if meta is not None and meta[0] == gen:
                    ins.append(entries[meta[1]][9][a._output_nr])
                else:
                    ins.append(self._tensor_in(a))
        nid = len(entries)  # after the leaves first seen above took their ids
        outs = self._outputs(outputs, node is None)
        saved = 0
        if node is not None:
            node.meta = (gen, nid)
            for a in node._saved:
                saved += getattr(a, "nbytes", 0)
        entries.append(("op", name, path, index, user_location(2), self._phase,
                         t0 - self._base, t1 - t0, tuple(ins), outs, saved))
        if self.on_op is not None:
            self.on_op(_capture.node_record(self, nid))

    def _outputs(self, outputs: tuple, no_graph: bool) -> tuple:
        tmeta = self._tmeta
        first = len(tmeta)
        for o in outputs:
            a = o._data
            dev = _CPU if type(a) is _ndarray_type else device_of(a)
            tmeta.append((a.shape, a.dtype, dev, self._stats_of(a) if self._stats else None))
            if no_graph or o.grad_fn is None:  # not findable through grad_fn.meta
                self._tids[id(o)] = (weakref.ref(o), len(tmeta) - 1)
        return tuple(range(first, len(tmeta)))

    def _tensor_in(self, t: Tensor) -> int:
        entry = self._tids.get(id(t))
        if entry is not None and entry[0]() is t:
            return entry[1]
        return self._new_leaf(t)

    def _new_leaf(self, t: Tensor) -> int:
        (tid,) = self._outputs((t,), True)
        name = self._param_names.get(id(t))
        if name is not None and name[0] is t:
            kind, label = "param", name[1]
        else:
            kind = "param" if t.requires_grad else "input"
            n = self._counts.get(("<leaf>", kind), 0)
            self._counts[("<leaf>", kind)] = n + 1
            label = str(n)
        self._leaf_refs[tid] = weakref.ref(t) if kind == "param" else None
        self._entries.append(("leaf", kind, label, tid, perf_counter_ns() - self._base,
                              self._phase))
        return tid

    def _stats_of(self, a: Any) -> Any:
        if type(a) is _ndarray_type:
            return host_stats(a, self._full)
        p = device_stats(a, get_array_module(a), self._full)
        self._pending.append(p)
        return p

    # ------------------------------------------------------------------ observer: backward
    def backward_begin(self, node: Any) -> Any:
        return perf_counter_ns() if self._active else None

    def backward_end(self, token: Any, node: Any, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        t1 = perf_counter_ns()
        if token is None:
            return
        meta = node.meta
        fwd = meta[1] if meta is not None and meta[0] == self._gen else -1
        if self._stats:
            grads = tuple(None if g is None else (g.shape, g.dtype, device_of(g),
                                                  self._stats_of(g)) for g in grad_inputs)
        else:
            grads = tuple(None if g is None else (g.shape, g.dtype, _CPU if type(g) is
                                                  _ndarray_type else device_of(g), None)
                          for g in grad_inputs)
        self._bwd.append((fwd, node.fn.__name__, token - self._base, t1 - token, grads))
        if self.on_backward is not None:
            self.on_backward(_capture.backward_record(self, len(self._bwd) - 1))

    # ------------------------------------------------------------------ observer: modules
    def module_enter(self, module: Any) -> Any:
        if not self._forward and self.auto_split and grad_mode.state.enabled:
            self._auto_split()
        stack = self._mstack
        parent, ppath = stack[-1] if stack else (None, "")
        path = self._paths.path(module, parent, ppath)
        stack.append((module, path))
        self._path = path
        return perf_counter_ns()

    def module_exit(self, token: Any, module: Any, output: Any) -> None:
        t1 = perf_counter_ns()
        stack = self._mstack
        if stack and stack[-1][0] is module:
            path = stack.pop()[1]
            self._path = stack[-1][1] if stack else ""
            if self._active:
                self._mods.append((path, max(token - self._base, 0), t1 - token, self._phase))

    # ------------------------------------------------------------------ observer: phases
    def phase(self, name: str) -> None:
        self._phase = name
        self._forward = name == "forward"
        if name == "update" and self._stats:
            self._snapshot_params()

    def _snapshot_params(self) -> None:
        """Copy (a sample of) each parameter before the update, for update-to-weight ratios."""
        for tid, ref in self._leaf_refs.items():
            t = ref() if ref is not None else None
            if t is not None and tid not in self._snapshots:
                self._snapshots[tid] = param_sample(t._data).copy()



def _param_names(model: Any) -> dict[int, tuple[Any, str]]:
    if model is None:
        return {}
    return {id(p): (p, name) for name, p in model.named_parameters()}


def _default_device() -> str:
    return str(get_default_device())


@contextmanager
def record(model: Any = None, stats: str = "basic", **options: Any) -> Iterator[Recorder]:
    """Record every op, backward node and Module call the block runs.

    Args:
        model: the Module whose names give module paths and parameter names (optional).
        stats: "off" (structure and timings), "basic" (+ min/max/mean/std/norm/NaN/Inf),
            "full" (+ 32-bin histograms and 64x64 thumbnails).
        **options: every, between (sampling), window (captures kept), health (HealthConfig),
            on_op / on_backward / on_capture (callbacks with each record as it is made),
            auto_split (a new iteration starts when graph-building ops follow a backward or
            an update), script, device (session metadata).
    Returns:
        The Recorder: `rec.next_iteration()`, `rec.wrap(step)`, `rec.captures`,
        `rec.session`.

    Example:
        with trace.record(model, stats="basic") as rec:
            for i in range(10):
                step(i)
                rec.next_iteration()
    """
    rec = Recorder(model, stats, **options)
    previous = hooks.set_observer(rec)
    try:
        yield rec
    finally:
        hooks.set_observer(previous)
        rec.close()
