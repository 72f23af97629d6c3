"""Coordinate assignment: x from the layer orders, y from the layer heights.

A pass visits the layers top-down, then bottom-up, and gives every node a target: its anchor
(previous x) in a re-layout, else the x of the neighbour it continues in the layer just
visited. Long edges win over boxes and boxes over light ones (weights and what only they
feed), so the residual stream stays straight and weights hang beside the op that uses them
instead of dragging it sideways (averaging made the drawing drift wider with every layer).
The layer is then placed as close to the targets as the box widths allow: isotonic
regression, solved by pool-adjacent-violators in time linear in the layer.
"""

from __future__ import annotations

import math
import time

from app.layout.layering import Proper, light_nodes
from app.layout.model import LayoutOptions
from app.layout.streams import streams

# When boxes compete for one x, the one with more graph below it (the RNN's hidden state rather
# than its output head) stays and the other gives way; sharing the difference made an RNN
# drift half a box per step. Bends outweigh every box: with a weight of a few units the
# residual stream of a transformer moved a fifth of a box per block. Weights span many orders
# of magnitude, which floats carry without trouble.
HEIGHT_POWER = 4
ZERO = [0.0]  # offsets of a one-node layer, shared (never mutated)
BEND_FACTOR = 1000.0
ANCHOR_FACTOR = 1e6
PASSES = (True, False)  # down, then up: ending upwards kept GPT-96 2.4x narrower


def _offsets(layer: list[int], width: list[float], n_real: int, options: LayoutOptions):
    """Cumulative minimum distance of each node's centre from the first node's centre."""
    if len(layer) == 1:
        return ZERO
    offs = [0.0] * len(layer)
    off = 0.0
    # A box and a bend keep half the box gap, so boxes with an edge between them are still
    # at least `node_gap` apart.
    mixed = max(options.dummy_gap, options.node_gap * 0.5)
    for i in range(1, len(layer)):
        a, b = layer[i - 1], layer[i]
        if a < n_real and b < n_real:
            gap = options.node_gap
        elif a >= n_real and b >= n_real:
            gap = options.dummy_gap
        else:
            gap = mixed
        off += (width[a] + width[b]) * 0.5 + gap
        offs[i] = off
    return offs


def _place(layer, offs, targets, weight, x) -> None:
    """Least-squares placement of one layer keeping order and spacing (pool adjacent violators)."""
    if len(layer) == 2:  # the most common case by far, worth its own branch
        a, b = layer
        ma, mb = targets[0], targets[1] - offs[1]
        if ma > mb:
            wa, wb = weight[a], weight[b]
            ma = mb = (ma * wa + mb * wb) / (wa + wb)
        x[a] = ma
        x[b] = mb + offs[1]
        return
    means: list[float] = []
    masses: list[float] = []
    counts: list[int] = []
    last = -math.inf
    merged = False
    for v, o, t in zip(layer, offs, targets):
        m = t - o
        if m >= last:  # already in order: a block of its own
            means.append(m)
            masses.append(weight[v])
            counts.append(1)
            last = m
            continue
        merged = True
        wt = weight[v]
        c = 1
        while means and means[-1] > m:
            pm, pw = means.pop(), masses.pop()
            m = (pm * pw + m * wt) / (pw + wt)
            wt += pw
            c += counts.pop()
        means.append(m)
        masses.append(wt)
        counts.append(c)
        last = m
    if not merged:
        for v, t in zip(layer, targets):
            x[v] = t
        return
    i = 0
    for m, c in zip(means, counts):
        for _ in range(c):
            x[layer[i]] = m + offs[i]
            i += 1


def _target(nb: list[int], x: list[float], stream: list[int], light: bytearray, reach) -> float:
    """x to aim for: the longest edge's bend if any, else the box that continues the chain.

    Following one bend rather than the mean of several keeps the residual stream of a
    transformer straight. Among boxes that are not light, the one reaching furthest in the
    direction the pass came from (most graph above in a downward pass, below in an upward
    one) is the chain being continued: the hidden state of an RNN, not its per-step loss.
    Ties share the mean, which keeps diamonds symmetric.
    """
    best = -1
    best_span = 0
    for u in nb:
        span = stream[u]
        if span > best_span:
            best, best_span = u, span
    if best >= 0:
        return x[best]
    chosen = [u for u in nb if not light[u]] or nb
    if len(chosen) > 1:
        top = max(reach[u] for u in chosen)
        chosen = [u for u in chosen if reach[u] == top]
    s = 0.0
    for u in chosen:
        s += x[u]
    return s / len(chosen)


