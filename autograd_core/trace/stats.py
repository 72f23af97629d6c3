"""Tensor statistics for the trace: min, max, mean, std, L2 norm, NaN/Inf counts, and at level
`full` a 32-bin histogram and a thumbnail of at most 64x64 values.

On the host each statistic is one vectorised pass (NaN/Inf are only counted when the sum says
they are there; large float sums go through BLAS); histograms are binned when a record is
first read, over a sample kept at record time. On the GPU nothing leaves the device while the
iteration runs: each tensor leaves a `Pending` of small device arrays, and `resolve` brings all
of them back in one transfer per kind at the end of the iteration. min/max/mean/std describe
the finite values; mean and std come from the sum and sum of squares (display precision, not
an oracle).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.trace.records import TensorStats

HIST_BINS = 32
HIST_MAX_SAMPLES = 1024  # larger tensors are histogrammed over a sample
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
    return to_stats(host_slot(a, full))


_min = np.minimum.reduce
_max = np.maximum.reduce
_sum = np.add.reduce
_EMPTY = (0.0, 0.0, 0.0, 0.0, 0, 0, 0)
_EMPTY_FULL = (*_EMPTY, None, None)


def host_slot(a: np.ndarray, full: bool) -> tuple:
    """The raw statistics of a numpy array, measured now: (min, max, sum, sum of squares,
    count, nan, inf), plus (histogram sample, thumbnail) at level `full`. `to_stats` turns it
    into TensorStats (and bins the histogram: that costs the reader, not the step).

    One pass per reduction, straight through the ufuncs; NaN and Inf are only counted when
    the sum says they are there. (A strided sample for min/max saves nothing: numpy's strided
    reductions lose SIMD and still touch every cache line.)
    """
    if a.size == 0:
        return _EMPTY_FULL if full else _EMPTY
    flat = _as_float(a).reshape(-1)
    total = _fast_sum(flat)
    if not math.isfinite(total):
        return _nonfinite_slot(a, flat, full)
    lo, hi = float(_min(flat)), float(_max(flat))
    raw = (lo, hi, total, _sum_of_squares(flat, max(-lo, hi)), flat.size, 0, 0)
    return (*raw, *_picture(a, flat)) if full else raw


def _sum_of_squares(flat: Any, largest: float) -> float:
    """sum(flat ** 2). Large values overflow to inf (as the statistic should) without a
    numpy RuntimeWarning reaching the user; the errstate is paid only when one may."""
    if largest * largest * flat.size < 1e37:  # fits even float32: no overflow possible
        return float(np.dot(flat, flat)) if flat.dtype.kind == "f" else float(_sum(flat * flat))
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.dot(flat, flat)) if flat.dtype.kind == "f" else float(_sum(flat * flat))


_ROW = 1024
_ONES: dict[np.dtype, np.ndarray] = {np.dtype(np.float32): np.ones(_ROW, np.float32),
         np.dtype(np.float64): np.ones(_ROW, np.float64)}
_dot = np.dot


def _fast_sum(flat: np.ndarray) -> float:
    """The sum of a 1-D float array. Large float32/64 ones go through BLAS (rows of 1024
    times a ones vector, then the row sums the same way), three times faster than numpy's
    pairwise sum; each ufunc call costs about a microsecond, so no call is spent on an empty
    tail."""
    n = flat.size
    ones = _ONES.get(flat.dtype) if n >= 8 * _ROW else None
    if ones is None:
        return float(_sum(flat))
    k = n // _ROW
    rows = _dot(flat[:k * _ROW].reshape(k, _ROW), ones)
    total = float(_dot(rows, ones[:k])) if k <= _ROW else float(_sum(rows))
    return total if n == k * _ROW else total + float(_sum(flat[k * _ROW:]))


def _nonfinite_slot(a: np.ndarray, flat: np.ndarray, full: bool) -> tuple:
    """host_slot of an array holding NaN or Inf (or whose sum overflowed): exact counts, and
    the statistics of its finite values."""
    nan = int(np.count_nonzero(np.isnan(flat)))
    inf = int(np.count_nonzero(np.isinf(flat)))
    if nan or inf:
        flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        raw = (math.nan, math.nan, 0.0, 0.0, 0, nan, inf)
        return (*raw, None, thumbnail(a)) if full else raw
    f64 = flat.astype(np.float64)  # a float32 sum can overflow where float64 does not
    raw = (float(_min(flat)), float(_max(flat)), float(_sum(f64)), float(np.dot(f64, f64)),
           flat.size, nan, inf)
    return (*raw, *_picture(a, flat)) if full else raw


def _picture(a: np.ndarray, finite: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """(histogram sample, thumbnail). Small tensors are histogrammed over all their finite
    values; larger 2-D+ ones over the thumbnail's grid (no second copy), 1-D ones over an even
    stride of at most HIST_MAX_SAMPLES."""
    thumb = thumbnail(a)
    if finite.size <= HIST_MAX_SAMPLES:
        return finite.copy(), thumb
    if a.ndim >= 2:
        return None, thumb
    return finite[::-(-finite.size // HIST_MAX_SAMPLES)].copy(), thumb


def to_stats(slot: Any, hist: tuple | None = None) -> TensorStats:
    """TensorStats from a `host_slot` tuple, a resolved Pending or a SmallSlot; `hist`: its
    histogram when already binned (`histograms`)."""
    if type(slot) is not tuple:
        if isinstance(slot, Pending):
            assert slot.result is not None  # resolve() ran at the iteration's end
            return slot.result
        return slot.to_stats(hist)
    mn, mx, total, sumsq, n, nan, inf = slot[:7]
    if n == 0:
        nanv = math.nan if nan or inf else 0.0
        return TensorStats(nanv, nanv, nanv, nanv, nanv, nan, inf)
    mean = total / n
    stats = TensorStats(mn, mx, mean, math.sqrt(max(sumsq / n - mean * mean, 0.0)),
                        math.sqrt(sumsq), nan, inf)
    if len(slot) > 7:
        if hist is None:
            sample, mn, mx = _slot_sample(slot)
            hist = tuple(_host_hist(sample, mn, mx).tolist())
        stats.hist = hist
        stats.hist_lo, stats.hist_hi = stats.min, stats.max
        stats.thumb = slot[8]
    return stats


def _hist_parts(slot: Any) -> tuple | None:
    """(sample, lo, hi) of a slot with a histogram to bin, else None."""
    if type(slot) is not tuple:
        parts = getattr(slot, "hist_parts", None)
        return parts() if parts is not None else None
    if len(slot) <= 7 or slot[4] == 0:
        return None
    return _slot_sample(slot)


def _slot_sample(slot: tuple) -> tuple[np.ndarray, float, float]:
    """(sample, lo, hi) of a host slot with a picture and at least one finite value."""
    return _even(slot[8].reshape(-1) if slot[7] is None else slot[7]), slot[0], slot[1]


def _even(sample: np.ndarray) -> np.ndarray:
    """At most HIST_MAX_SAMPLES values of `sample`, at an even stride."""
    n = sample.size
    return sample if n <= HIST_MAX_SAMPLES else sample[::-(-n // HIST_MAX_SAMPLES)]


def histograms(slots: list) -> dict[int, tuple[int, ...]]:
    """id(slot) -> 32 counts, for every slot of `slots` that has a histogram, binned together
    (one bincount for a whole capture instead of a handful of numpy calls per tensor)."""
    keys, parts = [], []
    for slot in slots:
        p = _hist_parts(slot) if slot is not None else None
        if p is not None:
            keys.append(id(slot))
            parts.append(p)
    if not parts:
        return {}
    sizes = [p[0].size for p in parts]
    # float64, as the per-tensor path bins; a fresh array, so the steps below work in place
    values = np.concatenate([p[0] for p in parts], dtype=np.float64)
    lo = np.array([p[1] for p in parts], np.float64)
    scale = np.array([HIST_BINS / (p[2] - p[1]) if p[2] > p[1] else 0.0 for p in parts])
    offset = np.arange(len(parts), dtype=np.intp) * HIST_BINS
    per_value = np.repeat(np.stack([lo, scale]), sizes, axis=1)
    offsets = np.repeat(offset, sizes)
    ok = np.isfinite(values)
    if not ok.all():  # NaN/Inf in a sample: left out
        values, per_value, offsets = values[ok], per_value[:, ok], offsets[ok]
    with np.errstate(invalid="ignore", over="ignore"):
        np.subtract(values, per_value[0], out=values)
        np.multiply(values, per_value[1], out=values)
    np.clip(values, 0, HIST_BINS - 1, out=values)
    idx = values.astype(np.intp)
    idx += offsets
    counts = np.bincount(idx, minlength=len(parts) * HIST_BINS).reshape(-1, HIST_BINS)
    return dict(zip(keys, map(tuple, counts.tolist()), strict=True))


def _host_hist(sample: np.ndarray, mn: float, mx: float) -> np.ndarray:
    """32 counts of the sample's finite values over [mn, mx]."""
    if not np.isfinite(_sum(sample)):
        sample = sample[np.isfinite(sample)]
    if mx <= mn:
        counts = np.zeros(HIST_BINS, np.int64)
        counts[0] = sample.size
        return counts
    idx = ((sample.astype(np.float64) - mn) * (HIST_BINS / (mx - mn))).astype(np.intp)
    np.clip(idx, 0, HIST_BINS - 1, out=idx)
    return np.bincount(idx, minlength=HIST_BINS)


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
        thumb = xp.array(_thumb_view(a), dtype=xp.float32, copy=True)
        # The host path's sample: all values, else the thumbnail's grid (2-D+) or a stride.
        big_grid = flat.size > HIST_MAX_SAMPLES and a.ndim >= 2
        sample = _even(thumb.reshape(-1).astype(xp.float64) if big_grid else flat)
        ok = xp.isfinite(sample)
        sample = xp.where(ok, sample, 0.0)
        width = xp.maximum(mx - mn, 1e-300)
        idx = xp.clip(((sample - mn) * (HIST_BINS / width)).astype(xp.int64), 0, HIST_BINS - 1)
        # A one-hot sum, not bincount: bincount sizes its output on the host (a sync).
        onehot = (idx[:, None] == xp.arange(HIST_BINS)[None, :]) & ok[:, None]
        hist = onehot.sum(axis=0)
    return Pending(vec, hist, thumb)


