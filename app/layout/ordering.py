"""Crossing reduction: the left-to-right order of nodes within each layer.

A depth-first order from the loss upwards starts trees and series-parallel graphs with no
crossings at all; barycenter sweeps then pull nodes towards their neighbours, and dot's
transpose pass swaps neighbours while that removes crossings (sweeps alone leave about twice
dot's crossings on dense graphs). Where crossings remain, the sweeps restart from two other
first orders. Everything stops at the deadline with the best order so far.
"""

from __future__ import annotations

import time

import numpy as np

from app.layout.crossings import CrossingCounter
from app.layout.layering import Proper, light_nodes
from app.layout.model import LayoutOptions
from app.layout.transpose import Transposer, transpose_locally

STALL = 8  # rounds without a new best before crossing reduction gives up


def dfs_layers(proper: Proper, from_top: bool = False) -> None:
    """Order each layer by first visit of a depth-first walk up from the bottom nodes.

    On a tree this order has no crossings at all; `from_top` walks down from the sources
    instead, the second start that dense graphs get.
    """
    rank, hidden = proper.rank, proper.hidden
    nbrs, ends = (proper.down, proper.up) if from_top else (proper.up, proper.down)
    priority = _visit_priority(proper) if not from_top else None
    seen = bytearray(len(rank))
    layers: list[list[int]] = [[] for _ in proper.layers]
    roots = [v for v in range(len(rank)) if not ends[v] and v not in hidden]
    roots.sort(key=rank.__getitem__, reverse=not from_top)
    for root in roots:
        stack = [root]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            v = pop()
            if seen[v]:
                continue
            seen[v] = 1
            layers[rank[v]].append(v)
            nb = nbrs[v]
            if len(nb) == 1:
                push(nb[0])
            elif nb:
                # Pushed last, visited first; a node seen by then is skipped when popped.
                if priority is not None:
                    nb = sorted(nb, key=priority.__getitem__)
                extend(nb[::-1])
    proper.layers = layers


def _visit_priority(proper: Proper) -> bytearray:
    """Order in which a node's inputs are visited: its own weights, then the chain, then
    light side branches (ops fed only by weights).

    Weights then sit left of the chain they hang from and side branches right of it; in
    argument order, an RNN's input branch came between the hidden state and the op that
    continues it, and every step crossed twice.
    """
    light = np.frombuffer(light_nodes(proper), dtype=np.uint8).astype(bool)
    up, down = proper.up, proper.down
    n_up = np.fromiter(map(len, up), dtype=np.int64, count=len(up))
    n_down = np.fromiter(map(len, down), dtype=np.int64, count=len(down))
    lone = (n_up == 0) & (n_down == 1)
    prio = np.where(light, np.where(lone, 0, 2), 1).astype(np.uint8)
    prio[proper.n_real:] = 1
    return bytearray(prio.tobytes())


def slots_of(layers: list[list[int]], n: int) -> list[int]:
    """pos[v] = index of v within its layer (0 for nodes in no layer)."""
    pos = [0] * n
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    return pos


def _sort_layer(layer: list[int], nbrs: list[list[int]], pos: list[int]) -> None:
    """Sort one layer by the barycenter slot of its neighbours.

    (dot's weighted median did no better here, on RNNs or random DAGs.)

    Nodes without neighbours on that side keep their slot.
    """
    keyed: list[tuple[float, int, int]] = []  # (mean neighbour position, old position, node)
    for v in layer:
        nb = nbrs[v]
        if len(nb) == 1:
            keyed.append((pos[nb[0]], pos[v], v))
        elif nb:
            total = 0
            for u in nb:
                total += pos[u]
            keyed.append((total / len(nb), pos[v], v))
    keyed.sort()
    if len(keyed) == len(layer):
        layer[:] = [t[2] for t in keyed]
    else:
        moving = iter(keyed)
        layer[:] = [v if not nbrs[v] else next(moving)[2] for v in layer]
    for i, v in enumerate(layer):
        pos[v] = i


