"""What the view draws, computed without Qt (app.present): overlays and module collapse."""

from __future__ import annotations

import networkx as nx

from app.present.graph import collapse_at_depth, default_collapse, module_paths
from app.present.overlays import overlay_scale


def test_overlay_scale_is_logarithmic_and_flags_non_finite_nodes():
    nodes = {"a": {"time_ns": 10}, "b": {"time_ns": 1000}, "c": {"time_ns": 100},
             "p": {"time_ns": 0}, "bad": {"nan": 3, "time_ns": 100}}
    s = overlay_scale(nodes, "time")
    assert (s.t["a"], s.t["c"], s.t["b"]) == (0.0, 0.5, 1.0)
    assert "p" not in s.t and s.anomalies == {"bad"}
    assert s.label(s.hi) == "1 us"


def test_large_graphs_collapse_by_module_depth():
    g = nx.DiGraph()
    for block in range(60):
        for op in range(10):
            g.add_node(f"{block}.{op}", kind="op", group=f"blocks.{block}.mlp")
    assert module_paths(g) >= {"blocks", "blocks.0", "blocks.0.mlp"}
    assert collapse_at_depth(g, 2) == frozenset(f"blocks.{b}" for b in range(60))
    assert default_collapse(g) == collapse_at_depth(g, 3)    # 60 boxes fit the limit
    assert default_collapse(g, limit=30) == collapse_at_depth(g, 1)
    small = nx.DiGraph([("x", "y")])
    assert default_collapse(small) == frozenset()