def resolve(pending: list[Pending], xp: Any) -> None:
    """Bring every pending statistic to the host (one transfer per kind) and fill `.result`."""
    todo = [p for p in pending if p.result is None]
    if not todo:
        return
    vecs = _host(xp.stack([p.vec for p in todo]))
    for p, v in zip(todo, vecs):
        p.result = _from_vector(v)
    with_hist = [p for p in todo if p.hist is not None]
    if with_hist:
        _resolve_pictures(with_hist, xp)
    for p in todo:
        p.vec = None


def _resolve_pictures(with_hist: list[Pending], xp: Any) -> None:
    """The histograms and thumbnails of `with_hist` (resolved otherwise): one transfer each."""
    hists = _host(xp.stack([p.hist for p in with_hist]))
    thumbs = _host(xp.concatenate([p.thumb.reshape(-1) for p in with_hist]))
    offset = 0
    for p, counts in zip(with_hist, hists):
        st = p.result
        assert st is not None  # resolve() filled it
        st.hist = tuple(int(c) for c in counts.tolist())
        st.hist_lo, st.hist_hi = (st.min, st.max) if math.isfinite(st.min) else (0.0, 0.0)
        size = p.thumb.size
        st.thumb = np.array(thumbs[offset:offset + size].reshape(p.thumb.shape), copy=True)
        offset += size
        p.hist = p.thumb = None


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
