"""Behaviour of `app.layout.layout_graph` that a user of the graph view would notice."""

from __future__ import annotations

import itertools
import math
import random
import shutil
import subprocess
import time

import networkx as nx
import pytest

from app.layout import GroupNode, LayoutOptions, WeightCopy, layout_graph

# --- graphs --------------------------------------------------------------------------------


def rnn_graph(steps: int, shared_kind: str = "param") -> nx.DiGraph:
    """Unrolled Elman RNN with shared weights and a summed per-step loss (ids stable)."""
    g = nx.DiGraph()
    for w in ("w_ih", "w_hh", "w_out"):
        g.add_node(w, kind=shared_kind, group="rnn")
    g.add_node("h0", kind="input")
    h, total = "h0", None
    for t in range(steps):
        g.add_node(f"x{t}", kind="input")
        g.add_edges_from([(f"x{t}", f"mx{t}"), ("w_ih", f"mx{t}"), (h, f"mh{t}"),
                          ("w_hh", f"mh{t}"), (f"mx{t}", f"add{t}"), (f"mh{t}", f"add{t}"),
                          (f"add{t}", f"tanh{t}"), (f"tanh{t}", f"out{t}"), ("w_out", f"out{t}")])
        for op in ("mx", "mh", "add", "tanh"):
            g.nodes[f"{op}{t}"].update(kind="op", group=f"rnn.step{t}")
        h = f"tanh{t}"
        if total is not None:
            g.add_edges_from([(total, f"sum{t}"), (f"out{t}", f"sum{t}")])
            total = f"sum{t}"
        else:
            total = f"out{t}"
    return g


def residual_graph(blocks: int) -> nx.DiGraph:
    """Transformer-like chain: each block is a branch of ops added back to the stream."""
    g = nx.DiGraph()
    h = "x"
    g.add_node(h, kind="input")
    for b in range(blocks):
        grp = f"blocks.{b}"
        prev = h
        for k in range(4):
            op = f"{grp}/op{k}"
            g.add_node(op, kind="op", group=f"{grp}.mlp")
            g.add_node(f"{grp}.w{k}", kind="param", group=f"{grp}.mlp")
            g.add_edges_from([(prev, op), (f"{grp}.w{k}", op)])
            prev = op
        add = f"{grp}/add"
        g.add_node(add, kind="op", group=grp)
        g.add_edges_from([(h, add), (prev, add)])
        h = add
    g.add_edge(h, "loss")
    g.nodes["loss"]["kind"] = "loss"
    return g


def resnet_graph(stages: int = 4) -> nx.DiGraph:
    """ResNet-18 as the engine records it: fused conv and batch-norm ops, a downsampling skip
    (conv, batch norm) at the start of every stage after the first."""
    g = nx.DiGraph()

    def op(name: str, inputs: list[str], weights: list[str]) -> str:
        g.add_node(name, kind="op", group=name.rpartition("/")[0])
        for w in weights:
            g.add_node(f"{name}.{w}", kind="param", group=name)
            g.add_edge(f"{name}.{w}", name)
        g.add_edges_from((i, name) for i in inputs)
        return name

    def conv_bn(h: str | None, path: str) -> str:
        conv = op(f"{path}/conv", [h] if h else [], ["weight"])  # the image needs no grad
        return op(f"{path}/bn", [conv], ["weight", "bias"])

    h = op("stem/relu", [conv_bn(None, "stem")], [])
    for stage in range(stages):
        for block in range(2):
            path = f"layer{stage}.{block}"
            skip = conv_bn(h, f"{path}.down") if stage and not block else h
            y = conv_bn(op(f"{path}/relu_a", [conv_bn(h, f"{path}.a")], []), f"{path}.b")
            h = op(f"{path}/relu", [op(f"{path}/add", [y, skip], [])], [])
    loss = op("loss", [op("fc", [op("mean", [h], [])], ["weight", "bias"])], [])
    g.nodes[loss]["kind"] = "loss"
    return g


def random_dag(n: int, p: float, seed: int) -> nx.DiGraph:
    """Random DAG: edges only from lower to higher index."""
    rng = random.Random(seed)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u in range(n):
        for v in range(u + 1, min(n, u + 8)):
            if rng.random() < p:
                g.add_edge(u, v)
    return g


# --- an independent crossing counter: plain segment intersection ------------------------------


def _segments(layout):
    out = []
    for (u, v), pts in layout.edge_points.items():
        for a, b in itertools.pairwise(pts):
            out.append(((u, v), a, b))
    return out


def _cross(p1, p2, p3, p4) -> bool:
    """Proper intersection of segments p1p2 and p3p4 (touching does not count)."""

    def orient(a, b, c):
        val = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(val) < 1e-9 else (1 if val > 0 else -1)

    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


