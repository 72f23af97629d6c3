"""Layer assignment: which row each node goes in.

Ops are layered by longest path from the top, and pulled down towards their consumers where
that shortens edges; each source (weight, input) sits right above the op that uses it.
Measured on a 6k-node transformer, hanging weights from the top row instead made the drawing
230x wider. A shared source is drawn once per use (`WeightCopy`), which turns an unrolled RNN
from a quadratic tangle into a tree.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from app.layout.collapse import DrawGraph
from app.layout.model import LayoutOptions, WeightCopy


@dataclass
class Ranking:
    """Layer of every drawn node; afterwards `dg.succ`/`dg.pred` point down/up the layers.

    `reversed_edges` are the original (u, v) edges turned upside down to break cycles, with
    `original_succ` kept to tell them apart; `hidden` sources are drawn only through their
    copies; `copy_of` maps a copy to its source node; `height`/`depth` count the edges on the
    longest path below/above each node.
    """

    rank: list[int]
    reversed_edges: set[tuple[int, int]]
    original_succ: list[set[int]] | None
    hidden: set[int]
    copy_of: dict[int, int]
    height: list[int]
    depth: list[int]


def _kahn_longest_path(succ: list[list[int]], pred: list[list[int]]):
    """Topological order and longest-path ranks in one pass; the order is short on a cycle."""
    indeg = [len(p) for p in pred]
    order = [i for i, d in enumerate(indeg) if not d]
    rank = [0] * len(succ)
    for v in order:  # the list grows while we walk it
        r = rank[v] + 1
        for w in succ[v]:
            if rank[w] < r:
                rank[w] = r
            indeg[w] -= 1
            if not indeg[w]:
                order.append(w)
    return order, rank


def order_breaking_cycles(succ: list[list[int]], pred: list[list[int]]):
    """Kahn's order; on a cycle, the waiting node with fewest unplaced predecessors goes next.

    Returns:
        (order, reversed_edges): every edge not in `reversed_edges` points forward in order.
    """
    n = len(succ)
    indeg = [len(p) for p in pred]
    placed = bytearray(n)
    order: list[int] = []
    heap = [(d, v) for v, d in enumerate(indeg)]
    heapq.heapify(heap)
    reversed_edges: set[tuple[int, int]] = set()
    while heap:
        d, v = heapq.heappop(heap)
        if placed[v] or d != indeg[v]:
            continue  # a stale entry
        placed[v] = 1
        order.append(v)
        reversed_edges.update((u, v) for u in pred[v] if not placed[u])
        for w in succ[v]:
            if not placed[w]:
                indeg[w] -= 1
                heapq.heappush(heap, (indeg[w], w))
    return order, reversed_edges


def _orient(dg: DrawGraph, reversed_edges: set[tuple[int, int]]) -> None:
    """Flip reversed edges in place, appending them after each node's own edges."""
    rev = reversed_edges
    dg.succ = [[w for w in s if (v, w) not in rev] for v, s in enumerate(dg.succ)]
    dg.pred = [[u for u in p if (u, v) not in rev] for v, p in enumerate(dg.pred)]
    for u, v in sorted(rev):
        dg.succ[v].append(u)
        dg.pred[u].append(v)


def _longest_path(order: list[int], down: list[list[int]]) -> list[int]:
    """Rank = length of the longest path from any source."""
    rank = [0] * len(order)
    for v in order:
        r = rank[v] + 1
        for w in down[v]:
            if rank[w] < r:
                rank[w] = r
    return rank


def _heights(order: list[int], down: list[list[int]]) -> list[int]:
    """Longest path to a sink, counted in edges: how much of the graph hangs below a node."""
    height = [0] * len(order)
    for v in reversed(order):
        below = down[v]
        if below:
            height[v] = 1 + max(height[w] for w in below)
    return height


