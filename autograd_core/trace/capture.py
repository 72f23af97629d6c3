"""Builds an `IterationCapture` from the recorder's hot-path lists, once per iteration.

The recorder keeps flat lists with a fixed number of values per item (no container per op):

- nodes, NODE values per leaf or op: (op class | leaf kind, module path | leaf label, call
  index, (source, function) | None, phase, start ns, duration ns, first input in `ins`,
  number of inputs, first output tid, number of outputs, saved bytes);
- tensors, TENSOR values per tid: (shape, dtype, device, statistics slot or None);
- backward nodes, BWD values each: (forward node id or -1, op class, start ns, duration ns,
  first gradient in `grads`, number of gradients); grads: TENSOR values per gradient (all
  None for a missing one).
"""

from __future__ import annotations

import math
from time import perf_counter_ns
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.engine import output_nr
from autograd_core.tensor import Tensor
from autograd_core.trace.health import HealthConfig, assess
from autograd_core.trace.keys import op_key
from autograd_core.trace.records import (
    BackwardRecord,
    Edge,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    TensorMeta,
)
from autograd_core.trace.stats import histograms, param_sample, resolve, to_stats

NODE = 12
TENSOR = 4
BWD = 6
# Offsets within a node's NODE values (the order of the docstring's list).
NODE_LABEL = 1  # module path of an op, label of a leaf
NODE_OUT0 = 9  # first output tid

_names: dict[Any, str] = {}  # dtype / device -> its string; str(np.dtype) is slow


def _name(x: Any) -> str:
    name = _names.get(x)
    if name is None:
        name = _names[x] = str(x)
    return name


def tensor_meta(tid: int, m: Any, hists: dict | None = None) -> TensorMeta:
    shape, dtype, device, slot = m
    # numpy and cupy shapes are tuples of Python ints already.
    return TensorMeta(tid, shape, _name(dtype), _name(device), None if slot is None else
                      to_stats(slot, hists.get(id(slot)) if hists else None))


def node_record(rec: Any, nid: int) -> NodeRecord:
    """The NodeRecord of node `nid` (built once, then cached for the capture)."""
    built = rec._built.get(nid)
    if built is not None:
        return built
    k = nid * NODE
    (fn, path, index, loc, phase, start, dur, i0, nin, out0, nout,
     saved) = rec._nodes[k:k + NODE]
    outs = tuple(range(out0, out0 + nout))
    if loc is not None:
        name = fn.__name__
        node = NodeRecord(nid, op_key(path, name, index), "op", name, path, loc[0], loc[1],
                          phase, tuple(rec._ins[i0:i0 + nin]), outs, start, dur, None, saved,
                          index)
    else:  # a leaf: fn is its kind, path its label
        kind, label = fn, path
        group = label.rpartition(".")[0] if kind == "param" else ""
        node = NodeRecord(nid, f"{kind}:{label}", kind, "Parameter" if kind == "param"
                          else "Input", group, "", "", phase, (), outs, start, 0)
    rec._built[nid] = node
    return node


def backward_record(rec: Any, bid: int, hists: dict | None = None) -> BackwardRecord:
    k = bid * BWD
    fwd, fn, start, dur, g0, ng = rec._bwd[k:k + BWD]
    grads = rec._grads
    metas = tuple(None if grads[i * TENSOR] is None else
                  tensor_meta(-1, grads[i * TENSOR:i * TENSOR + TENSOR], hists)
                  for i in range(g0, g0 + ng))
    return BackwardRecord(bid, fwd, fn.__name__ + "Backward0", start, dur, metas)


