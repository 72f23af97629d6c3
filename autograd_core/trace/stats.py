"""Tensor statistics for the trace: min, max, mean, std, L2 norm, NaN/Inf counts, and at level
`full` a 32-bin histogram and a thumbnail of at most 64x64 values.

On the host each statistic is one vectorised pass (NaN/Inf are only counted when min or max
says they are there). On the GPU nothing leaves the device while the iteration runs: each
tensor leaves a `Pending` of small device arrays, and `resolve` brings all of them back in one
transfer per kind at the end of the iteration. min/max/mean/std describe the finite values;
mean and std come from the sum and sum of squares, which is display precision, not an oracle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.trace.records import TensorStats

HIST_BINS = 32
HIST_MAX_SAMPLES = 4096  # larger tensors are histogrammed over an even stride
THUMB_SIDE = 64
RATIO_SAMPLES = 4096


def _as_float(a: Any) -> Any:
    kind = a.dtype.kind
    if kind == "c":
        return abs(a)
    if kind != "f":
        return a.astype(np.float64)
    if a.dtype.itemsize < 4:
        return a.astype(np.float32)
    return a


def host_stats(a: np.ndarray, full: bool) -> TensorStats:
    """Statistics of a numpy array (any dtype)."""
    batch = HistBatch() if full else None
    slot = host_slot(a, batch)
    if batch is not None:
        batch.resolve()
    return to_stats(slot)


_min = np.minimum.reduce
_max = np.maximum.reduce
_sum = np.add.reduce
_EMPTY = (0.0, 0.0, 0.0, 0.0, 0, 0, 0)


def host_slot(a: np.ndarray, batch: HistBatch | None) -> tuple:
    """The raw statistics of a numpy array, measured now: (min, max, sum, sum of squares,
    count, nan, inf), plus (batch, row, thumbnail) when `batch` collects histogram samples.

    One pass per reduction, straight through the ufuncs (no wrapper calls); NaN and Inf are
    only counted when min or max says they are there. `to_stats` turns it into TensorStats.
    """
    if a.size == 0:
        return _EMPTY if batch is None else (*_EMPTY, None, -1, None)
    flat = _as_float(a).reshape(-1)
    mn = float(_min(flat))
    mx = float(_max(flat))
    nan = inf = 0
    if not (math.isfinite(mn) and math.isfinite(mx)):
        nan = int(np.count_nonzero(np.isnan(flat)))
        inf = int(np.count_nonzero(np.isinf(flat)))
        flat = flat[np.isfinite(flat)]
        if flat.size == 0:
            raw = (math.nan, math.nan, 0.0, 0.0, 0, nan, inf)
            return raw if batch is None else (*raw, None, -1, None)
        mn, mx = float(_min(flat)), float(_max(flat))
    raw = (mn, mx, float(_sum(flat)), float(np.dot(flat, flat)), flat.size, nan, inf)
    if batch is None:
        return raw
    return (*raw, batch, batch.add(flat, mn, mx), thumbnail(a))


def to_stats(slot: Any) -> TensorStats:
    """TensorStats from a `host_slot` tuple (histogram rows resolved) or a resolved Pending."""
    if isinstance(slot, Pending):
        return slot.result
    mn, mx, total, sumsq, n, nan, inf = slot[:7]
    if n == 0:
        nanv = math.nan if nan or inf else 0.0
        return TensorStats(nanv, nanv, nanv, nanv, nanv, nan, inf)
    mean = total / n
    stats = TensorStats(mn, mx, mean, math.sqrt(max(sumsq / n - mean * mean, 0.0)),
                        math.sqrt(sumsq), nan, inf)
    if len(slot) > 7 and slot[7] is not None:
        stats.hist = slot[7].row(slot[8])
        stats.hist_lo, stats.hist_hi = mn, mx
        stats.thumb = slot[9]
    return stats


class HistBatch:
    """Histogram samples of one iteration's tensors, binned together when it ends: a copy of
    an even stride of at most HIST_MAX_SAMPLES finite values per tensor now, one bincount for
    all of them later, instead of a handful of small numpy calls per tensor."""

    __slots__ = ("counts", "lo", "samples", "scale")

    def __init__(self) -> None:
        self.samples: list[np.ndarray] = []
        self.lo: list[float] = []
        self.scale: list[float] = []
        self.counts: np.ndarray | None = None

    def add(self, flat: np.ndarray, mn: float, mx: float) -> int:
        step = -(-flat.size // HIST_MAX_SAMPLES)
        self.samples.append(flat[::step].copy())  # values may change before the end
        self.lo.append(mn)
        self.scale.append(HIST_BINS / (mx - mn) if mx > mn else 0.0)
        return len(self.samples) - 1

    def resolve(self) -> None:
        """Bin every sample (idempotent; later samples are binned by a later call)."""
        k = len(self.samples)
        if k == 0 or (self.counts is not None and len(self.counts) == k):
            return
        sizes = [s.size for s in self.samples]
        values = np.concatenate(self.samples).astype(np.float64, copy=False)
        idx = ((values - np.repeat(self.lo, sizes)) * np.repeat(self.scale, sizes))
        idx = idx.astype(np.intp)
        np.clip(idx, 0, HIST_BINS - 1, out=idx)
        idx += np.repeat(np.arange(k, dtype=np.intp) * HIST_BINS, sizes)
        self.counts = np.bincount(idx, minlength=k * HIST_BINS).reshape(k, HIST_BINS)

    def finish(self) -> None:
        """Bin what is left and drop the samples: a capture keeps 32 counts per tensor."""
        if self.samples:
            self.resolve()
        self.samples = []

    def row(self, i: int) -> tuple[int, ...]:
        if self.counts is None or i >= len(self.counts):
            self.resolve()
        return tuple(self.counts[i].tolist())


def _thumb_view(a: Any) -> Any:
    """A 2-D view of at most 64x64 values: rows and columns taken at an even stride."""
    if a.ndim == 0:
        a = a.reshape(1, 1)
    elif a.ndim == 1:
        a = a.reshape(1, -1)
    elif a.ndim > 2:
        a = a.reshape(-1, a.shape[-1])
    rs = -(-a.shape[0] // THUMB_SIDE)
    cs = -(-a.shape[1] // THUMB_SIDE)
    return a[::rs, ::cs]


def thumbnail(a: np.ndarray) -> np.ndarray:
    """An owned float32 host copy of `_thumb_view(a)`."""
    return np.array(_as_float(_thumb_view(a)), dtype=np.float32, copy=True)


class Pending:
    """Device-side statistics of one tensor, waiting for the end-of-iteration transfer."""

    __slots__ = ("hist", "result", "thumb", "vec")

    def __init__(self, vec: Any, hist: Any, thumb: Any) -> None:
        self.vec = vec
        self.hist = hist
        self.thumb = thumb
        self.result: TensorStats | None = None


def device_stats(a: Any, xp: Any, full: bool) -> Pending:
    """Statistics of a device array as device arrays: no host synchronisation."""
    if a.size == 0:
        p = Pending(None, None, None)
        p.result = TensorStats(0.0, 0.0, 0.0, 0.0, 0.0, 0, 0)
        return p
    flat = _as_float(a).reshape(-1).astype(xp.float64)
    finite = xp.isfinite(flat)
    zeroed = xp.where(finite, flat, 0.0)
    mn = xp.where(finite, flat, xp.inf).min()
    mx = xp.where(finite, flat, -xp.inf).max()
    vec = xp.stack([mn, mx, zeroed.sum(), (zeroed * zeroed).sum(), finite.sum(),
                    xp.isnan(flat).sum(), xp.isinf(flat).sum()]).astype(xp.float64)
    hist = thumb = None
    if full:
        sample = zeroed[:: -(-flat.size // HIST_MAX_SAMPLES)]
        ok = finite[:: -(-flat.size // HIST_MAX_SAMPLES)]
        width = xp.maximum(mx - mn, 1e-300)
        idx = xp.clip(((sample - mn) * (HIST_BINS / width)).astype(xp.int64), 0, HIST_BINS - 1)
        # A one-hot sum, not bincount: bincount sizes its output on the host (a sync).
        onehot = (idx[:, None] == xp.arange(HIST_BINS)[None, :]) & ok[:, None]
        hist = onehot.sum(axis=0)
        thumb = xp.array(_thumb_view(a), dtype=xp.float32, copy=True)
    return Pending(vec, hist, thumb)


def resolve(pending: list[Pending], xp: Any) -> None:
    """Bring every pending statistic to the host (one transfer per kind) and fill `.result`."""
    todo = [p for p in pending if p.result is None]
    if not todo:
        return
    vecs = _host(xp.stack([p.vec for p in todo]))
    with_hist = [p for p in todo if p.hist is not None]
    hists = _host(xp.stack([p.hist for p in with_hist])) if with_hist else None
    thumbs = _host(xp.concatenate([p.thumb.reshape(-1) for p in with_hist])) if with_hist \
        else None
    for p, v in zip(todo, vecs):
        p.result = _from_vector(v)
    offset = 0
    for i, p in enumerate(with_hist):
        st = p.result
        st.hist = tuple(int(c) for c in hists[i].tolist())
        st.hist_lo, st.hist_hi = (st.min, st.max) if math.isfinite(st.min) else (0.0, 0.0)
        size = p.thumb.size
        st.thumb = np.array(thumbs[offset:offset + size].reshape(p.thumb.shape), copy=True)
        offset += size
        p.hist = p.thumb = None
    for p in todo:
        p.vec = None


def _host(a: Any) -> np.ndarray:
    return a.get() if hasattr(a, "get") else np.asarray(a)


def _from_vector(v: np.ndarray) -> TensorStats:
    mn, mx, total, sumsq, count, nan, inf = (float(x) for x in v)
    if count == 0:
        return TensorStats(math.nan, math.nan, math.nan, math.nan, math.nan, int(nan), int(inf))
    mean = total / count
    std = math.sqrt(max(sumsq / count - mean * mean, 0.0))
    return TensorStats(mn, mx, mean, std, math.sqrt(sumsq), int(nan), int(inf))


def param_sample(a: Any) -> Any:
    """An even stride of at most RATIO_SAMPLES values: update ratios of big parameters are
    estimated from it, so a snapshot never copies a whole weight matrix."""
    flat = a.reshape(-1)
    return flat[:: -(-flat.size // RATIO_SAMPLES)] if flat.size > RATIO_SAMPLES else flat