def strong_neighbours(proper: Proper) -> tuple[list[list[int]], list[list[int]]]:
    """Neighbour lists for barycenters, without lone weights and inputs.

    A node whose only edge goes to v (a weight copy) follows v wherever v goes; letting it
    pull v as well ties consumers of a shared hidden state (RNN steps) in barycenter ties.
    """
    up, down = proper.up, proper.down
    lone = bytearray(len(up))
    for v in range(proper.n_real):
        if len(up[v]) + len(down[v]) == 1:
            lone[v] = 1

    def strong(nbrs: list[list[int]]) -> list[list[int]]:
        out = []
        for nb in nbrs:
            if len(nb) > 1:
                kept = [u for u in nb if not lone[u]]
                out.append(kept if kept else nb)
            else:
                out.append(nb)
        return out

    return strong(up), strong(down)


def sweep(
    layers: list[list[int]],
    nbrs: list[list[int]],
    pos: list[int],
    downward: bool,
    deadline: float,
) -> bool:
    """One barycenter sweep over `nbrs` (up lists going down, down lists going up).

    Returns False when the deadline cut it short.
    """
    if downward:
        indices = range(1, len(layers))
    else:
        indices = range(len(layers) - 2, -1, -1)
    for count, r in enumerate(indices):
        if count & 63 == 0 and time.perf_counter() > deadline:
            return False
        if len(layers[r]) > 1:
            _sort_layer(layers[r], nbrs, pos)
    return True


def reduce_crossings(
    proper: Proper,
    pos: list[int],
    options: LayoutOptions,
    deadline: float,
    movable: np.ndarray | None = None,
) -> tuple[int, bool]:
    """Improve the order in `proper.layers`/`pos` in place.

    Args:
        proper: layers already seeded (depth-first, or from the previous layout).
        pos: slots matching `proper.layers`; updated.
        options: `max_sweeps` and `transpose` are used.
        deadline: `time.perf_counter()` value after which the best order so far is kept.
        movable: for a re-layout, the nodes allowed to move (sweeps are then skipped so the
            old nodes keep their relative order).
    Returns:
        (crossings, timed_out).
    """
    counter = CrossingCounter(proper.down, proper.rank)
    best = counter.count(pos)
    if movable is not None:
        if options.transpose and best > 0:
            best -= transpose_locally(proper, pos, movable, deadline)
        return best, time.perf_counter() > deadline
    transposer = Transposer(proper) if options.transpose and best > 0 else None
    best = _sweeps(proper, pos, counter, best, options, deadline, transposer)
    if best > 0 and time.perf_counter() < deadline:
        best = _other_starts(proper, pos, counter, best, options, deadline, transposer)
    return best, time.perf_counter() > deadline


def _other_starts(proper, pos, counter, best, options, deadline, transposer) -> int:
    """Run the sweeps again from other first orders; keep whichever ends best.

    Sweeps and transpose only find a local optimum: on an RNN with shared weights the
    depth-first starts ended at 251 and 219 crossings, the graph's own node order at 149.
    """
    starts = (lambda: dfs_layers(proper, from_top=True),
              lambda: setattr(proper, "layers", [sorted(layer) for layer in proper.layers]))
    for start in starts:
        if best == 0 or time.perf_counter() > deadline:
            break
        kept = proper.layers
        start()
        trial = slots_of(proper.layers, len(pos))
        found = _sweeps(proper, trial, counter, counter.count(trial), options, deadline,
                        transposer)
        if found < best:
            best = found
            pos[:] = trial
        else:
            proper.layers = kept
    return best


def _sweeps(proper, pos, counter, best, options, deadline, transposer) -> int:
    """dot's loop: a barycenter sweep, then transpose, keeping the best order seen.

    Directions alternate; the loop stops after `STALL` rounds without a new best.
    """
    if best == 0 or options.max_sweeps <= 0:
        return best
    best_layers = [list(layer) for layer in proper.layers]
    up, down = strong_neighbours(proper)
    stall = 0
    for i in range(options.max_sweeps):
        if best == 0 or stall >= STALL or time.perf_counter() > deadline:
            break
        downward = i % 2 == 0
        sweep(proper.layers, up if downward else down, pos, downward, deadline)
        if transposer is not None:
            transposer.run(pos, deadline, None, sideways=i % 4 >= 2)
        crossings = counter.count(pos)
        if crossings < best:
            best, stall = crossings, 0
            best_layers = [list(layer) for layer in proper.layers]
        else:
            stall += 1
    proper.layers = best_layers
    pos[:] = slots_of(best_layers, len(pos))
    return best
