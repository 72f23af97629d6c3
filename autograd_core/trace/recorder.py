"""`Recorder`: the engine's observer. It collects tuples on the hot path and builds the record
dataclasses once per iteration (`capture.py`), so recording at level `off` costs about a
microsecond per op: two clock reads, a counter, a cached source location and a tuple.
"""

from __future__ import annotations

import sys
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
from autograd_core.function import AccumulateGrad
from autograd_core.tensor import Tensor
from autograd_core.trace import capture as _capture
from autograd_core.trace.health import HealthConfig
from autograd_core.trace.keys import ModulePaths, location, user_frame
from autograd_core.trace.records import LEVELS, IterationCapture
from autograd_core.trace.session import DEFAULT_WINDOW, Session
from autograd_core.trace.small_stats import SmallBatch, small_slot
from autograd_core.trace.stats import device_stats, host_slot, param_sample

_ndarray_type = type(__import__("numpy").empty(0))
_CPU = device_of(__import__("numpy").empty(0))
_getframe = sys._getframe
# Node ids are stored on grad_fn.meta as `base + nid`; every iteration of every recorder
# takes a fresh base, so a node from another iteration or recorder never matches.
_BASE_STRIDE = 1 << 32
_next_base = [0]
_LOC_CACHE_MAX = 200_000


