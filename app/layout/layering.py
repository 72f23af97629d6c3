"""The proper layered graph: long edges are cut into one bend (dummy node) per layer crossed.

After this step every edge joins adjacent layers, which is what crossing reduction and
coordinate assignment need. Bends take indices after the real nodes; an edge's bends are
found again by walking down from its top node.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from app.layout.collapse import DrawGraph
from app.layout.model import EdgeKey
from app.layout.ranking import Ranking


@dataclass
class Proper:
    """Nodes 0..n-1 (real ones first, then bends) with adjacent-layer neighbour lists.

    `span[b - n_real]` is the number of layers spanned by the edge that bend b belongs to.
    `straight` holds the edges left out of the layer system (top node -> bottom nodes): they
    are drawn as straight lines and neither ordered nor counted in crossings.
    """

    n_real: int
    rank: list[int]
    up: list[list[int]]
    down: list[list[int]]
    layers: list[list[int]]
    hidden: set[int]
    span: list[int]
    light: bytearray | None = None
    straight: dict[int, list[int]] = field(default_factory=dict)


def make_proper(dg: DrawGraph, ranking: Ranking, max_bends: int | None = None) -> Proper:
    """Insert bends so every edge spans one layer (edits `dg`'s adjacency in place).

    Args:
        max_bends: when the edges need more bends than this, the longest edges are left out
            of the layer system (see `Proper.straight`) until the rest fit. Every later step
            is linear in the bends: a 500-step RNN with its weights drawn once needed 1.25M.
    """
    rank, down, up = ranking.rank, dg.succ, dg.pred
    n_real = len(rank)
    span: list[int] = []
    straight = _drop_longest(rank, down, up, max_bends) if max_bends is not None else {}
    for u in range(n_real):
        below = down[u]
        next_rank = rank[u] + 1
        for i, w in enumerate(below):
            if rank[w] > next_rank:
                below[i] = _add_bends(u, w, rank, up, down)
                span += [rank[w] - rank[u]] * (rank[w] - next_rank)
    layers: list[list[int]] = [[] for _ in range(max(rank, default=-1) + 1)]
    hidden = ranking.hidden
    for v, r in enumerate(rank):
        if v not in hidden:
            layers[r].append(v)
    return Proper(n_real, rank, up, down, layers, hidden, span, straight=straight)


def _drop_longest(rank: list[int], down: list, up: list, max_bends: int) -> dict[int, list[int]]:
    """Take the longest edges out of `down`/`up` until the others need at most `max_bends`."""
    counts = np.fromiter(map(len, down), dtype=np.int64, count=len(down))
    heads = np.fromiter(chain.from_iterable(down), dtype=np.int64, count=int(counts.sum()))
    ranks = np.asarray(rank, dtype=np.int64)
    spans_np = ranks[heads] - np.repeat(ranks[: len(down)], counts)
    if int(spans_np.sum()) - len(spans_np) <= max_bends:
        return {}
    total = int(spans_np.sum()) - len(spans_np)
    spans = sorted(spans_np.tolist(), reverse=True)
    threshold = 0
    for sp in spans:  # drop every edge of this span and longer
        total -= sp - 1
        threshold = sp
        if total <= max_bends:
            break
    straight: dict[int, list[int]] = {}
    for u, below in enumerate(down):
        long = [w for w in below if rank[w] - rank[u] >= threshold]
        if long:
            straight[u] = long
            down[u] = [w for w in below if rank[w] - rank[u] < threshold]
            for w in long:
                up[w].remove(u)
    return straight


def _add_bends(u: int, w: int, rank: list[int], up: list, down: list) -> int:
    """Chain bends from u's layer down to w's; returns the first bend."""
    prev = u
    first = len(rank)
    for r in range(rank[u] + 1, rank[w]):
        bend = len(rank)
        rank.append(r)
        up.append([prev])
        down.append([])
        if prev != u:
            down[prev].append(bend)
        prev = bend
    down[prev].append(w)
    ups = up[w]
    ups[ups.index(u)] = prev
    return first


def edge_chains(
    proper: Proper, dg: DrawGraph, ranking: Ranking
) -> Iterator[tuple[EdgeKey, bool, list[int]]]:
    """Yield (drawn edge key, drawn upwards, nodes from top to bottom) for every edge."""
    keys, copy_of, down, n_real = dg.keys, ranking.copy_of, proper.down, proper.n_real
    rev, original = ranking.reversed_edges, ranking.original_succ
    for top in range(n_real):
        below = down[top]
        if top in proper.straight:
            below = below + proper.straight[top]
        if not below:
            continue
        top_key: Hashable = keys[copy_of[top]] if top in copy_of else keys[top]
        seen: set[int] = set()  # only consulted when cycles were broken
        for w in below:
            nodes = [top, w]
            while w >= n_real:  # a bend: follow the chain down
                w = down[w][0]
                nodes.append(w)
            # A 2-cycle gives two top -> w chains: the reversed one is the edge w -> top.
            upwards = False
            if rev and original is not None:  # original_succ is kept whenever edges were reversed
                upwards = (w, top) in rev and (w in seen or w not in original[top])
                seen.add(w)
            if upwards:
                yield (keys[w], top_key), True, nodes
            else:
                yield (top_key, keys[w]), False, nodes


def light_nodes(proper: Proper) -> bytearray:
    """Real nodes that hang off one consumer with nothing but other light nodes above them.

    Weights, and ops fed only by weights (a linear of a constant input), are drawn beside the
    op they feed; letting them pull that op sideways made unrolled RNNs drift one half box
    per step.
    """
    if proper.light is not None:
        return proper.light
    up, down = proper.up, proper.down
    flags = bytearray(len(up))
    n_real = proper.n_real
    # Edges on the longest path above each node: the deepest input of a box is the chain it
    # continues, never light. Without this a chain that starts at light nodes (the first
    # Linear of an MLP reads only its input, weight and bias) was light all the way down, and
    # each layer was centred between its op and its weight: a staircase drifting half a box
    # per layer, 50 layers 7,000 units wide.
    depth = [0] * len(up)
    for layer in proper.layers:
        for v in layer:
            if up[v]:
                depth[v] = 1 + max(depth[u] for u in up[v])
    for layer in proper.layers:
        for v in layer:
            if v < n_real and len(down[v]) <= 1:
                for u in up[v]:
                    if not flags[u]:
                        break
                else:
                    flags[v] = not (down[v] and _continues_chain(v, up[down[v][0]], depth))
    proper.light = flags  # the edges never change after this step, so neither do the flags
    return flags


def _continues_chain(v: int, siblings: list[int], depth: list[int]) -> bool:
    """Whether `v` is its consumer's one deepest input (not one of several equally deep)."""
    deepest = depth[v]
    return deepest > 0 and all(depth[u] < deepest for u in siblings if u != v)
