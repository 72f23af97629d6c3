"""Builds an `IterationCapture` from the recorder's hot-path tuples, once per iteration."""

from __future__ import annotations

import math
from time import perf_counter_ns
from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.tensor import Tensor
from autograd_core.trace.health import assess
from autograd_core.trace.keys import op_key
from autograd_core.trace.records import (
    BackwardRecord,
    Edge,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    TensorMeta,
)
from autograd_core.trace.stats import Pending, param_sample, resolve


def _stats(slot: Any) -> Any:
    return slot.result if isinstance(slot, Pending) else slot


_names: dict[Any, str] = {}  # dtype / device -> its string; str(np.dtype) is slow


def _name(x: Any) -> str:
    name = _names.get(x)
    if name is None:
        name = _names[x] = str(x)
    return name


def tensor_meta(tid: int, m: tuple) -> TensorMeta:
    shape, dtype, device, slot = m
    # numpy and cupy shapes are tuples of Python ints already.
    return TensorMeta(tid, shape, _name(dtype), _name(device), _stats(slot))


def node_record(rec: Any, nid: int) -> NodeRecord:
    """The NodeRecord of entry `nid` (built once, then cached for the capture)."""
    built = rec._built.get(nid)
    if built is not None:
        return built
    e = rec._entries[nid]
    if e[0] == "op":
        _, name, path, index, (src, func), phase, start, dur, ins, outs, saved = e
        node = NodeRecord(nid, op_key(path, name, index), "op", name, path, src, func, phase,
                          ins, outs, start, dur, None, saved, index)
    else:
        _, kind, label, tid, start, phase = e
        group = label.rpartition(".")[0] if kind == "param" else ""
        node = NodeRecord(nid, f"{kind}:{label}", kind, "Parameter" if kind == "param"
                          else "Input", group, "", "", phase, (), (tid,), start, 0)
    rec._built[nid] = node
    return node


def backward_record(rec: Any, bid: int) -> BackwardRecord:
    fwd, name, start, dur, grads = rec._bwd[bid]
    metas = tuple(None if g is None else tensor_meta(-1, g) for g in grads)
    return BackwardRecord(bid, fwd, name, start, dur, metas)


def build(rec: Any, loss: Any) -> IterationCapture:
    """The capture of the recorder's current iteration."""
    end = perf_counter_ns()
    if rec._pending:
        resolve(rec._pending, get_array_module(rec._pending[0].vec))
    cap = IterationCapture(rec._iteration, rec._level, rec._wall)
    cap.tensors = {tid: tensor_meta(tid, m) for tid, m in enumerate(rec._tmeta)}
    cap.nodes = [node_record(rec, i) for i in range(len(rec._entries))]
    producer = {tid: n.id for n in cap.nodes for tid in n.outputs}
    cap.edges = [Edge(producer[tid], n.id, tid) for n in cap.nodes for tid in n.inputs]
    cap.backward = [backward_record(rec, i) for i in range(len(rec._bwd))]
    for b in cap.backward:
        if b.forward >= 0 and cap.nodes[b.forward].backward is None:
            cap.nodes[b.forward].backward = b.id
    cap.modules = [ModuleSpan(*m) for m in rec._mods]
    cap.phases = {k: (v[0], v[1]) for k, v in rec._phases.items()}
    cap.duration_ns = end - rec._base
    _add_loss(cap, rec, loss)
    grad_norms, ratios = _param_measures(rec, cap) if rec._stats else ({}, {})
    cap.health = assess(cap, rec.health, grad_norms, ratios)
    return cap


def _loss_tid(cap: IterationCapture, rec: Any, loss: Any) -> int | None:
    if isinstance(loss, Tensor):
        entry = rec._tids.get(id(loss))
        return entry[1] if entry is not None and entry[0]() is loss else None
    if cap.backward and cap.backward[0].forward >= 0:
        outs = cap.nodes[cap.backward[0].forward].outputs  # the backward walk starts at loss
        return outs[0] if outs else None
    return None


def _add_loss(cap: IterationCapture, rec: Any, loss: Any) -> None:
    """Set `cap.loss` and add a `loss` (or `output`) node fed by the tensor's producer."""
    tid = _loss_tid(cap, rec, loss)
    if isinstance(loss, Tensor) and loss.numel() == 1:
        cap.loss = float(loss.item())
    elif isinstance(loss, (int, float)) and not isinstance(loss, bool):
        cap.loss = float(loss)
    if tid is None:
        return
    meta = cap.tensors[tid]
    if cap.loss is None and meta.numel == 1 and meta.stats is not None:
        cap.loss = meta.stats.mean if math.isfinite(meta.stats.mean) else meta.stats.min
    kind = "loss" if meta.numel == 1 else "output"
    src = next(n for n in cap.nodes if tid in n.outputs)
    node = NodeRecord(len(cap.nodes), kind, kind, kind, src.module, src.source, src.function,
                      src.phase, (tid,), (), src.start_ns + src.time_ns, 0)
    cap.nodes.append(node)
    cap.edges.append(Edge(src.id, node.id, tid))


def _param_measures(rec: Any, cap: IterationCapture) -> tuple[dict, dict]:
    """Per-parameter gradient norms and update-to-weight ratios (||dw|| / ||w||)."""
    grad_norms: dict[str, float] = {}
    ratios: dict[str, float] = {}
    for n in cap.nodes:
        if n.kind != "param":
            continue
        tid = n.outputs[0]
        ref = rec._leaf_refs.get(tid)
        t = ref() if ref is not None else None
        if t is None:
            continue
        name = n.key.split(":", 1)[1]
        if t.grad is not None:
            grad_norms[name] = _norm(t.grad._data)
        before = rec._snapshots.get(tid)
        if before is not None:
            w = _norm(before)
            ratios[name] = _norm(param_sample(t._data) - before) / w if w > 0 else math.inf
    return grad_norms, ratios


def _norm(a: Any) -> float:
    xp = get_array_module(a)
    flat = a.reshape(-1)
    return float(xp.sqrt(xp.dot(flat, flat).real)) if flat.dtype.kind in "fc" else \
        float(xp.sqrt((flat.astype(xp.float64) ** 2).sum()))