def _new_base() -> int:
    _next_base[0] += _BASE_STRIDE
    return _next_base[0]


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
                 auto_split: bool = True, script: str = "", device: str | None = None,
                 gpu_timer: Any = None) -> None:
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
        self._path_cache: dict[int, tuple[Any, str, str]] = {}  # id(module) -> (m, parent, path)
        self._param_names = _param_names(model)
        self._mstack: list[tuple[Any, str]] = []
        self._path = ""
        # (path, op class) -> per call index (frame depth, code, f_lasti, location) of the
        # user's frame last time: a later op with that stable key reads one frame, no walk.
        self._loc_cache: dict[tuple, list[tuple]] = {}
        self._gpu: Any = None  # a GpuTimer, once a CuPy array was seen
        self._iteration = -1
        if gpu_timer is not None or str(self.session.device).startswith("cuda"):
            self._enable_gpu(gpu_timer)
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
        s = self.sampling
        full = self._iteration % s.every == 0
        self._active = full or s.between == "structure"
        self._level = self.level if full else "off"
        self._stats = self._level != "off"
        self._full = self._level == "full"
        self._small = SmallBatch(self._full) if self._stats else None
        self._wall = time.time()
        self._t0 = perf_counter_ns()
        self._nbase = _new_base()
        self._phase = "forward"
        self._forward = True
        self._entries: list[tuple] = []  # leaves and ops, in node-id order
        self._bwd: list[tuple] = []
        self._mods: list[tuple] = []
        self._counts: dict[tuple[str, Any], int] = {}
        # Tensors produced by a graph op are found through grad_fn.meta; others (leaves,
        # no-grad outputs) through this map: id(tensor) -> (weakref, tid).
        self._tids: dict[int, tuple[Any, int]] = {}
        self._tmeta: list[tuple] = []  # by tid: (shape, dtype, device, stats slot)
        self._pending: list[Any] = []
        self._leaf_refs: dict[int, Any] = {}  # leaf tid -> weakref, for grad norms
        self._snapshots: dict[int, Any] = {}
        self._leaf_grads: dict[int, tuple] = {}  # id(param) -> (gradient array, stats slot)
        self._built: dict[int, Any] = {}
        if self._gpu is not None:
            self._gpu.reset()

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
        path = self._path
        counts = self._counts
        ck = (path, fn)
        index = counts.get(ck, 0)
        counts[ck] = index + 1
        base = self._nbase
        entries = self._entries
        tids = self._tids
        ins = []
        for a in inputs:
            if isinstance(a, Tensor):
                producer = a.grad_fn
                m = producer.meta if producer is not None else None
                if m is not None and 0 <= m - base < len(entries):
                    ins.append(entries[m - base][9][a._output_nr])
                else:  # a leaf or a no-graph output: _tensor_in, inlined
                    known = tids.get(id(a))
                    ins.append(known[1] if known is not None and known[0]() is a
                               else self._new_leaf(a))
        nid = len(entries)  # after the leaves first seen above took their ids
        if len(outputs) == 1 and node is not None and outputs[0].grad_fn is node \
                and not self._stats:
            a = outputs[0]._data  # the common case, inlined
            tmeta = self._tmeta
            outs: tuple = (len(tmeta),)
            tmeta.append((a.shape, a.dtype, _CPU if type(a) is _ndarray_type else
                          self._device(a), None))
        else:
            outs = self._outputs(outputs, node is None)
        saved = 0
        if node is not None:
            node.meta = base + nid
            for a in node._saved:
                saved += getattr(a, "nbytes", 0)
        entries.append(("op", fn, path, index, self._location(ck, index), self._phase,
                        t0 - self._t0, t1 - t0, ins, outs, saved))
        if self.on_op is not None:
            self.on_op(_capture.node_record(self, nid))

    def _location(self, ck: tuple, index: int) -> tuple[str, str]:
        """The user's source line of this op. Where the same stable key found it before,
        one frame read (`depth` from here) and, for the same instruction, no line lookup;
        else a frame walk."""
        per_index = self._loc_cache.get(ck)
        if per_index is not None and index < len(per_index):
            depth, code, lasti, loc = per_index[index]
            try:
                frame = _getframe(depth)
            except ValueError:  # a shallower stack than last time
                frame = None
            if frame is not None and frame.f_code is code:
                if frame.f_lasti == lasti:
                    return loc
                loc = location(code, frame.f_lineno)
                per_index[index] = (depth, code, frame.f_lasti, loc)
                return loc
        loc, depth, code = user_frame(1)  # past _location's caller, op_end
        if code is not None:
            self._remember(ck, index, (depth, code, _getframe(depth).f_lasti, loc))
        return loc

    def _remember(self, ck: tuple, index: int, hit: tuple) -> None:
        cache = self._loc_cache
        if len(cache) > _LOC_CACHE_MAX:
            cache.clear()
        per_index = cache.setdefault(ck, [])
        if index < len(per_index):
            per_index[index] = hit
        else:  # a gap (an index first seen by a key that skipped it) holds a dead entry
            per_index.extend([(0, None, -1, None)] * (index - len(per_index)))
            per_index.append(hit)

    def _outputs(self, outputs: tuple, no_graph: bool) -> tuple:
        tmeta = self._tmeta
        first = len(tmeta)
        for o in outputs:
            a = o._data
            dev = _CPU if type(a) is _ndarray_type else self._device(a)
            tmeta.append((a.shape, a.dtype, dev, self._stats_of(a) if self._stats else None))
            if no_graph or o.grad_fn is None:  # not findable through grad_fn.meta
                self._tids[id(o)] = (weakref.ref(o), len(tmeta) - 1)
        return tuple(range(first, len(tmeta)))

    def _device(self, a: Any) -> Any:
        """The device of a non-numpy array; the first CUDA array turns on GPU op timing."""
        dev = device_of(a)
        if self._gpu is None and dev.type == "cuda":
            self._enable_gpu()
        return dev

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
        self._entries.append(("leaf", kind, label, tid, perf_counter_ns() - self._t0,
                              self._phase))
        return tid

    def _stats_of(self, a: Any) -> Any:
        if type(a) is _ndarray_type:
            small = small_slot(self._small, a)
            return small if small is not None else host_slot(a, self._full)
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
        m = node.meta
        fwd = m - self._nbase if m is not None and 0 <= m - self._nbase < len(self._entries) \
            else -1
        if self._stats:
            grads = self._grad_stats(node, grad_inputs)
        else:
            # A loop, not a comprehension: on Python 3.11 that is one frame less per node.
            out = []
            for g in grad_inputs:
                if g is None:
                    out.append(None)
                else:
                    out.append((g.shape, g.dtype, _CPU if type(g) is _ndarray_type
                                else device_of(g), None))
            grads = tuple(out)
        self._bwd.append((fwd, node.fn, token - self._t0, t1 - token, grads))
        if self.on_backward is not None:
            self.on_backward(_capture.backward_record(self, len(self._bwd) - 1))

    def _grad_stats(self, node: Any, grad_inputs: tuple) -> tuple:
        """Metadata and statistics of each gradient; a parameter's is kept (with the array)
        so its gradient norm need not be measured again at the iteration's end."""
        out = []
        for (nxt, _), g in zip(node.next_functions, grad_inputs):
            if g is None:
                out.append(None)
                continue
            slot = self._stats_of(g)
            out.append((g.shape, g.dtype, device_of(g), slot))
            if type(nxt) is AccumulateGrad:
                self._leaf_grads[id(nxt.variable)] = (g, slot)
        return tuple(out)

    # ------------------------------------------------------------------ observer: GPU timing
    def _enable_gpu(self, timer: Any = None) -> None:
        """Time ops and backward nodes with CUDA events too (`timer`: a GpuTimer; the default
        uses CuPy's events). The CPU path is untouched: GPU versions of the four hooks shadow
        the methods on this instance only."""
        from autograd_core.trace.gpu_timing import GpuTimer

        self._gpu = timer if timer is not None else GpuTimer()
        self.op_begin = self._op_begin_gpu  # type: ignore[method-assign]
        self.op_end = self._op_end_gpu  # type: ignore[method-assign]
        self.backward_begin = self._backward_begin_gpu  # type: ignore[method-assign]
        self.backward_end = self._backward_end_gpu  # type: ignore[method-assign]

    def _op_begin_gpu(self, fn: type) -> Any:
        token = Recorder.op_begin(self, fn)
        return None if token is None else (*token, self._gpu.start())

    def _op_end_gpu(self, token: Any, node: Any, inputs: tuple, outputs: tuple) -> None:
        if token is None or len(token) == 2:  # not timed, or begun before timing was on
            Recorder.op_end(self, token, node, inputs, outputs)
            return
        fn, t0, start = token
        # The stop event goes on the stream before any statistics kernels are enqueued; the
        # op's id is known after op_end (leaves it sees first take ids before it).
        pair = self._gpu.stop(start)
        Recorder.op_end(self, (fn, t0), node, inputs, outputs)
        self._gpu.tag(pair, ("op", len(self._entries) - 1))

    def _backward_begin_gpu(self, node: Any) -> Any:
        token = Recorder.backward_begin(self, node)
        return None if token is None else (token, self._gpu.start())

    def _backward_end_gpu(self, token: Any, node: Any, grad_outputs: tuple,
                          grad_inputs: tuple) -> None:
        if type(token) is not tuple:  # not timed, or begun before timing was on
            Recorder.backward_end(self, token, node, grad_outputs, grad_inputs)
            return
        t0, start = token
        self._gpu.tag(self._gpu.stop(start), ("backward", len(self._bwd)))
        Recorder.backward_end(self, t0, node, grad_outputs, grad_inputs)

    # ------------------------------------------------------------------ observer: modules
    def module_enter(self, module: Any) -> Any:
        if not self._forward and self.auto_split and grad_mode.state.enabled:
            self._auto_split()
        stack = self._mstack
        ppath = self._path
        hit = self._path_cache.get(id(module))
        if hit is not None and hit[0] is module and hit[1] == ppath:
            path = hit[2]
        else:
            path = self._module_path(module, stack[-1][0] if stack else None, ppath)
        stack.append((module, path))
        self._path = path
        return perf_counter_ns()

    def _module_path(self, module: Any, parent: Any, ppath: str) -> str:
        path = self._paths.path(module, parent, ppath)
        cache = self._path_cache
        if len(cache) > 10_000:  # modules made anew every step must not grow it forever
            cache.clear()
        cache[id(module)] = (module, ppath, path)
        return path

    def module_exit(self, token: Any, module: Any, output: Any) -> None:
        t1 = perf_counter_ns()
        stack = self._mstack
        if stack and stack[-1][0] is module:
            path = stack.pop()[1]
            self._path = stack[-1][1] if stack else ""
            if self._active:
                self._mods.append((path, max(token - self._t0, 0), t1 - token, self._phase))

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
            an update), script, device (session metadata), gpu_timer (a
            `gpu_timing.GpuTimer`: CUDA-event op times; made by itself on the first CuPy array).
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