def geometric_crossings(layout) -> int:
    """Pairs of edges whose polylines properly intersect somewhere (O(E^2), small graphs)."""
    segs = _segments(layout)
    pairs = set()
    for i in range(len(segs)):
        ei, a, b = segs[i]
        for j in range(i + 1, len(segs)):
            ej, c, d = segs[j]
            if ei != ej and _cross(a, b, c, d):
                pairs.add((min(ei, ej, key=repr), max(ei, ej, key=repr), a, c))
    return len(pairs)


# --- geometry invariants ---------------------------------------------------------------------


def _boxes(layout, graph, options):
    """(x, y, w, h) of every drawn box, copies included."""
    w0, h0 = options.node_size
    out = []
    for node, (x, y) in layout.positions.items():
        if node in layout.copies:
            continue
        w, h = options.group_size if isinstance(node, GroupNode) else \
            graph.nodes[node].get("size", (w0, h0))
        out.append((x, y, w, h))
    for node, served in layout.copies.items():
        w, h = graph.nodes[node].get("size", (w0, h0))
        out.extend((x, y, w, h) for x, y in set(served.values()))
    return out


@pytest.mark.parametrize("graph", [rnn_graph(6), residual_graph(5), random_dag(60, 0.3, 1)],
                         ids=["rnn", "residual", "random"])
def test_positions_are_finite_and_boxes_in_a_layer_do_not_overlap(graph):
    options = LayoutOptions()
    layout = layout_graph(graph, options=options)
    boxes = _boxes(layout, graph, options)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y, _, _ in boxes)
    rows: dict[float, list] = {}
    for x, y, w, _ in boxes:
        rows.setdefault(y, []).append((x - w / 2, x + w / 2))
    for row in rows.values():
        row.sort()
        for (_, right), (left, _) in itertools.pairwise(row):
            assert left >= right + options.node_gap - 1e-6
    width, height = layout.size
    for x, y, w, h in boxes:
        assert x - w / 2 >= -1e-6 and x + w / 2 <= width + 1e-6
        assert y - h / 2 >= -1e-6 and y + h / 2 <= height + 1e-6


@pytest.mark.parametrize("graph", [rnn_graph(6), residual_graph(5), random_dag(60, 0.3, 2)],
                         ids=["rnn", "residual", "random"])
def test_every_edge_points_downward(graph):
    layout = layout_graph(graph)
    assert set(layout.edge_points) == set(graph.edges)
    for (u, v), pts in layout.edge_points.items():
        ys = [y for _, y in pts]
        assert ys == sorted(ys) and ys[0] < ys[-1], (u, v)
        top = layout.copies[u][v] if u in layout.copies else layout.positions[u]
        assert top[1] < layout.positions[v][1]


def test_weights_sit_right_above_the_op_using_them():
    layout = layout_graph(residual_graph(8))
    for b in range(8):
        for k in range(4):
            w, op = f"blocks.{b}.w{k}", f"blocks.{b}/op{k}"
            assert layout.ranks[w] == layout.ranks[op] - 1


def test_input_steps_sit_right_above_the_step_using_them():
    # x -> select_t -> matmul_t: with nothing but sources above them, drawn at the top they
    # sent one edge per step down the whole drawing.
    g = nx.DiGraph()
    g.add_node("xs", kind="input")
    h = "h0"
    g.add_node(h, kind="input")
    for t in range(6):
        g.add_node(f"w{t}", kind="param")
        g.add_edges_from([("xs", f"sel{t}"), (f"sel{t}", f"mx{t}"), (f"w{t}", f"mx{t}"),
                          (f"mx{t}", f"add{t}"), (h, f"mh{t}"), (f"mh{t}", f"add{t}")])
        h = f"add{t}"
    layout = layout_graph(g)
    for t in range(6):
        assert layout.ranks[f"mx{t}"] == layout.ranks[f"add{t}"] - 1
        assert layout.ranks[f"sel{t}"] == layout.ranks[f"mx{t}"] - 1


def test_shared_weight_is_drawn_once_per_use():
    g = rnn_graph(5)
    layout = layout_graph(g)
    assert set(layout.copies["w_hh"]) == {f"mh{t}" for t in range(5)}
    for t in range(5):
        copy_at = layout.copies["w_hh"][f"mh{t}"]
        start = layout.edge_points[("w_hh", f"mh{t}")][0]
        assert start[0] == pytest.approx(copy_at[0])
        assert layout.positions[f"mh{t}"][1] > copy_at[1]
    assert WeightCopy("w_hh", "mh0") in layout.hints.node_x


def test_shared_weights_unsplit_when_asked():
    layout = layout_graph(rnn_graph(5), options=LayoutOptions(split_shared=False))
    assert layout.copies == {}
    assert layout.ranks["w_hh"] < layout.ranks["mh0"]


