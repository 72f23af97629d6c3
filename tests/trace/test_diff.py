"""diff: added, removed and changed nodes; time and gradient-norm deltas."""

from __future__ import annotations

import autograd_core as ag
from autograd_core import trace


def _capture(n: int, width: int) -> trace.IterationCapture:
    w = ag.randn(width, width, requires_grad=True)
    with trace.record(stats="basic") as rec:
        h = ag.ones(2, width)
        for _ in range(n):
            h = h @ w
        h.sum().backward()
        rec.next_iteration()
    return rec.captures[0]


def test_identical_structure_reports_only_deltas() -> None:
    a, b = _capture(2, 3), _capture(2, 3)
    d = trace.diff(a, b)
    assert d.same_structure
    assert set(d.time_ns) == {"/MatMul#0", "/MatMul#1", "/Sum#0"}
    assert all(old is not None and new is not None for old, new in d.grad_norm.values())


def test_added_removed_and_shape_changes() -> None:
    d = trace.diff(_capture(3, 3), _capture(2, 4))
    assert d.removed == ["/MatMul#2"] and not d.added
    changed = {c.key: c.fields for c in d.changed}
    assert changed["/MatMul#0"]["shape"] == (((2, 3),), ((2, 4),))
