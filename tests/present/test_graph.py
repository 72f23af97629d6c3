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


def test_box_texts_name_inputs_and_size_collapsed_groups():
    from app.layout import GroupNode
    from app.present.labels import edge_label, node_text

    g = nx.DiGraph()
    g.add_node("0", kind="input", label="0", shape="4x2")
    g.add_node("m", kind="op", label="matmul", shape="4x3", group="fc")
    g.add_node("r", kind="op", label="relu", group="fc")
    g.add_edge("0", "m", shape="4x2")
    assert node_text("0", g) == ("input", "input 0", "4x2")
    assert node_text("m", g) == ("op", "matmul", "4x3")
    group = GroupNode("fc")
    assert node_text(group, g, {group: ("m", "r")}) == ("group", "fc", "2 ops")
    assert edge_label(("0", "m"), g) == "4x2" and edge_label(("m", "r"), g) == ""


def test_the_box_sizes_are_the_layouts():
    from app.layout import LayoutOptions
    from app.present.graph import GROUP_SIZE, NODE_SIZE

    assert (LayoutOptions().node_size, LayoutOptions().group_size) == (NODE_SIZE, GROUP_SIZE)


def test_total_time_and_saved_bytes_overlays_and_module_totals():
    from app.present.graph import group_values
    from app.present.overlays import OVERLAYS, box_total

    assert {"total", "saved"} <= set(OVERLAYS)
    g = nx.DiGraph()
    g.add_node("a", time_ns=1000, backward_ns=3000, saved_bytes=2048, group="m")
    g.add_node("b", time_ns=100_000, saved_bytes=0, group="m")
    g.add_node("p", time_ns=0, saved_bytes=0)
    values = dict(g.nodes(data=True))
    total = overlay_scale(values, "total")
    assert total.values == {"a": 4000, "b": 100_000, "p": 0}
    assert (total.t["a"], total.t["b"]) == (0.0, 1.0) and "p" not in total.t
    saved = overlay_scale(values, "saved")
    assert saved.label(saved.hi) == "2 KiB" and list(saved.t) == ["a"]
    values["m"] = group_values(g, ("a", "b"))             # a collapsed module's sums
    assert box_total(overlay_scale(values, "total"), "m") == "104 us"
    assert box_total(overlay_scale(values, "saved"), "m") == "2 KiB"
    assert box_total(overlay_scale(values, "grad"), "m") == ""   # norms do not add up


def test_overlay_values_give_collapsed_groups_their_members_sums():
    from app.layout import GroupNode
    from app.present.graph import overlay_values

    g = nx.DiGraph()
    g.add_node("a", time_ns=10, backward_ns=5, saved_bytes=8, grad_norm=2.0)
    g.add_node("b", time_ns=30, saved_bytes=0, grad_norm=7.0)
    values = overlay_values(g, {GroupNode("m"): ("a", "b")})
    assert values["a"]["time_ns"] == 10
    assert values[GroupNode("m")] == {"time_ns": 40, "backward_ns": 5, "saved_bytes": 8,
                                      "grad_norm": 7.0}


def test_one_level_collapse_and_expand_walk_the_module_tree():
    from app.present.graph import collapse_one_level, expand_one_level

    g = nx.DiGraph()
    for i, group in enumerate(["blocks.0.attn", "blocks.0.mlp", "blocks.1.attn", "head", ""]):
        g.add_node(i, kind="op", group=group)
    levels = [frozenset()]
    while True:
        nxt = collapse_one_level(g, levels[-1])
        if nxt == levels[-1]:
            break
        levels.append(nxt)
    assert levels[1:] == [frozenset({"blocks.0.attn", "blocks.0.mlp", "blocks.1.attn"}),
                          frozenset({"blocks.0", "blocks.1"}),
                          frozenset({"blocks", "head"})]
    assert expand_one_level(g, levels[3]) == levels[2]  # head has no submodules: opens fully
    assert expand_one_level(g, levels[2]) == levels[1]
    assert expand_one_level(g, levels[1]) == frozenset()


def test_grad_fn_label_style_names_ops_that_ran_backward():
    from app.present.labels import node_text

    g = nx.DiGraph()
    g.add_node("m", kind="op", label="Linear", grad_fn="LinearBackward0", shape="4x3")
    g.add_node("w", kind="param", label="fc.weight")
    assert node_text("m", g)[1] == "Linear"
    assert node_text("m", g, style="grad_fn")[1] == "LinearBackward0"
    assert node_text("w", g, style="grad_fn")[1] == "fc.weight"


def test_a_one_op_group_says_1_op():
    from app.layout import GroupNode
    from app.present.labels import node_text

    g = nx.DiGraph()
    g.add_node("r", kind="op", label="relu", group="act")
    group = GroupNode("act")
    assert node_text(group, g, {group: ("r",)}) == ("group", "act", "1 op")