# --- crossings -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_reported_crossings_match_an_independent_count(seed):
    layout = layout_graph(random_dag(40, 0.35, seed))
    assert layout.crossings == geometric_crossings(layout)


@pytest.mark.parametrize("graph", [rnn_graph(12), residual_graph(10)], ids=["rnn", "residual"])
def test_tree_like_graphs_are_drawn_without_crossings(graph):
    assert geometric_crossings(layout_graph(graph)) == 0


def _dot_crossings(graph: nx.DiGraph) -> int:
    """Crossings dot reports for its own drawing of `graph` (`dot -v` mincross lines)."""
    ids = {n: f"n{i}" for i, n in enumerate(graph)}
    src = "digraph{" + ";".join(f"{ids[u]}->{ids[v]}" for u, v in graph.edges) + "}"
    err = subprocess.run(["dot", "-v", "-Tplain"], input=src, capture_output=True, text=True,
                         timeout=60, check=True).stderr
    counts = [int(line.split(":")[1].split()[0]) for line in err.splitlines()
              if line.startswith("mincross") and line.rstrip().endswith("secs.")]
    return sum(counts)


def _drawn(layout) -> nx.DiGraph:
    """The graph as drawn: every copy of a split weight is a node of its own."""
    return nx.DiGraph([(("copy", u, v) if u in layout.copies else u, v)
                       for u, v in layout.edge_points])


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


@needs_dot
@pytest.mark.parametrize("graph", [rnn_graph(12), residual_graph(10), random_dag(50, 0.25, 3)],
                         ids=["rnn", "residual", "random"])
def test_crossings_at_most_dot_plus_ten_percent(graph):
    layout = layout_graph(graph)
    assert geometric_crossings(layout) <= _dot_crossings(_drawn(layout)) * 1.1