class RawCapture:
    """One iteration as the recorder's tuples: frozen at the iteration's end (cheap), built
    into an `IterationCapture` on first read (`build()`), so records cost the reader, not
    the training step."""

    __slots__ = ("_built", "_bwd", "_grads", "_ins", "_marks", "_mods", "_nodes", "_tmeta",
                 "duration_ns", "gpu_ns", "health", "index", "level", "loss", "loss_tid",
                 "measures", "threads", "wall")
    # Set by freeze(): the recorder's flat buffers (layouts at the top of this module) ...
    _nodes: list
    _ins: list[int]
    _tmeta: list
    _bwd: list
    _grads: list
    _mods: list[tuple]
    _marks: list[tuple[str, int]]  # (phase, ns since start)
    _built: dict[int, Any]
    # ... and the iteration's facts.
    index: int
    level: str
    wall: float  # time.time() at the iteration's start
    health: HealthConfig
    duration_ns: int
    gpu_ns: list[tuple[tuple[str, int], int]]  # ((kind, record index), ns) on a GPU
    loss: float | None
    loss_tid: int | None
    measures: tuple[dict[str, float], dict[str, float]]  # grad norms, update ratios
    threads: int

    def build(self) -> IterationCapture:
        cap = IterationCapture(self.index, self.level, self.wall)
        tm = self._tmeta
        hists = None
        if self.level == "full":
            hists = histograms(tm[3::TENSOR] + [s for s in self._grads[3::TENSOR]
                                                 if s is not None])
        cap.tensors = {tid: tensor_meta(tid, tm[k:k + TENSOR], hists)
                       for tid, k in enumerate(range(0, len(tm), TENSOR))}
        cap.nodes = [node_record(self, i) for i in range(len(self._nodes) // NODE)]
        producer = {tid: n.id for n in cap.nodes for tid in n.outputs}
        cap.edges = [Edge(producer[tid], n.id, tid) for n in cap.nodes for tid in n.inputs]
        cap.backward = [backward_record(self, i, hists) for i in range(len(self._bwd) // BWD)]
        for b in cap.backward:
            if b.forward >= 0 and cap.nodes[b.forward].backward is None:
                cap.nodes[b.forward].backward = b.id
        for (kind, i), ns in self.gpu_ns:
            (cap.nodes if kind == "op" else cap.backward)[i].gpu_ns = ns
        cap.modules = [ModuleSpan(*m) for m in self._mods]
        cap.phases = _phases(cap, self._marks, self.duration_ns)
        cap.duration_ns = self.duration_ns
        cap.loss = self.loss
        cap.threads = self.threads
        tid = self.loss_tid
        if tid is None and cap.backward and cap.backward[0].forward >= 0:
            outs = cap.nodes[cap.backward[0].forward].outputs  # the walk starts at the loss
            tid = outs[0] if outs else None
        if tid is not None:
            _add_loss(cap, tid)
        cap.health = assess(cap, self.health, *self.measures)
        return cap


def freeze(rec: Any, loss: Any) -> RawCapture:
    """The recorder's current iteration, with what needs live tensors measured now."""
    raw = RawCapture()
    raw.duration_ns = perf_counter_ns() - rec._t0  # active time: `_t0` moved past pauses
    raw.threads = rec.threads
    # GPU: one synchronize, then the op times and statistics come over, once per iteration.
    raw.gpu_ns = rec._gpu.read() if rec._gpu is not None else []
    if rec._pending:
        resolve(rec._pending, get_array_module(rec._pending[0].vec))
    if rec._small is not None and not rec._full:  # at level full the first read does it
        rec._small.resolve()
    raw.index, raw.level, raw.wall, raw.health = rec._iteration, rec._level, rec._wall, \
        rec.health
    raw._nodes, raw._ins, raw._tmeta = rec._nodes, rec._ins, rec._tmeta
    raw._bwd, raw._grads, raw._mods = rec._bwd, rec._grads, rec._mods
    raw._marks = rec._marks
    raw._built = rec._built
    raw.loss_tid = None
    raw.loss = None
    if isinstance(loss, Tensor):
        entry = rec._tids.get(id(loss))
        meta = loss.grad_fn.meta if loss.grad_fn is not None else None
        if meta is not None and 0 <= meta - rec._nbase < len(rec._nodes):
            raw.loss_tid = rec._nodes[meta - rec._nbase + NODE_OUT0] + output_nr(loss)
        elif entry is not None and entry[0]() is loss:
            raw.loss_tid = entry[1]
        if loss.numel() == 1:
            raw.loss = float(loss.item())
    elif isinstance(loss, (int, float)) and not isinstance(loss, bool):
        raw.loss = float(loss)
    raw.measures = _param_measures(rec) if rec._stats else ({}, {})
    return raw


def _phases(cap: IterationCapture, marks: list[tuple[str, int]],
            end_ns: int) -> dict[str, tuple[int, int]]:
    """(first start, last end) of each phase, from the op and backward records and from the
    phase changes the engine and optimizer announced (the optimizer's update runs on raw
    arrays, so without its mark the update phase would have no span)."""
    spans: dict[str, tuple[int, int]] = {}
    events = [(n.phase, n.start_ns, n.time_ns) for n in cap.nodes if n.kind == "op"]
    events += [("backward", b.start_ns, b.time_ns) for b in cap.backward]
    # A mark's phase lasts until the next mark, the last one until the iteration ended.
    ends = [t for _, t in marks[1:]] + [end_ns]
    events += [(name, t, max(end - t, 0)) for (name, t), end in zip(marks, ends)]
    for phase, start, dur in events:
        lo, hi = spans.get(phase, (start, start + dur))
        spans[phase] = (min(lo, start), max(hi, start + dur))
    return spans


def _add_loss(cap: IterationCapture, tid: int) -> None:
    """Add a `loss` (or `output`) node fed by the tensor's producer; fill `cap.loss`."""
    meta = cap.tensors[tid]
    if cap.loss is None and meta.numel == 1 and meta.stats is not None:
        cap.loss = meta.stats.mean if math.isfinite(meta.stats.mean) else meta.stats.min
    kind = "loss" if meta.numel == 1 else "output"
    src = next(n for n in cap.nodes if tid in n.outputs)
    node = NodeRecord(len(cap.nodes), kind, kind, kind, src.module, src.source, src.function,
                      src.phase, (tid,), (), src.start_ns + src.time_ns, 0)
    cap.nodes.append(node)
    cap.edges.append(Edge(src.id, node.id, tid))


def _param_measures(rec: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Per-parameter gradient norms and update-to-weight ratios (||dw|| / ||w||)."""
    grad_norms: dict[str, float] = {}
    ratios: dict[str, float] = {}
    nodes = rec._nodes
    for k in range(0, len(nodes), NODE):
        if nodes[k] != "param":
            continue
        tid, name = nodes[k + NODE_OUT0], nodes[k + NODE_LABEL]
        ref = rec._leaf_refs.get(tid)
        t = ref() if ref is not None else None
        if t is None:
            continue
        if t.grad is not None:
            grad_norms[name] = _grad_norm(rec, t)
        before = rec._snapshots.get(tid)
        if before is not None:
            w = _norm(before)
            ratios[name] = _norm(param_sample(t._data) - before) / w if w > 0 else math.inf
    return grad_norms, ratios


def _grad_norm(rec: Any, t: Any) -> float:
    """||t.grad||: from the statistics of the gradient backward handed to `t` when `.grad` is
    that very array (no accumulation, no copy), else measured."""
    held = rec._leaf_grads.get(id(t))
    g = t.grad._data
    if held is not None and held[0] is g:
        raw = held[1] if type(held[1]) is tuple else getattr(held[1], "raw", None)
        if raw is not None and raw[5:7] == (0, 0):  # no NaN/Inf left out of the sum
            return math.sqrt(raw[3])
    return _norm(g)


def _norm(a: Any) -> float:
    if type(a) is np.ndarray and a.dtype.kind == "f":  # the common case, without dispatch
        flat = a.reshape(-1)
        return math.sqrt(float(np.dot(flat, flat)))
    xp = get_array_module(a)
    flat = a.reshape(-1)
    return float(xp.sqrt(xp.dot(flat, flat).real)) if flat.dtype.kind in "fc" else \
        float(xp.sqrt((flat.astype(xp.float64) ** 2).sum()))
