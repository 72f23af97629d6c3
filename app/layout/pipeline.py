"""`layout_graph`: the Sugiyama pipeline from a networkx graph to a `Layout`.

collapse -> rank (and split shared sources) -> bends -> order -> x, y -> edge polylines.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Hashable
from itertools import chain

import networkx as nx
import numpy as np

from app.layout.collapse import DrawGraph, build_draw_graph
from app.layout.coords import assign_x, layer_y
from app.layout.layering import Proper, edge_chains, make_proper
from app.layout.model import Layout, LayoutOptions, OrderHints, Point
from app.layout.ordering import dfs_layers, reduce_crossings, slots_of
from app.layout.ranking import Ranking, assign_ranks
from app.layout.routing import Chain, edge_polylines
from app.layout.sides import weights_outward
from app.layout.stability import hint_builder, previous_x, seed_order

# The time budget bounds the whole layout. Every step after ranking is linear in nodes plus
# bends, at a few microseconds per bend; past this many bends per second of budget the longest
# edges are drawn straight instead of through the layers (no graph of the benchmark comes
# near: its largest needs 4k bends).
BENDS_PER_SECOND = 100_000
MIN_BENDS = 2_000
# Crossing reduction stops at this share of the budget, coordinate passes at this one, which
# leaves the rest for the linear steps.
ORDER_SHARE = 0.6
COORDS_SHARE = 0.85


def layout_graph(
    graph: nx.DiGraph, previous: Layout | None = None, options: LayoutOptions | None = None
) -> Layout:
    """Lay `graph` out top to bottom in layers, inputs and weights above the ops using them.

    Args:
        graph: edges in data-flow direction (towards the loss); node attributes `kind`
            ("op", "param", "input", "output", "loss"), `group` (module path) and `size`
            ((width, height)) are used when present.
        previous: the layout of an earlier version of this graph; nodes it knows keep their
            order and, as far as the new nodes allow, their x.
        options: see `LayoutOptions`.
    Returns:
        A `Layout`; `layout.positions[node]` is the centre of the node's box.

    Example:
        >>> g = nx.DiGraph([("x", "mul"), ("w", "mul"), ("mul", "loss")])
        >>> layout = layout_graph(g)
        >>> layout.positions["x"][1] < layout.positions["mul"][1] < layout.positions["loss"][1]
        True
    """
    # The layout allocates ~10 small lists per node and makes no reference cycles; the cyclic
    # collector's scans of them cost up to a third of the run time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _layout(graph, previous, options or LayoutOptions())
    finally:
        if was_enabled:
            gc.enable()


def _layout(graph: nx.DiGraph, previous: Layout | None, options: LayoutOptions) -> Layout:
    start = time.perf_counter()
    budget = options.time_budget_s
    dg = build_draw_graph(graph, options)
    ranking = assign_ranks(dg, options)
    proper = make_proper(dg, ranking, max(MIN_BENDS, int(BENDS_PER_SECOND * budget)))
    chains = list(edge_chains(proper, dg, ranking))
    t_rank = time.perf_counter()
    anchor = movable = None
    if previous is None:
        dfs_layers(proper)
        pos = slots_of(proper.layers, len(proper.rank))
    else:
        anchor = previous_x(proper, dg.keys, chains, previous.hints)
        pos, movable = seed_order(proper, anchor)
    crossings, timed_out = reduce_crossings(proper, pos, options, start + ORDER_SHARE * budget,
                                            movable)
    if previous is None:
        weights_outward(proper, pos)
    t_order = time.perf_counter()
    x = assign_x(proper, dg.widths, ranking.height, ranking.depth, options, anchor,
                 start + COORDS_SHARE * budget)
    layout = _assemble(dg, ranking, proper, chains, x, options)
    layout.crossings = crossings
    layout.timed_out = timed_out or bool(proper.straight)
    end = time.perf_counter()
    layout.timings = {
        "rank": t_rank - start,
        "order": t_order - t_rank,
        "coords": end - t_order,
        "total": end - start,
    }
    return layout


def _assemble(
    dg: DrawGraph,
    ranking: Ranking,
    proper: Proper,
    chains: list[Chain],
    x: list[float],
    options: LayoutOptions,
) -> Layout:
    """Shift the drawing to start at x = 0 and build the public dictionaries."""
    n_real = proper.n_real
    flat = np.fromiter(chain.from_iterable(proper.layers), dtype=np.int64)
    if not len(flat):
        return Layout({}, {}, (0.0, 0.0))
    xs = np.asarray(x)
    half = np.zeros(len(x))
    half[:n_real] = dg.widths[:n_real]
    half *= 0.5
    left = float((xs[flat] - half[flat]).min())
    right = float((xs[flat] + half[flat]).max())
    if left != 0.0:
        x = (xs - left).tolist()
    shift = -left
    ys, band = layer_y(proper, dg.heights, options)
    heights = dg.heights[:n_real] + [0.0] * (len(x) - n_real)
    bottom = ys[-1] + band[-1] * 0.5
    edges = edge_polylines(proper, chains, x, ys, band, heights)
    layout = Layout({}, edges, (right - left, bottom), shift=shift)
    _fill_nodes(layout, dg, ranking, x, ys)
    layout.groups = {g: tuple(members) for g, members in dg.groups.items()}
    layout.hints = OrderHints(hint_builder(proper, dg.keys, chains, x))
    return layout


def _fill_nodes(layout: Layout, dg: DrawGraph, ranking: Ranking, x, ys) -> None:
    """Positions and ranks of drawn nodes; a split source is reported once per copy."""
    keys, rank, hidden, copy_of = dg.keys, ranking.rank, ranking.hidden, ranking.copy_of
    n = len(keys)
    plain = range(n - len(copy_of)) if not hidden else [v for v in range(n) if v not in hidden
                                                          and v not in copy_of]
    positions: dict[Hashable, Point] = {keys[v]: (x[v], ys[rank[v]]) for v in plain}
    ranks = {keys[v]: rank[v] for v in plain}
    copies = layout.copies
    for c, source in copy_of.items():
        point = (x[c], ys[rank[c]])
        original = keys[source]
        if original not in positions:
            positions[original] = point
            ranks[original] = rank[c]
        served = copies.setdefault(original, {})
        for w in dg.succ[c]:
            served[keys[w]] = point
    layout.positions = positions
    layout.ranks = ranks