def _dot_width(graph: nx.DiGraph, options: LayoutOptions) -> float:
    """Width of dot's drawing of `graph` with our box sizes and gaps, in points like ours."""
    ids = {n: f"n{i}" for i, n in enumerate(graph)}
    w, h = (s / 72 for s in options.node_size)
    src = (f"digraph{{nodesep={options.node_gap / 72};ranksep={options.layer_gap / 72};"
           f'node[shape=box,fixedsize=true,width={w},height={h},label=""];'
           + ";".join(f"{ids[u]}->{ids[v]}" for u, v in graph.edges) + "}")
    out = subprocess.run(["dot", "-Tplain"], input=src, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    return float(out.split()[2]) * 72


@needs_dot
@pytest.mark.parametrize("graph", [resnet_graph(), residual_graph(10), rnn_graph(12)],
                         ids=["resnet", "residual", "rnn"])
def test_drawing_is_no_wider_than_dots(graph):
    # Weights all on one side of their op made each ResNet stage step one column right.
    options = LayoutOptions()
    layout = layout_graph(graph, options=options)
    assert layout.size[0] <= _dot_width(_drawn(layout), options) + 1e-6


@needs_dot
def test_dense_shared_weight_rnn_within_ten_percent_of_dot():
    graph = rnn_graph(6)  # weights drawn once: every step's edges cross the weights' edges
    ours = geometric_crossings(layout_graph(graph, options=LayoutOptions(split_shared=False)))
    assert ours <= _dot_crossings(graph) * 1.1


# --- collapsing ------------------------------------------------------------------------------


def test_collapsed_group_hides_members_and_keeps_external_edges():
    g = residual_graph(4)
    layout = layout_graph(g, options=LayoutOptions(collapsed=frozenset({"blocks.1"})))
    group = GroupNode("blocks.1")
    members = {n for n, d in g.nodes(data=True) if str(d.get("group", "")).startswith("blocks.1")}
    assert set(layout.groups[group]) == members
    assert group in layout.positions
    assert not members & set(layout.positions)
    external = set()
    for u, v in g.edges:
        a = group if u in members else u
        b = group if v in members else v
        if a != b:
            external.add((a, b))
    assert set(layout.edge_points) == external
    assert (group, "blocks.2/add") in layout.edge_points
    assert ("blocks.0/add", group) in layout.edge_points


def test_collapsing_every_block_draws_one_box_per_block():
    g = residual_graph(12)
    paths = frozenset(f"blocks.{b}" for b in range(12))
    layout = layout_graph(g, options=LayoutOptions(collapsed=paths))
    boxes = [n for n in layout.positions if isinstance(n, GroupNode)]
    assert len(boxes) == 12
    ys = sorted(layout.positions[GroupNode(f"blocks.{b}")][1] for b in range(12))
    assert ys == [layout.positions[GroupNode(f"blocks.{b}")][1] for b in range(12)]


def test_collapse_that_creates_a_cycle_still_lays_out():
    g = rnn_graph(4)
    # Every step's ops share the group "rnn.*" with the weights: collapsing "rnn" makes the
    # sum chain and the recurrent group feed each other.
    g.add_edge("out1", "mh3")
    layout = layout_graph(g, options=LayoutOptions(collapsed=frozenset({"rnn"})))
    assert GroupNode("rnn") in layout.positions
    for pts in layout.edge_points.values():
        assert all(math.isfinite(c) for p in pts for c in p)


def test_cycles_are_broken_and_drawn_upwards():
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    layout = layout_graph(g)
    assert set(layout.edge_points) == set(g.edges)
    upward = [e for e, pts in layout.edge_points.items() if pts[0][1] > pts[-1][1]]
    assert len(upward) == 1


# --- stability -------------------------------------------------------------------------------


def _slots(layout):
    rows: dict[float, list] = {}
    for node, (x, y) in layout.positions.items():
        rows.setdefault(y, []).append((x, node))
    return {n: (y, i) for y, row in rows.items() for i, (_, n) in enumerate(sorted(row))}


@pytest.mark.parametrize("steps", [60, 150])
def test_adding_one_step_keeps_the_picture_still(steps):
    old = layout_graph(rnn_graph(steps))
    new = layout_graph(rnn_graph(steps + 1), previous=old)
    a, b = _slots(old), _slots(new)
    common = [n for n in a if n in b]
    moved = sum(1 for n in common if abs(a[n][1] - b[n][1]) > 1)
    assert moved <= 0.01 * len(common)
    by_row: dict[float, list] = {}
    for n in common:
        by_row.setdefault(a[n][0], []).append((a[n][1], n))
    for row in by_row.values():
        row.sort()
        for (_, p), (_, q) in itertools.pairwise(row):
            assert not (b[p][0] == b[q][0] and b[p][1] > b[q][1]), (p, q)
    # The frame moves by `shift` when new nodes reach further left; the view scrolls by it.
    drift = [abs(old.positions[n][0] + new.shift - new.positions[n][0]) for n in common]
    assert sorted(drift)[len(drift) // 2] < 1.0


@pytest.mark.parametrize("seed", range(3))
def test_relayout_reports_the_crossings_it_draws(seed):
    small = random_dag(40, 0.3, seed)
    grown = small.copy()
    grown.add_edges_from([(35, 40), (38, 40), (40, 41), (20, 41)])
    new = layout_graph(grown, previous=layout_graph(small))
    assert new.crossings == geometric_crossings(new)


def test_expanding_one_collapsed_block_keeps_the_others_in_order():
    g = residual_graph(6)
    paths = frozenset(f"blocks.{b}" for b in range(6))
    old = layout_graph(g, options=LayoutOptions(collapsed=paths))
    new = layout_graph(g, previous=old, options=LayoutOptions(collapsed=paths - {"blocks.2"}))
    for b in range(6):
        if b != 2:
            assert GroupNode(f"blocks.{b}") in new.positions
    assert "blocks.2/op0" in new.positions


# --- robustness ------------------------------------------------------------------------------


def test_time_budget_returns_best_so_far_instead_of_hanging():
    graph = rnn_graph(150)
    start = time.perf_counter()
    layout = layout_graph(graph, options=LayoutOptions(split_shared=False, time_budget_s=0.01))
    assert time.perf_counter() - start < 5.0
    assert layout.timed_out
    assert set(layout.positions) == set(graph)


def test_time_budget_bounds_the_whole_layout_of_a_huge_graph():
    # Weights drawn once: every step's edges from them cross the whole drawing, which needed
    # over a million bends and 15 s before long edges were drawn straight past the budget.
    graph = rnn_graph(500)
    budget = 0.3
    start = time.process_time()
    layout = layout_graph(graph, options=LayoutOptions(split_shared=False, time_budget_s=budget))
    assert time.process_time() - start < 3 * budget
    assert layout.timed_out
    assert set(layout.edge_points) == set(graph.edges)
    for (u, v), pts in layout.edge_points.items():
        assert pts[0][1] < pts[-1][1]
        assert pts[0][0] == pytest.approx(layout.positions[u][0])
        assert pts[-1][0] == pytest.approx(layout.positions[v][0])


def test_empty_and_single_node_graphs():
    assert layout_graph(nx.DiGraph()).positions == {}
    g = nx.DiGraph()
    g.add_node("x", size=(50, 20))
    layout = layout_graph(g)
    assert layout.size == (50.0, 20.0)
    assert layout.positions["x"] == (25.0, 10.0)


def test_layout_package_does_not_import_qt():
    code = ("import sys, app.layout; "
            "sys.exit(any(m.startswith(('PySide6', 'PyQt')) for m in sys.modules))")
    assert subprocess.run([__import__("sys").executable, "-c", code]).returncode == 0
