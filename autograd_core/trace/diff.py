"""`diff(a, b)`: what changed between two captures, matched by stable node key.

Example:
    d = trace.diff(rec.captures[0], rec.captures[1])
    d.added, d.removed          # keys only in b / only in a
    d.changed                   # NodeChange: key and {field: (old, new)} for op/shape/source
    d.time_ns["0/Linear#0"]     # (old, new) forward time; d.grad_norm likewise
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd_core.trace.records import IterationCapture, NodeRecord


@dataclass(slots=True)
class NodeChange:
    key: str
    fields: dict[str, tuple]


@dataclass(slots=True)
class CaptureDiff:
    """Differences from capture `a` to capture `b` (by iteration index)."""

    a: int
    b: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    time_ns: dict[str, tuple[int, int]] = field(default_factory=dict)
    grad_norm: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    @property
    def same_structure(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _shapes(cap: IterationCapture, node: NodeRecord) -> tuple:
    return tuple(cap.tensors[t].shape for t in node.outputs or node.inputs)


def _grad_norm(cap: IterationCapture, node: NodeRecord) -> float | None:
    if node.backward is None:
        return None
    norms = [g.stats.norm for g in cap.backward[node.backward].grads
             if g is not None and g.stats is not None]
    return max(norms) if norms else None


def diff(a: IterationCapture, b: IterationCapture) -> CaptureDiff:
    """Nodes added, removed and changed (op, shape, source line) from `a` to `b`, and per
    shared node the forward time and the largest outgoing gradient norm in each."""
    na = {n.key: n for n in a.nodes}
    nb = {n.key: n for n in b.nodes}
    out = CaptureDiff(a.index, b.index)
    out.added = [k for k in nb if k not in na]
    out.removed = [k for k in na if k not in nb]
    for key, x in na.items():
        y = nb.get(key)
        if y is None:
            continue
        changes = {}
        for name, va, vb in (("op", x.op, y.op), ("shape", _shapes(a, x), _shapes(b, y)),
                             ("source", x.source, y.source), ("kind", x.kind, y.kind)):
            if va != vb:
                changes[name] = (va, vb)
        if changes:
            out.changed.append(NodeChange(key, changes))
        if x.kind == "op":
            out.time_ns[key] = (x.time_ns, y.time_ns)
        ga, gb = _grad_norm(a, x), _grad_norm(b, y)
        if ga is not None or gb is not None:
            out.grad_norm[key] = (ga, gb)
    return out
