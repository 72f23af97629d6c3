"""`Recorder`: the engine's observer. It collects flat lists of values on the hot path and
builds the record dataclasses once per iteration, on first read (`capture.py`).

Per op the hot path keeps only atomic values (ints, strings, classes, shared tuples) in a few
flat lists with a fixed stride per node (`capture.NODE`), tensor (`capture.TENSOR`) and
backward node (`capture.BWD`): no container object outlives an op, so recording adds little
work for the garbage collector, which otherwise costs more than the recording itself.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns
from typing import Any

from autograd_core import grad_mode
from autograd_core.backend import device_of, get_array_module
from autograd_core.creation import get_default_device
from autograd_core.engine import output_nr, saved_arrays
from autograd_core.function import AccumulateGrad
from autograd_core.tensor import Tensor
from autograd_core.trace import capture as _capture
from autograd_core.trace.callsites import CallSites
from autograd_core.trace.capture import BWD, NODE, NODE_OUT0, TENSOR
from autograd_core.trace.health import HealthConfig
from autograd_core.trace.keys import ModulePaths
from autograd_core.trace.records import LEVELS, IterationCapture
from autograd_core.trace.session import DEFAULT_WINDOW, Session
from autograd_core.trace.small_stats import SmallBatch, small_slot
from autograd_core.trace.stats import device_stats, host_slot, param_sample

_ndarray_type = type(__import__("numpy").empty(0))
_CPU = device_of(__import__("numpy").empty(0))
# Node ids are stored on grad_fn.meta as `base + nid`; every iteration of every recorder
# takes a fresh base, so a node from another iteration or recorder never matches.
_BASE_STRIDE = 1 << 32
_next_base = [0]
_NO_GRAD = (None, None, None, None)  # the TENSOR fields of a missing gradient


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
    """Implements `autograd_core.hooks.Observer`. Use it through `record(...)`
    (record_context.py)."""

    def __init__(self, model: Any = None, stats: str = "basic", every: int = 1,
                 between: str = "structure", window: int = DEFAULT_WINDOW,
                 health: HealthConfig | None = None, on_op: Callable | None = None,
                 on_backward: Callable | None = None, on_capture: Callable | None = None,
                 auto_split: bool = True, script: str = "", device: str | None = None,
                 gpu_timer: Any = None, threads: int = 0) -> None:
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
        self.session = Session(script=script, device=device or str(get_default_device()),
                               window=window)
        self._paths = ModulePaths(model)
        self._path_cache: dict[int, tuple[Any, str, str]] = {}  # id(module) -> (m, parent, path)
        self._param_names = _param_names(model)
        self._mstack: list[tuple[Any, str]] = []
        self._path = ""
        self._sites = CallSites()  # each op's call index in its module and source line
        self._gpu: Any = None  # a GpuTimer, once a CuPy array was seen
        self.threads = threads  # the BLAS/OpenMP threads the ops ran with (0: not known)
        # Nanoseconds excluded from the clock so far (step-mode pauses, see `exclude`):
        # every time offset is on the "active" clock, perf_counter_ns() minus this.
        self._excluded = 0
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

    def start_clock(self) -> None:
        """The open iteration starts now, if nothing ran in it yet: a caller that closes
        iterations itself (`next_iteration`) and then idles must not count the idle time
        as the next iteration's."""
        if not (self._nodes or self._bwd or self._mods or self._marks):
            self._t0 = perf_counter_ns()
            self._wall = time.time()

    def exclude(self, ns: int) -> None:
        """Leave `ns` nanoseconds that just passed out of every time this iteration records
        (a step-mode pause: the user's think time is not the model's time).

        The iteration's start moves forward by `ns`, so the start offsets of later ops,
        nodes, module calls and phase marks, and the iteration's duration, count only active
        time; an op's own duration is read by the engine around the op and never spans a
        pause. Module spans open across a pause are shortened by it too. The time of the
        `on_op` / `on_backward` callbacks is left out the same way.
        """
        self._t0 += ns
        self._excluded += ns

    def close(self, loss: Any = None) -> int | None:
        """Finish the open iteration if anything ran in it."""
        return self._finish(loss) if self._nodes else None

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
        self._marks: list[tuple[str, int]] = []  # (phase, ns since start) as announced
        # Flat lists (layouts in capture.py): leaves and ops in node-id order, NODE values
        # each; the input tids of all nodes; TENSOR values per tid; BWD values per backward
        # node; TENSOR values per gradient of a backward node.
        self._nodes: list = []
        self._ins: list[int] = []
        self._tmeta: list = []
        self._bwd: list = []
        self._grads: list = []
        self._mods: list[tuple] = []
        self._counts: dict[tuple[str, Any], int] = {}  # leaf labels
        # Tensors produced by a graph op are found through grad_fn.meta (the base plus the
        # producer's offset in _nodes); others (leaves, no-graph outputs) through this map:
        # id(tensor) -> (weakref, tid).
        self._tids: dict[int, tuple[Any, int]] = {}
        self._pending: list[Any] = []
        self._leaf_refs: dict[int, Any] = {}  # leaf tid -> weakref, for grad norms
        self._snapshots: dict[int, Any] = {}
        self._leaf_grads: dict[int, tuple] = {}  # id(param) -> (gradient array, stats slot)
        self._built: dict[int, Any] = {}
        if self._gpu is not None:
            self._gpu.reset()

    def _finish(self, loss: Any) -> int | None:
        """Freeze the iteration's tuples into the session; records are built on first read."""
        if not self._active or not (self._nodes or self._bwd):
            return None
        raw = _capture.freeze(self, loss)
        self.session.add(raw)
        if self.on_capture is not None:
            self.on_capture(self.session[-1])
        return raw.index

    def _auto_split(self) -> None:
        if self._nodes or self._bwd:
            self.next_iteration()
        else:
            self._phase, self._forward = "forward", True

    # ------------------------------------------------------------------ observer: ops
    # The engine reads the clock around each op and node itself: no call before them.
    op_begin: Any = None
    backward_begin: Any = None

    def _split(self, t0: int) -> None:
        """A graph-building op after a backward or an update: the next iteration begins."""
        self._auto_split()
        self._t0 = min(self._t0, t0)

    def op_end(self, token: Any, fn: type, t0: int, t1: int, node: Any, inputs: tuple,
               outputs: tuple) -> None:
        if not self._forward and self.auto_split and grad_mode.state.enabled:
            self._split(t0)
        if not self._active:
            return
        path = self._path
        base = self._nbase
        nodes = self._nodes
        ins = self._ins
        ins_start = len(ins)
        for a in inputs:
            if isinstance(a, Tensor):
                producer = a.grad_fn
                m = producer.meta if producer is not None else None
                if m is not None and 0 <= m - base < len(nodes):
                    # the producer's first output tid, plus which of its outputs a is
                    ins.append(nodes[m - base + NODE_OUT0] + output_nr(a))
                else:  # a leaf or a no-graph output: found by id, or new
                    known = self._tids.get(id(a))
                    ins.append(known[1] if known is not None and known[0]() is a
                               else self._new_leaf(a))
        off = len(nodes)  # after the leaves first seen above took their ids
        tmeta = self._tmeta
        out0 = len(tmeta) // TENSOR
        if len(outputs) == 1 and node is not None and outputs[0].grad_fn is node \
                and not self._stats:
            a = outputs[0]._data  # the common case, inlined
            tmeta += (a.shape, a.dtype, _CPU if type(a) is _ndarray_type else self._device(a),
                      None)
            nout = 1
        else:
            nout = self._outputs(outputs, node is None)
        saved = 0
        if node is not None:
            node.meta = base + off
            for a in saved_arrays(node):
                saved += getattr(a, "nbytes", 0)
        index, loc = self._sites.find(path, fn, self._iteration)  # called here: see find
        nodes += (fn, path, index, loc, self._phase, t0 - self._t0, t1 - t0, ins_start,
                  len(ins) - ins_start, out0, nout, saved)
        if self.on_op is not None:  # a viewer's callback: its time is not the model's
            t = perf_counter_ns()
            self.on_op(_capture.node_record(self, off // NODE))
            self.exclude(perf_counter_ns() - t)

    def _outputs(self, outputs: tuple, no_graph: bool) -> int:
        """Append the outputs' TENSOR values; returns how many."""
        tmeta = self._tmeta
        for o in outputs:
            a = o._data
            dev = _CPU if type(a) is _ndarray_type else self._device(a)
            tmeta += (a.shape, a.dtype, dev, self._stats_of(a) if self._stats else None)
            if no_graph or o.grad_fn is None:  # not findable through grad_fn.meta
                self._tids[id(o)] = (weakref.ref(o), len(tmeta) // TENSOR - 1)
        return len(outputs)

    def _device(self, a: Any) -> Any:
        """The device of a non-numpy array; the first CUDA array turns on GPU op timing."""
        dev = device_of(a)
        if self._gpu is None and dev.type == "cuda":
            self._enable_gpu()
        return dev

    def _new_leaf(self, t: Tensor) -> int:
        tid = len(self._tmeta) // TENSOR
        self._outputs((t,), True)
        name = self._param_names.get(id(t))
        if name is not None and name[0] is t:
            kind, label = "param", name[1]
        else:
            kind = "param" if t.requires_grad else "input"
            n = self._counts.get(("<leaf>", kind), 0)
            self._counts[("<leaf>", kind)] = n + 1
            label = str(n)
        self._leaf_refs[tid] = weakref.ref(t) if kind == "param" else None
        self._nodes += (kind, label, 0, None, self._phase, perf_counter_ns() - self._t0, 0,
                        len(self._ins), 0, tid, 1, 0)
        return tid

    def _stats_of(self, a: Any) -> Any:
        if type(a) is _ndarray_type:
            small = small_slot(self._small, a)
            return small if small is not None else host_slot(a, self._full)
        p = device_stats(a, get_array_module(a), self._full)
        self._pending.append(p)
        return p

    # ------------------------------------------------------------------ observer: backward
    def backward_end(self, token: Any, node: Any, t0: int, t1: int, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        if not self._active:
            return
        m = node.meta
        k = m - self._nbase if m is not None else -1
        fwd = k // NODE if 0 <= k < len(self._nodes) else -1
        grads = self._grads
        g0 = len(grads)
        if self._stats:
            self._grad_stats(node, grad_inputs)
        else:
            for g in grad_inputs:
                if g is None:
                    grads += _NO_GRAD
                else:
                    grads += (g.shape, g.dtype, _CPU if type(g) is _ndarray_type
                              else device_of(g), None)
        self._bwd += (fwd, node.fn, t0 - self._t0, t1 - t0, g0 // TENSOR, len(grad_inputs))
        if self.on_backward is not None:  # as on_op: left out of the recorded times
            t = perf_counter_ns()
            self.on_backward(_capture.backward_record(self, len(self._bwd) // BWD - 1))
            self.exclude(perf_counter_ns() - t)

    def _grad_stats(self, node: Any, grad_inputs: tuple) -> None:
        """Metadata and statistics of each gradient; a parameter's is kept (with the array)
        so its gradient norm need not be measured again at the iteration's end."""
        grads = self._grads
        nexts = node.next_functions  # may be shorter than grad_inputs (e.g. CrossEntropy)
        for i, g in enumerate(grad_inputs):  # one entry per gradient, as backward_end counts
            if g is None:
                grads += _NO_GRAD
                continue
            slot = self._stats_of(g)
            grads += (g.shape, g.dtype, device_of(g), slot)
            nxt = nexts[i][0] if i < len(nexts) else None
            if type(nxt) is AccumulateGrad:
                self._leaf_grads[id(nxt.variable)] = (g, slot)

    # ------------------------------------------------------------------ observer: GPU timing
    def _enable_gpu(self, timer: Any = None) -> None:
        """Time ops and backward nodes with CUDA events too (see gpu_timing.attach)."""
        from autograd_core.trace.gpu_timing import attach

        self._gpu = attach(self, timer)

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
        return perf_counter_ns() - self._excluded  # on the active clock (see `exclude`)

    def refresh_model(self) -> None:
        """The model gained modules (a plain script's, found as they run): rename them."""
        if self.model is not None:
            self._paths.refresh()
            self._path_cache.clear()
            self._param_names = _param_names(self.model)

    def _module_path(self, module: Any, parent: Any, ppath: str) -> str:
        path = self._paths.path(module, parent, ppath)
        cache = self._path_cache
        if len(cache) > 10_000:  # modules made anew every step must not grow it forever
            cache.clear()
        cache[id(module)] = (module, ppath, path)
        return path

    def module_exit(self, token: Any, module: Any, output: Any) -> None:
        t1 = perf_counter_ns() - self._excluded  # active clock, as `token`
        stack = self._mstack
        if stack and stack[-1][0] is module:
            path = stack.pop()[1]
            self._path = stack[-1][1] if stack else ""
            if self._active:
                start = self._t0 - self._excluded  # the iteration's start, active clock
                self._mods.append((path, max(token - start, 0), t1 - token, self._phase))

    # ------------------------------------------------------------------ observer: phases
    def phase(self, name: str) -> None:
        self._marks.append((name, perf_counter_ns() - self._t0))
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
    return {} if model is None else {id(p): (p, name) for name, p in model.named_parameters()}

