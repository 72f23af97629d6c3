"""Which side of its op's other inputs a weight hangs on.

Crossing reduction leaves every weight left of the branch it feeds. Where two branches of a
fork sit side by side (a ResNet's downsampling block), the right branch's weights then sit
between the branches and push them a column further apart than needed, which made the drawing
wider than dot's. Weights move to the outer side of their block instead: the side with fewer
other boxes in the layer. A block is a run of neighbours whose only edge down goes to the same
op, so reordering it never changes a crossing.
"""

from __future__ import annotations

from app.layout.layering import Proper


def weights_outward(proper: Proper, pos: list[int]) -> None:
    """Reorder the blocks of each layer in place (`proper.layers` and `pos`)."""
    up, down, n_real = proper.up, proper.down, proper.n_real
    for layer in proper.layers:
        if len(layer) < 3:
            continue  # a weight and one other node: its side does not change the width
        lone = [not up[v] and len(down[v]) == 1 for v in layer]
        if not any(lone):
            continue
        # Bends do not count: the skip stream of a transformer lies beside every branch, and
        # weights moved away from it let the branches drift.
        box = [v < n_real and not f for v, f in zip(layer, lone)]
        boxes_left, total = 0, sum(box)
        i = 0
        while i < len(layer):
            j = _block_end(layer, i, down)
            inside = sum(box[i:j])
            more_left = boxes_left > total - boxes_left - inside
            if more_left and j - i > 1 and inside and any(lone[i:j]):
                _move_right(layer, i, j, lone, pos)
            boxes_left += inside
            i = j


def _block_end(layer: list[int], i: int, down: list[list[int]]) -> int:
    """End (exclusive) of the run from i whose nodes all have exactly the one edge down i has."""
    below = down[layer[i]]
    if len(below) != 1:
        return i + 1
    c = below[0]
    j = i + 1
    while j < len(layer) and len(down[layer[j]]) == 1 and down[layer[j]][0] == c:
        j += 1
    return j


def _move_right(layer: list[int], i: int, j: int, lone: list[bool], pos: list[int]) -> None:
    """Put the weights of layer[i:j] after its other nodes, each group keeping its order."""
    block = layer[i:j]
    flags = lone[i:j]
    reordered = [v for v, f in zip(block, flags) if not f] + [v for v, f in zip(block, flags) if f]
    layer[i:j] = reordered
    lone[i:j] = sorted(flags)
    for k, v in enumerate(reordered, i):
        pos[v] = k
