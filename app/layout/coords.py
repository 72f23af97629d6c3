"""Coordinate assignment: x from the layer orders, y from the layer heights.

A pass visits the layers top-down, then bottom-up, and gives every node a target: its anchor
(previous x) in a re-layout, else the x of the neighbour it continues in the layer just
visited. Long edges (and the boxes that lead into them, see `streams`) win over boxes and
boxes over light ones (weights and what only they feed), so the residual stream stays
straight and weights hang beside the op that uses them instead of dragging it sideways
(averaging made the drawing drift wider with every layer). The layer is then placed as close
to the targets as the box widths allow: isotonic regression, solved by pool-adjacent-violators
in time linear in the layer. In a cold layout of a graph with one sink the downward pass is
skipped: the upward pass places everything relative to that sink.
"""

from __future__ import annotations

import math
import time
from itertools import chain

import numpy as np

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


def _flat_offsets(proper: Proper, widths: list[float], options: LayoutOptions):
    """(nodes layer after layer, index where each layer starts, each node's minimum distance
    from the first node of its layer)."""
    layers, n_real = proper.layers, proper.n_real
    sizes = np.fromiter(map(len, layers), dtype=np.int64, count=len(layers))
    flat = np.fromiter(chain.from_iterable(layers), dtype=np.int64, count=int(sizes.sum()))
    starts = np.zeros(len(layers), dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    width = np.zeros(len(proper.rank))
    width[:n_real] = widths
    w = width[flat]
    bend = flat >= n_real
    # A box and a bend keep half the box gap, so boxes with an edge between them are still
    # at least `node_gap` apart.
    mixed = max(options.dummy_gap, options.node_gap * 0.5)
    both = bend[1:] & bend[:-1]
    gap = np.where(bend[1:] | bend[:-1], mixed, options.node_gap)
    gap[both] = options.dummy_gap
    step = np.zeros(len(flat))
    if len(flat) < 2:
        return flat, starts, step
    step[1:] = (w[1:] + w[:-1]) * 0.5 + gap
    step[starts] = 0.0
    offs = np.cumsum(step)
    offs -= np.repeat(offs[starts], sizes)
    return flat, starts, offs


def _split(offs: list[float], starts: np.ndarray, layers: list[list[int]]) -> list[list[float]]:
    """Per-layer slices of the flat offsets (one shared list for one-node layers)."""
    out = []
    for s, layer in zip(starts.tolist(), layers):
        out.append(ZERO if len(layer) == 1 else offs[s:s + len(layer)])
    return out


def _initial(flat, starts, offs, n: int, anchor) -> list[float]:
    """Each layer packed and centred on 0; anchored nodes at their anchor."""
    x = np.zeros(n)
    if len(flat):
        ends = np.append(starts[1:], len(flat)) - 1
        x[flat] = offs - np.repeat(offs[ends] * 0.5, np.diff(np.append(starts, len(flat))))
    out = x.tolist()
    if anchor is not None:
        for v, a in enumerate(anchor):
            if a is not None:
                out[v] = a
    return out


def _weights(proper: Proper, height, light: bytearray, stream: list[int], anchor) -> list[float]:
    """Pull of each node in placement: light nodes 1, boxes by height, streams most."""
    n_real = proper.n_real
    h = np.asarray(height[:n_real], dtype=float)
    weight = np.empty(len(proper.rank))
    weight[:n_real] = 1.0 + h**HEIGHT_POWER
    weight[:n_real][np.frombuffer(light, dtype=np.uint8)[:n_real].astype(bool)] = 1.0
    heaviest = (weight[:n_real].max() if n_real else 1.0) * BEND_FACTOR
    sp = np.asarray(stream, dtype=float)
    weight[n_real:] = heaviest * sp[n_real:] ** 2
    on_stream = np.flatnonzero(sp[:n_real])
    weight[on_stream] = heaviest * sp[on_stream] ** 2
    if anchor is not None:
        fixed = weight.max(initial=1.0) * ANCHOR_FACTOR
        weight[[v for v, a in enumerate(anchor) if a is not None]] = fixed
    return weight.tolist()


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
        n_real = proper.n_real
        self.proper = proper
        self.anchor = anchor
        self.light = light = light_nodes(proper)
        self.stream = stream = streams(proper, light, height)
        self.weight = _weights(proper, height, light, stream, anchor)
        self.height, self.depth = height, depth
        flat, starts, offs = _flat_offsets(proper, widths[:n_real], options)
        self.offsets = _split(offs.tolist(), starts, proper.layers)
        self.x = _initial(flat, starts, offs, len(proper.rank), anchor)
        self.open_layers: set[int] = set()
        if anchor is not None:
            # A layer is placed again when it has a new node, or when its anchors no longer
            # fit side by side: after collapsing, boxes from different layers of the previous
            # drawing (an RNN's per-step input copies) share one and would sit on each other.
            self.open_layers = {r for r, layer in enumerate(proper.layers)
                                if any(anchor[v] is None for v in layer)
                                or _crowded(layer, self.offsets[r], anchor)}

    def run_pass(self, downward: bool) -> None:
        """Re-place every layer towards its neighbours above (downward) or below."""
        layers = self.proper.layers
        indices: range | list[int]
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


def _crowded(layer: list[int], offs: list[float], anchor: list[float | None]) -> bool:
    """Whether the anchored x of `layer` break its order or spacing (`offs`, from its first)."""
    for i in range(1, len(layer)):
        a, b = anchor[layer[i - 1]], anchor[layer[i]]
        if a is not None and b is not None and b - a < offs[i] - offs[i - 1] - 1e-6:
            return True
    return False


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
        if downward and anchor is None and _one_sink(proper):
            continue  # the upward pass would only translate what this one produced
        if time.perf_counter() > deadline:
            break  # past the budget: keep the packed layers rather than keep the user waiting
        placer.run_pass(downward)
    return placer.x


def _one_sink(proper: Proper) -> bool:
    """Whether the bottom layer is one node and every other node has an edge down.

    The upward pass then places every node relative to the ones below it, ending at that
    node: whatever the downward pass did only moves the whole drawing sideways.
    """
    layers = proper.layers
    if not layers or len(layers[-1]) != 1:
        return False
    sink = layers[-1][0]
    down = proper.down
    return all(down[v] for layer in layers for v in layer if v != sink)


def layer_y(proper: Proper, heights: list[float], options: LayoutOptions):
    """(centre y, band height) per layer: the tallest box of a layer sets its band."""
    layers, n_real = proper.layers, proper.n_real
    if not layers:
        return [], []
    sizes = np.fromiter(map(len, layers), dtype=np.int64, count=len(layers))
    flat = np.fromiter(chain.from_iterable(layers), dtype=np.int64, count=int(sizes.sum()))
    h = np.zeros(len(proper.rank))
    h[:n_real] = heights[:n_real]
    band = np.zeros(len(layers))
    full = sizes > 0
    starts = np.cumsum(sizes) - sizes
    band[full] = np.maximum.reduceat(h[flat], starts[full])
    tops = np.cumsum(band + options.layer_gap) - (band + options.layer_gap)
    return (tops + band * 0.5).tolist(), band.tolist()