def _pull_down(order, rank, down, up, sources) -> None:
    """Move an op down to just above its consumers when that shortens edges.

    An op with more out-edges than in-edges from ops is better off low; in-edges from sources
    do not count because sources follow their consumer anyway, and neither do those from ops
    with one consumer fed by nothing else (an RNN's input step `x[t] @ W`): drawn at the top,
    every step's input ran down the whole drawing. Ties stay put: pulling an RNN's per-step
    head down to the loss chain put its weights in the middle of the next step.
    """
    from_sources = [0] * len(rank)
    for s in sources:
        for w in down[s]:
            from_sources[w] += 1
    for v in order:  # parents first, so a chain of such ops counts all the way down
        below = down[v]
        if len(below) == 1 and up[v] and from_sources[v] == len(up[v]):
            from_sources[below[0]] += 1
    get = rank.__getitem__
    for v in reversed(order):
        below = down[v]
        ups = up[v]
        if below and ups and len(below) > len(ups) - from_sources[v]:
            target = min(map(get, below)) - 1
            if target > rank[v]:
                rank[v] = target


def _place_sources(dg, rank, sources, options, on_cycle) -> tuple[set[int], dict[int, int]]:
    """Put each source right above its first consumer, splitting shared ones per use.

    A node that only became a source by breaking a cycle is never split.
    """
    hidden: set[int] = set()
    copy_of: dict[int, int] = {}
    down = dg.succ
    get = rank.__getitem__
    split = options.split_shared
    for s in sources:
        consumers = down[s]
        if not consumers:
            continue
        kind = dg.kinds[s] or "input"
        if split and len(consumers) > 1 and kind in options.split_kinds and s not in on_cycle:
            _split_source(dg, s, rank, copy_of)
            hidden.add(s)
        else:
            rank[s] = min(map(get, consumers)) - 1
    return hidden, copy_of


def _split_source(dg: DrawGraph, s: int, rank: list[int], copy_of: dict[int, int]) -> None:
    """Replace source `s` by one copy per consumer, each right above it.

    One copy per use rather than per layer: a copy shared by two ops of a layer crossed the
    edges between them on every step of an unrolled RNN.
    """
    consumers = dg.succ[s]
    first, n = len(dg.keys), len(consumers)
    key, keys = dg.keys[s], dg.keys
    keys.extend([WeightCopy(key, keys[w]) for w in consumers])
    dg.kinds.extend([dg.kinds[s]] * n)
    dg.widths.extend([dg.widths[s]] * n)
    dg.heights.extend([dg.heights[s]] * n)
    dg.succ.extend([[w] for w in consumers])
    dg.pred.extend([[] for _ in consumers])
    rank.extend([rank[w] - 1 for w in consumers])
    for c, w in enumerate(consumers, first):
        copy_of[c] = s
        ups = dg.pred[w]
        ups[ups.index(s)] = c
    rank[s] = rank[-1]  # keeps the hidden node out of the empty-layer check
    dg.succ[s] = []


def _compact(rank: list[int]) -> list[int]:
    """Renumber ranks densely from 0, dropping empty layers (order-preserving)."""
    used = sorted(set(rank))
    if not used or (used[0] == 0 and used[-1] == len(used) - 1):
        return rank
    table = [0] * (used[-1] + 1)
    for i, r in enumerate(used):
        table[r] = i
    return [table[r] for r in rank]


def assign_ranks(dg: DrawGraph, options: LayoutOptions) -> Ranking:
    """Layer every drawn node; may append `WeightCopy` nodes to `dg` and orients its edges.

    Args:
        dg: the indexed graph.
        options: `split_shared` and `split_kinds` are used.
    Returns:
        A `Ranking` in which every edge of the oriented `dg.succ` goes down at least one layer.
    """
    order, rank = _kahn_longest_path(dg.succ, dg.pred)
    reversed_edges: set[tuple[int, int]] = set()
    original_succ = None
    if len(order) < len(rank):
        original_succ = [set(s) for s in dg.succ]
        order, reversed_edges = order_breaking_cycles(dg.succ, dg.pred)
        _orient(dg, reversed_edges)
        rank = _longest_path(order, dg.succ)
    sources = [v for v, p in enumerate(dg.pred) if not p]
    height = _heights(order, dg.succ)
    depth = list(rank)  # longest-path ranks count edges from the top, before pulling down
    _pull_down(order, rank, dg.succ, dg.pred, sources)
    on_cycle = {v for edge in reversed_edges for v in edge}
    hidden, copy_of = _place_sources(dg, rank, sources, options, on_cycle)
    height += [height[dg.succ[c][0]] + 1 for c in copy_of]
    depth += [0] * len(copy_of)
    return Ranking(_compact(rank), reversed_edges, original_succ, hidden, copy_of, height, depth)
