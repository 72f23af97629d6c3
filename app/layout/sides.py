"""Which side of its op's other inputs a weight hangs on.

Crossing reduction leaves every weight left of the branch it feeds. Where two branches of a
fork sit side by side (a ResNet's downsampling block), the right branch's weights then sit
between the branches and push them a column further apart than needed, which made the drawing
wider than dot's. Weights move to the outer side of their block instead: the side with fewer
other boxes in the layer. A block is a run of neighbours whose only edge down goes to the same
op, so reordering it never changes a crossing.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from app.layout.layering import Proper


def weights_outward(proper: Proper, pos: list[int]) -> None:
    """Reorder the blocks of each layer in place (`proper.layers` and `pos`)."""
    up, down, n_real, layers = proper.up, proper.down, proper.n_real, proper.layers
    n = len(up)
    if n < 3:
        return
    counts = np.fromiter(map(len, down), dtype=np.int64, count=n)
    heads = np.fromiter(chain.from_iterable(down), dtype=np.int64, count=int(counts.sum()))
    first_down = np.cumsum(counts) - counts
    one_down = np.full(n, -1, dtype=np.int64)
    single = counts == 1
    one_down[single] = heads[first_down[single]]
    no_up = np.fromiter(map(len, up), dtype=np.int64, count=n) == 0
    sizes = np.fromiter(map(len, layers), dtype=np.int64, count=len(layers))
    flat = np.fromiter(chain.from_iterable(layers), dtype=np.int64, count=int(sizes.sum()))
    if len(flat) < 3:
        return
    layer_of = np.repeat(np.arange(len(layers)), sizes)
    target = one_down[flat]
    lone = no_up[flat] & (target >= 0)
    box = (flat < n_real) & ~lone
    # A block starts where the layer starts or the one consumer changes (or is none).
    start = np.ones(len(flat), dtype=bool)
    start[1:] = (target[1:] != target[:-1]) | (target[1:] < 0) | (layer_of[1:] != layer_of[:-1])
    first = np.flatnonzero(start)
    size = np.diff(np.append(first, len(flat)))
    lone_in = np.add.reduceat(lone.astype(np.int64), first)
    box_in = np.add.reduceat(box.astype(np.int64), first)
    box_cum = np.cumsum(box) - box  # boxes before each position, over all layers
    layer_start = np.zeros(len(layers), dtype=np.int64)
    np.cumsum(sizes[:-1], out=layer_start[1:])
    block_layer = layer_of[first]
    box_total = np.add.reduceat(box.astype(np.int64), layer_start)
    left = box_cum[first] - box_cum[layer_start[block_layer]]
    right = box_total[block_layer] - left - box_in
    move = (size > 1) & (lone_in > 0) & (box_in > 0) & (left > right) & (sizes[block_layer] > 2)
    lone_list = lone.tolist()
    for i, size_i, r in zip(first[move].tolist(), size[move].tolist(), block_layer[move].tolist()):
        j = i + size_i
        s0 = int(layer_start[r])
        _move_right(layers[r], i - s0, j - s0, lone_list[i:j], pos)


def _move_right(layer: list[int], i: int, j: int, flags: list[bool], pos: list[int]) -> None:
    """Put the weights (`flags`) of layer[i:j] after its other nodes, each keeping its order."""
    block = layer[i:j]
    reordered = [v for v, f in zip(block, flags) if not f] + [v for v, f in zip(block, flags) if f]
    layer[i:j] = reordered
    for k, v in enumerate(reordered, i):
        pos[v] = k
