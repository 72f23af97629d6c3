"""Count edge crossings of a proper layered graph with numpy, fast enough to run per sweep.

Edges between layers r and r+1 cross when their upper ends and lower ends are in opposite
order. Sorting all edges by (layer, upper slot, lower slot) turns the count into the number
of inversions of one array, which a vectorised bottom-up merge sort counts.
"""

from __future__ import annotations

from itertools import chain

import numpy as np


class CrossingCounter:
    """Counts crossings of a fixed edge set for any assignment of slots to nodes."""

    def __init__(self, down: list[list[int]], rank: list[int]) -> None:
        counts = np.fromiter(map(len, down), dtype=np.int64, count=len(down))
        self._upper = np.repeat(np.arange(len(down), dtype=np.int64), counts)
        self._lower = np.fromiter(chain.from_iterable(down), dtype=np.int64,
                                  count=int(counts.sum()))
        self._layer = np.asarray(rank, dtype=np.int64)[self._upper]

    def count(self, pos: list[int]) -> int:
        """Crossings when node v sits in slot pos[v] of its layer."""
        if len(self._upper) < 2:
            return 0
        slots = np.asarray(pos, dtype=np.int64)
        pu = slots[self._upper]
        pv = slots[self._lower]
        order = np.lexsort((pv, pu, self._layer))
        span = int(pv.max()) + 1
        seq = (self._layer * span + pv)[order]
        return _inversions_where_needed(seq, self._layer[order])


def _inversions_where_needed(seq: np.ndarray, layer: np.ndarray) -> int:
    """Inversions of `seq`, counted only inside the layers that have a descent at all."""
    descent = seq[1:] < seq[:-1]
    if not descent.any():
        return 0
    bad_layers = np.unique(layer[1:][descent])
    return count_inversions(seq[np.isin(layer, bad_layers)])


def count_inversions(a: np.ndarray) -> int:
    """Number of pairs i < j with a[i] > a[j] (ties are not inversions)."""
    n = len(a)
    if n < 2:
        return 0
    vals = np.unique(a, return_inverse=True)[1].astype(np.int64).ravel()
    span = int(vals.max()) + 1
    idx = np.arange(n, dtype=np.int64)
    total = 0
    width = 1
    while width < n:
        block = idx // width
        pair = block >> 1
        is_right = (block & 1).astype(bool)
        key = pair * span + vals
        left = key[~is_right]
        right_pair = pair[is_right]
        # Within a pair both halves are already sorted, so a binary search per right element
        # counts the left elements greater than it.
        end = np.searchsorted(left, (right_pair + 1) * span, side="left")
        total += int((end - np.searchsorted(left, key[is_right], side="right")).sum())
        key.sort()
        vals = key - pair * span
        width *= 2
    return total
