"""The NaN hunt without Qt: the birth over a run, and each node's part in it."""

from __future__ import annotations

import runpy

import autograd_core as ag
from app.present.graph import capture_graph
from app.present.nan_hunt import anomaly_roles, capture_nonfinite, find_birth
from app.present.overlays import overlay_scale
from autograd_core import trace
from resources.examples import __file__ as examples_init

EXAMPLE = examples_init.replace("__init__.py", "nan_divergence.py")


def _record(iterations: int) -> list:
    ns = runpy.run_path(EXAMPLE)
    with trace.record(stats="basic") as rec:
        for i in range(iterations):
            ns["step"](i)
            rec.next_iteration()
    return rec.captures


def test_the_nan_example_is_born_in_log_at_iteration_5_line_30():
    caps = _record(12)
    birth = find_birth(reversed(caps))  # order of arrival does not matter: the earliest wins
    assert (birth.op, birth.iteration, birth.phase, birth.where) == ("Log", 5, "forward",
                                                                      "output")
    assert birth.source.endswith("nan_divergence.py:30") and birth.line == 30
    assert birth.text().startswith("NaN first born in Log at iteration 5 (forward")
    assert not any(capture_nonfinite(c) for c in caps[:5]) and capture_nonfinite(caps[5])


def test_roles_tell_origin_from_spread_and_mark_the_path_to_it():
    cap = _record(6)[5]
    graph = capture_graph(cap)
    roles, edges = anomaly_roles(graph, cap)
    assert [k for k, r in roles.items() if r == "origin"] == ["/Log#0"]
    spread = {k for k, r in roles.items() if r == "spread"}
    assert "loss" in spread and "/Log#0" not in spread
    # every spread node is downstream of the origin; the path runs from the inputs to it
    assert all(k in __import__("networkx").descendants(graph, "/Log#0") for k in spread)
    path = {k for k, r in roles.items() if r == "path"}
    assert {graph.nodes[k]["kind"] for k in path} == {"param", "input", "op"}  # scale * x
    assert all(v in path | {"/Log#0"} for _, v in edges) and ("loss" not in path)
    assert {v for _, v in edges} >= {"/Log#0"}
    scale = overlay_scale(dict(graph.nodes(data=True)), "anomaly", roles)
    assert scale.roles["/Log#0"] == "origin" and scale.roles["loss"] == "spread"


def test_a_clean_run_has_no_birth():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with trace.record(stats="basic") as rec:
        (x * 2).sum().backward()
        rec.next_iteration()
    assert find_birth(rec.captures) is None
    assert anomaly_roles(capture_graph(rec.captures[0]), rec.captures[0]) == ({}, set())