class _Placer:
    """Holds what every pass needs, so the per-layer loop stays lean."""

    def __init__(self, proper, widths, height, depth, options, anchor) -> None:
        n = len(proper.rank)
        n_real = proper.n_real
        self.proper = proper
        self.anchor = anchor
        self.light = light_nodes(proper)
        width = list(widths[:n_real]) + [0.0] * (n - n_real)
        self.offsets = [_offsets(layer, width, n_real, options) for layer in proper.layers]
        light = self.light
        weight = [1.0 if light[v] else 1.0 + float(h) ** HEIGHT_POWER
                  for v, h in enumerate(height[:n_real])]
        heaviest = max(weight, default=1.0) * BEND_FACTOR
        weight += [heaviest * sp * sp for sp in proper.span]
        self.stream = stream = streams(proper, light, height)
        for v in range(n_real):
            if stream[v]:
                weight[v] = heaviest * stream[v] * stream[v]
        if anchor is not None:
            fixed = max(weight, default=1.0) * ANCHOR_FACTOR
            for v in range(n):
                if anchor[v] is not None:
                    weight[v] = fixed
        self.weight = weight
        self.height, self.depth = height, depth
        self.x = self._initial()
        self.open_layers: set[int] = set()
        if anchor is not None:
            self.open_layers = {r for r, layer in enumerate(proper.layers)
                                if any(anchor[v] is None for v in layer)}

    def _initial(self) -> list[float]:
        """Each layer packed and centred on 0; anchored nodes at their anchor."""
        x = [0.0] * len(self.proper.rank)
        anchor = self.anchor
        for layer, offs in zip(self.proper.layers, self.offsets):
            start = -offs[-1] * 0.5 if offs else 0.0
            for v, o in zip(layer, offs):
                x[v] = start + o
                if anchor is not None and anchor[v] is not None:
                    x[v] = anchor[v]
        return x

    def run_pass(self, downward: bool) -> None:
        """Re-place every layer towards its neighbours above (downward) or below."""
        layers = self.proper.layers
        if downward:
            indices, nbrs = range(1, len(layers)), self.proper.up
        else:
            indices, nbrs = range(len(layers) - 2, -1, -1), self.proper.down
        if self.anchor is not None:
            # A layer the previous layout already placed in full stays exactly where it was.
            indices = [r for r in indices if r in self.open_layers]
        # A node with no neighbour on the visited side (a weight above its op) follows its
        # neighbours on the other side instead of staying where it was.
        others = self.proper.down if downward else self.proper.up
        x, anchor, light, stream = self.x, self.anchor, self.light, self.stream
        reach = self.depth if downward else self.height
        weight, offsets = self.weight, self.offsets
        for r in indices:
            layer = layers[r]
            if len(layer) == 1:  # half the layers of a transformer: no placement needed
                v = layer[0]
                if anchor is None or anchor[v] is None:
                    nb = nbrs[v] or others[v]
                    if len(nb) == 1:
                        x[v] = x[nb[0]]
                    elif nb:
                        x[v] = _target(nb, x, stream, light, reach)
                continue
            targets = []
            for v in layer:
                nb = nbrs[v] or others[v]
                if anchor is not None and anchor[v] is not None:
                    targets.append(anchor[v])
                elif len(nb) == 1:
                    targets.append(x[nb[0]])
                elif nb:
                    targets.append(_target(nb, x, stream, light, reach))
                else:
                    targets.append(x[v])
            _place(layer, offsets[r], targets, weight, x)


def assign_x(
    proper: Proper,
    widths: list[float],
    height: list[int],
    depth: list[int],
    options: LayoutOptions,
    anchor: list[float | None] | None = None,
    deadline: float = math.inf,
) -> list[float]:
    """Return x (box centre) per node of `proper`, bends included.

    Args:
        proper: ordered layers.
        widths: box width per real node (bends are zero wide).
        height, depth: edges on the longest path below / above each real node.
        options: gaps between boxes and bends.
        anchor: previous x per node (None for new ones) to keep a re-layout still.
        deadline: `time.perf_counter()` value after which no further pass starts.
    """
    placer = _Placer(proper, widths, height, depth, options, anchor)
    for downward in PASSES:
        if time.perf_counter() > deadline:
            break  # past the budget: keep the packed layers rather than keep the user waiting
        placer.run_pass(downward)
    return placer.x


def layer_y(proper: Proper, heights: list[float], options: LayoutOptions):
    """(centre y, band height) per layer: the tallest box of a layer sets its band."""
    ys = []
    band = []
    top = 0.0
    n_real = proper.n_real
    for layer in proper.layers:
        h = max((heights[v] for v in layer if v < n_real), default=0.0)
        ys.append(top + h * 0.5)
        band.append(h)
        top += h + options.layer_gap
    return ys, band
