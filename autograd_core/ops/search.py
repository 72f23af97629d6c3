"""Searching and counting: searchsorted, bucketize, isin, unique, unique_consecutive, histc,
bincount, count_nonzero, argwhere, isclose/allclose/equal, and the differentiable
repeat_interleave and aminmax.

Results that are indices or counts are not differentiable (as in PyTorch); they are computed on
the array module (numpy or CuPy) directly.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops._util import norm_dim, scalar_type_name
from autograd_core.tensor import Tensor

__all__ = [
    "allclose", "aminmax", "argwhere", "bincount", "bucketize", "count_nonzero", "equal",
    "histc", "isclose", "isin", "repeat_interleave", "searchsorted", "unique",
    "unique_consecutive",
]

AminmaxResult = namedtuple("aminmax", ["min", "max"])


def _data(x: Any, like: Any = None) -> Any:
    if isinstance(x, Tensor):
        return x._data
    xp = get_array_module(like._data) if isinstance(like, Tensor) else np
    return xp.asarray(x)


def _out(a: Any, int32: bool = False) -> Tensor:
    return Tensor._make(a.astype(np.int32 if int32 else np.int64))


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None,
                 out: Any = None) -> Tensor:
    """Insertion points of input in the last dim of sorted_sequence (rows matched by the
    leading dims when sorted_sequence is N-D)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites,"
                               " got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    xp = get_array_module(seq)
    vals = _data(input, sorted_sequence)
    if sorter is not None:
        seq = xp.take_along_axis(seq, _data(sorter), -1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        return _out(xp.searchsorted(seq, vals, side=how), out_int32)
    if vals.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           "first N-1 dimensions of boundaries tensor and input value tensor "
                           "must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
    rows_s = seq.reshape(-1, seq.shape[-1])
    rows_v = vals.reshape(-1, vals.shape[-1])
    res = xp.stack([xp.searchsorted(s, v, side=how) for s, v in zip(rows_s, rows_v)])
    return _out(res.reshape(vals.shape), out_int32)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False, out: Any = None) -> Tensor:
    """The bucket of each value among 1-D boundaries (right=True: boundaries[i-1] <= x <
    boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    like = elements if isinstance(elements, Tensor) else test_elements
    a, b = _data(elements, like), _data(test_elements, like)
    xp = get_array_module(a)
    return Tensor._make(xp.isin(a, b, invert=invert))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted), and optionally each element's position among them and
    their counts; with `dim`, the distinct slices along it."""
    xp = get_array_module(input._data)
    axis = None if dim is None else norm_dim(dim, input.ndim, "unique")
    vals, inverse, counts = xp.unique(input._data, return_inverse=True, return_counts=True,
                                      axis=axis)
    if axis is None:
        inverse = inverse.reshape(input._data.shape)
    else:
        inverse = inverse.reshape(-1)
    return _unique_result(Tensor._make(vals), inverse, counts, return_inverse, return_counts)


def _unique_result(vals: Tensor, inverse: Any, counts: Any, ri: bool, rc: bool) -> Any:
    out: list[Any] = [vals]
    if ri:
        out.append(_out(inverse))
    if rc:
        out.append(_out(counts))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """input with each run of equal consecutive elements (slices along `dim`) kept once."""
    xp = get_array_module(input._data)
    if dim is None:
        flat = input._data.reshape(-1)
        axis, moved = 0, flat
    else:
        axis = norm_dim(dim, input.ndim, "unique_consecutive")
        moved = xp.moveaxis(input._data, axis, 0)
    n = moved.shape[0]
    if n == 0:
        starts = xp.zeros(0, dtype=bool)
    else:
        change = (moved[1:] != moved[:-1]).reshape(n - 1, -1).any(axis=1)
        starts = xp.concatenate([xp.ones(1, dtype=bool), change])
    keep = moved[starts]
    vals = keep if dim is None else xp.moveaxis(keep, 0, axis)
    group = xp.cumsum(starts) - 1
    inverse = group.reshape(input._data.shape) if dim is None else group
    counts = xp.diff(xp.concatenate([xp.nonzero(starts)[0], xp.asarray([n])]))
    return _unique_result(Tensor._make(xp.ascontiguousarray(vals)), inverse, counts,
                          return_inverse, return_counts)


def histc(input: Tensor, bins: int = 100, min: Any = 0, max: Any = 0, *,
          out: Any = None) -> Tensor:
    """Counts in `bins` equal-width bins over [min, max] (the data's range when both are 0);
    values outside are ignored. Not differentiable."""
    x = input._data
    if x.dtype.kind not in "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{scalar_type_name(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    xp = get_array_module(x)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, but got min {lo} max "
                           f"{hi}")
    flat = x.reshape(-1)
    flat = flat[(flat >= lo) & (flat <= hi)]
    idx = ((flat - lo) * bins / (hi - lo)).astype(np.int64)
    idx = xp.minimum(idx, bins - 1)  # the top edge belongs to the last bin
    return Tensor._make(xp.bincount(idx, minlength=bins)[:bins].astype(x.dtype))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs (summed weights with `weights`)."""
    x = input._data
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if x.size and int(x.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = get_array_module(x)
    if weights is None:
        return _out(xp.bincount(x, minlength=minlength))
    w = weights._data
    if w.shape != x.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dt = w.dtype if w.dtype.kind == "f" else np.float64
    return Tensor._make(xp.bincount(x, weights=w, minlength=minlength).astype(out_dt))


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    from autograd_core.ops._util import norm_dims

    axes = norm_dims(dim, input.ndim, "count_nonzero")
    return _out(get_array_module(input._data).count_nonzero(input._data, axis=axes))


def argwhere(input: Tensor) -> Tensor:
    from autograd_core.ops.indexing import nonzero

    return nonzero(input)


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    a, b = input._data, _data(other, input)
    if isinstance(other, Tensor) and a.dtype != b.dtype:
        raise RuntimeError(f"{scalar_type_name(a.dtype)} did not match "
                           f"{scalar_type_name(b.dtype)}")
    xp = get_array_module(a)
    return Tensor._make(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same size and elements."""
    a, b = input._data, other._data
    return a.shape == b.shape and bool((a == b).all())


def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (slice along `dim`; of the flattened input when None) repeated
    `repeats` times (an int or one count per element). `repeat_interleave(counts)` alone
    gives the positions 0, 0, 1, ... repeated by counts."""
    from autograd_core.ops.gather import index_select
    from autograd_core.ops.shape import reshape

    xp = get_array_module(input._data)
    if repeats is None:  # repeat_interleave(repeats): arange(len) repeated
        counts = input._data
        return _out(xp.repeat(xp.arange(counts.shape[0]), counts))
    x = reshape(input, (-1,)) if dim is None else input
    axis = 0 if dim is None else norm_dim(dim, input.ndim, "repeat_interleave")
    n = x.shape[axis] if x.ndim else 1
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    if isinstance(repeats, Tensor) and reps.ndim == 1 and reps.shape[0] not in (1, n):
        raise RuntimeError("repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {reps.shape[0]} and input.size({axis}) = {n}")
    index = xp.repeat(xp.arange(n), reps.reshape(-1) if hasattr(reps, "reshape") and
                      getattr(reps, "ndim", 0) else int(reps))
    return index_select(x, axis, Tensor._make(index.astype(np.int64)))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    from autograd_core.ops.extrema import amax, amin

    d = () if dim is None else dim
    return AminmaxResult(amin(input, d, keepdim), amax(input, d, keepdim))

