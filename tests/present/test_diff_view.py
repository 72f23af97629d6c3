"""The diff of two iterations as the window shows it, without Qt."""

from __future__ import annotations

import runpy
from pathlib import Path

from app.present.diff_view import diff_states, diff_view, with_ghosts
from app.present.graph import capture_graph
from app.present.overlays import overlay_scale
from autograd_core import trace

RNN = Path(__file__).resolve().parents[2] / "resources" / "examples" / "rnn_variable_length.py"


def _captures(n: int) -> list:
    ns = runpy.run_path(str(RNN))
    with trace.record(stats="basic") as rec:
        for i in range(n):
            ns["step"](i)
            rec.next_iteration()
    return rec.captures


def test_rnn_iterations_of_different_length_differ_by_the_extra_steps_only():
    caps = _captures(6)
    a, b = sorted(caps[:2], key=lambda c: -len(c.nodes))  # the longer one pinned
    view = diff_view(a, b)
    keys_a, keys_b = {n.key for n in a.nodes}, {n.key for n in b.nodes}
    assert view.removed == keys_a - keys_b and view.added == keys_b - keys_a
    assert view.removed                      # the pinned sequence was longer
    assert {r.kind for r in view.rows} >= {"removed"}
    listed = {k for r in view.rows if r.kind == "removed" for k, _, _ in r.nodes}
    assert listed == view.removed
    assert all(r.source.endswith(".py:26") or r.source.endswith(".py:25") or r.kind != "removed"
               for r in view.rows)           # the unrolled loop's lines: the branch that grew
    graph = with_ghosts(capture_graph(b), capture_graph(a), view.removed)
    assert set(graph) == keys_b | view.removed
    assert all(graph.nodes[k].get("ghost") for k in view.removed)
    states = diff_states(view)
    assert {k for k, s in states.items() if s == "removed"} == view.removed
    assert "input:0" in view.changed and "shape" in view.changed["input:0"]


def test_the_delta_overlay_is_centred_on_unchanged():
    nodes = {"same": {"diff_time": 1.0}, "half": {"diff_time": 0.5},
             "double": {"diff_time": 2.0}}
    s = overlay_scale(nodes, "diff_time")
    assert s.t["same"] == 0.5 and s.t["half"] == 0.0 and s.t["double"] == 1.0
    assert s.label(2.0) == "x2"


def test_group_states_lift_a_diff_onto_collapsed_boxes():
    from app.present.diff_view import group_states

    states = {"a": "added", "b": "added", "c": "removed", "d": "changed"}
    members = {"new": ["a", "b"], "gone": ["c"], "mixed": ["a", "x"], "shape": ["d"],
               "same": ["x", "y"]}
    assert group_states(states, members) == {"new": "added", "gone": "removed",
                                             "mixed": "changed", "shape": "changed"}
