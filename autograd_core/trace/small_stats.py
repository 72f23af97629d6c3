"""Statistics of small host tensors, measured together at the iteration's end.

For a tensor of a few thousand values the four reductions of `stats.host_slot` cost more in
numpy call overhead than in arithmetic. A `SmallBatch` instead copies each small float tensor
as it is recorded (one call), and measures all of them at once with segment reductions
(`reduceat`): min, max, sum and sum of squares in four calls per iteration, not per tensor.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from autograd_core.trace.records import TensorStats
from autograd_core.trace.stats import _even, host_slot, thumbnail, to_stats

SMALL_MAX = 4096  # float tensors of at most this many values are batched


class SmallSlot:
    """One small tensor's copy and, once its batch is resolved, its raw statistics."""

    __slots__ = ("batch", "copy", "raw")

    def __init__(self, batch: SmallBatch, copy: np.ndarray) -> None:
        self.batch = batch
        self.copy: np.ndarray | None = copy
        self.raw: tuple | None = None

    def measured(self) -> tuple:
        """The raw statistics, resolving the batch first if it was not yet."""
        if self.raw is None:
            self.batch.resolve()
        assert self.raw is not None  # resolve() measures every slot of its batch
        return self.raw

    def to_stats(self, hist: tuple | None = None) -> TensorStats:
        raw = self.measured()
        if self.copy is None:
            return to_stats(raw)
        # level full: the reader draws the picture from the copy
        return to_stats((*raw, self.copy.reshape(-1), thumbnail(self.copy)), hist)

    def hist_parts(self) -> tuple | None:
        """(sample, lo, hi) for `stats.histograms` (level full), else None."""
        raw = self.measured()
        if self.copy is None or raw[4] == 0:
            return None
        return _even(self.copy.reshape(-1)), raw[0], raw[1]


class SmallBatch:
    """The small tensors of one iteration. `add` at record time, `resolve` at its end."""

    __slots__ = ("done", "full", "slots")

    def __init__(self, full: bool) -> None:
        self.full = full
        self.slots: list[SmallSlot] = []
        self.done = 0  # slots before this index are resolved

    def add(self, a: np.ndarray) -> SmallSlot:
        """Keep a copy of `a` (a float array of 1 to SMALL_MAX values, float32 or wider)."""
        return self.add_copy(a.copy())

    def add_copy(self, copy: np.ndarray) -> SmallSlot:
        """Keep `copy` (an array nobody else holds: a cast made for this batch) as it is."""
        slot = SmallSlot(self, copy)
        self.slots.append(slot)
        return slot

    def resolve(self) -> None:
        """Measure every slot added since the last call. At level basic the copies go; at
        level full they stay for the picture (the recorder calls this at the iteration's end
        only at level basic: at level full the first read does)."""
        todo = self.slots[self.done:]
        self.done = len(self.slots)
        if not todo:
            return
        # Slots not yet resolved hold their copy (only a resolved one may have dropped it).
        copies = [cast(np.ndarray, s.copy) for s in todo]
        sizes = [c.size for c in copies]
        values = np.concatenate([c.reshape(-1) for c in copies])
        starts = np.zeros(len(todo), np.intp)
        np.cumsum(sizes[:-1], out=starts[1:])
        # A diverging run overflows here; the non-finite result sends it down the exact path.
        with np.errstate(over="ignore", invalid="ignore"):
            sums = np.add.reduceat(values, starts).tolist()
            mins = np.minimum.reduceat(values, starts).tolist()
            maxs = np.maximum.reduceat(values, starts).tolist()
            sqs = np.add.reduceat(values * values, starts).tolist()
        for s, c, lo, hi, tot, sq in zip(todo, copies, mins, maxs, sums, sqs, strict=True):
            if math.isfinite(tot) and math.isfinite(sq):
                s.raw = (float(lo), float(hi), float(tot), float(sq), c.size, 0, 0)
            else:  # NaN, Inf or overflow: the exact path counts them
                s.raw = host_slot(c, False)
            if not self.full:
                s.copy = None


def small_slot(batch: SmallBatch | None, a: Any) -> Any:
    """A SmallSlot for `a` when it can be batched, else None. Integer, bool and float16
    tensors (labels, masks, indices) go in as the float copy the direct path would measure
    (`stats._as_float`): the cast is the one copy."""
    if batch is None or not 0 < a.size <= SMALL_MAX:
        return None
    kind = a.dtype.kind
    if kind == "f":
        return batch.add(a) if a.itemsize >= 4 else batch.add_copy(a.astype(np.float32))
    return batch.add_copy(a.astype(np.float64)) if kind in "biu" else None
