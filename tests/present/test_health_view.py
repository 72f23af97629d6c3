"""Gradient health as listed, without Qt (app.present.health_view): order, flags from the
recorded thresholds, numbers in full, badges, and parameter norms for the gradient overlay."""

from __future__ import annotations

import math

from app.present.graph import capture_graph
from app.present.health_view import (
    health_badges,
    health_rows,
    norm_text,
    thresholds_text,
)
from autograd_core.trace.records import (
    BackwardRecord,
    Health,
    IterationCapture,
    NodeRecord,
    TensorMeta,
    TensorStats,
)


def _grad(norm: float) -> TensorMeta:
    return TensorMeta(-1, (2,), "float32", "cpu", TensorStats(0, 0, 0, 0, norm, 0, 0))


def _capture() -> IterationCapture:
    nodes = [NodeRecord(0, "param:fc.weight", "param", "Parameter", "fc", "", "", "forward",
                        (), (0,)),
             NodeRecord(1, "fc/Linear#0", "op", "Linear", "fc", "m.py:3", "", "forward",
                        (0,), (1,), backward=0),
             NodeRecord(2, "/Tanh#0", "op", "Tanh", "", "m.py:4", "", "forward", (1,), (2,),
                        backward=1)]
    backward = [BackwardRecord(0, 1, "LinearBackward0", 0, 1, (_grad(5e3),)),
                BackwardRecord(1, 2, "TanhBackward0", 0, 1, (_grad(math.nan),))]
    health = Health(None, {"fc.weight": 5.03e-05, "fc.bias": 2e-9, "out.weight": 0.5},
                    {"fc.weight": 1e-3, "fc.bias": 2e-4, "out.weight": 0.01},
                    ("param:fc.bias",), ("fc/Linear#0",), 1e-8, 1e3)
    tensors = {i: TensorMeta(i, (2,), "float32", "cpu") for i in range(3)}
    return IterationCapture(3, "basic", 0.0, nodes=nodes, backward=backward, health=health,
                            tensors=tensors)


def test_rows_lead_with_non_finite_then_the_smallest_norm_and_carry_the_recorded_flags():
    rows = health_rows(_capture())
    assert [r.name for r in rows] == ["Tanh", "fc.bias", "fc.weight", "out.weight", "Linear"]
    tanh, bias, weight, _, linear = rows
    assert (tanh.kind, tanh.flag) == ("node", "non-finite")
    assert (bias.kind, bias.flag, bias.update_ratio) == ("param", "vanishing", 2e-4)
    assert (weight.module, weight.flag) == ("fc", "")
    assert (linear.flag, linear.grad_norm, linear.source) == ("exploding", 5e3, "m.py:3")
    params = [r for r in rows if r.kind == "param"]
    assert params[0].grad_norm == min(r.grad_norm for r in params)


def test_numbers_are_never_cut_and_thresholds_are_the_recorded_ones():
    assert norm_text(5.03e-05) == "5.03e-05"
    assert norm_text(0.07426822732294311) == "0.0742682"
    assert norm_text(None) == "no gradient"
    text = thresholds_text(_capture().health)
    assert "below 1e-08" in text and "above 1000" in text


def test_badges_and_the_gradient_overlay_reach_parameter_nodes():
    cap = _capture()
    assert health_badges(cap) == {"param:fc.bias": "vanishing", "fc/Linear#0": "exploding",
                                  "/Tanh#0": "non-finite"}
    graph = capture_graph(cap)
    assert graph.nodes["param:fc.weight"]["grad_norm"] == 5.03e-05
    assert graph.nodes["fc/Linear#0"]["grad_norm"] == 5e3          # its own backward's norm
