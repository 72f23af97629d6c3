"""More statistics: median/nanmedian, mode, quantile/nanquantile, nansum/nanmean,
std_mean/var_mean, cov/corrcoef, renorm, trapezoid, and the fused products addmv, addbmm,
baddbmm, addr.

Order statistics pick their elements by index (sorted on arrays) and gather them, so their
gradient flows to the picked elements as PyTorch's does; the rest compose differentiable ops.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops._util import norm_dim, return_type
from autograd_core.ops.gather import gather
from autograd_core.ops.logic import isnan, where
from autograd_core.ops.reduction import mean, sum
from autograd_core.ops.shape import movedim, reshape, squeeze, unsqueeze
from autograd_core.ops.statistics import std, var
from autograd_core.tensor import Tensor

__all__ = [
    "addbmm", "addmv", "addr", "baddbmm", "corrcoef", "cov", "median", "mode", "nanmean",
    "nanmedian", "nanquantile", "nansum", "quantile", "renorm", "std_mean", "trapezoid", "trapz",
    "var_mean",
]

MedianResult = return_type("median")
NanmedianResult = return_type("nanmedian")
ModeResult = return_type("mode")
StdMean = namedtuple("std_mean", ["std", "mean"])  # printed as PyTorch's plain tuple
VarMean = namedtuple("var_mean", ["var", "mean"])


def _pick(input: Tensor, dim: int, keepdim: bool, index: Any, result: type) -> Any:
    idx = Tensor._make(np.expand_dims(index, dim) if isinstance(index, np.ndarray)
                       else get_array_module(index).expand_dims(index, dim))
    values = gather(input, dim, idx)
    if not keepdim:
        values, idx = squeeze(values, dim), squeeze(idx, dim)
    return result(values, idx)


def _median(input: Tensor, dim: Any, keepdim: bool, ignore_nan: bool, result: type) -> Any:
    x = input._data
    xp = get_array_module(x)
    if dim is None:
        flat = reshape(input, (-1,))
        if flat.shape[0] == 0:
            return Tensor._make(xp.asarray(xp.nan, dtype=x.dtype))
        return _median(flat, 0, False, ignore_nan, result).values
    d = norm_dim(dim, input.ndim, "median")
    if input.ndim == 0:
        return result(input * 1, Tensor._make(xp.zeros((), dtype=np.int64)))
    order = xp.argsort(x, axis=d, kind="stable")  # NaN sorts last
    nans = xp.isnan(x).sum(axis=d, keepdims=True) if x.dtype.kind == "f" else 0
    n = x.shape[d]
    if ignore_nan:
        k = xp.maximum((n - nans - 1) // 2, 0)
    else:  # any NaN: the median is NaN (the first NaN's position)
        k = xp.where(nans > 0, n - nans, (n - 1) // 2) if x.dtype.kind == "f" else \
            xp.full((*order.shape[:d], 1, *order.shape[d + 1:]), (n - 1) // 2)
    index = xp.take_along_axis(order, xp.asarray(k, dtype=np.int64), d)
    return _pick(input, d, keepdim, xp.squeeze(index, d), result)


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median (of everything, or (values, indices) along `dim`); NaN if any NaN."""
    return _median(input, dim, keepdim, False, MedianResult)


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """median ignoring NaN (NaN only where a whole slice is NaN)."""
    return _median(input, dim, keepdim, True, NanmedianResult)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """The most frequent value along `dim` (the smallest among equally frequent ones) and the
    index of its last occurrence."""
    x = input._data
    xp = get_array_module(x)
    d = norm_dim(dim, input.ndim, "mode")
    moved = xp.moveaxis(x, d, -1)
    rows = moved.reshape(-1, moved.shape[-1]) if moved.ndim else moved.reshape(1, 1)
    best = []
    for row in (rows.get() if hasattr(rows, "get") else rows):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]
        best.append(len(row) - 1 - int(np.nonzero(row[::-1] == v)[0][0]))
    index = xp.asarray(best, dtype=np.int64).reshape(moved.shape[:-1])
    return _pick(input, d, keepdim, index, ModeResult)


def _quantile(input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str,
              ignore_nan: bool) -> Tensor:
    """Sort along the dim (NaN last), then interpolate between the two ranks around
    q * (count - 1): the gradient reaches those two elements."""
    from autograd_core.ops.sorting import sort

    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    scalar_q = not isinstance(q, Tensor)
    if not scalar_q and q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    qs = np.atleast_1d(np.asarray(q.tolist() if not scalar_q else q, dtype=np.float64))
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    d = None if dim is None else norm_dim(dim, input.ndim, "quantile")
    x = reshape(input, (-1,)) if d is None else movedim(input, d, -1)
    xp = get_array_module(x._data)
    s = sort(x, -1).values
    n = s.shape[-1]
    count = (~xp.isnan(x._data)).sum(-1, keepdims=True) if ignore_nan else xp.asarray(n)
    pos = xp.asarray(qs).reshape((-1,) + (1,) * s.ndim) * (count - 1)  # (Q, ..., 1)
    lo, hi = xp.floor(pos), xp.ceil(pos)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(pos)  # half to even, as PyTorch's
    frac = xp.where(hi > lo, 0.5, 0.0) if interpolation == "midpoint" else pos - lo
    full = (len(qs), *s.shape)
    s_b = s.expand(full)

    def at(k: Any) -> Tensor:
        idx = xp.broadcast_to(xp.clip(k, 0, max(n - 1, 0)), (*full[:-1], 1))
        return gather(s_b, -1, Tensor._make(idx.astype(np.int64)))

    a, b = at(lo), at(hi)
    w = Tensor._make(xp.broadcast_to(frac, a.shape).astype(x._data.dtype))
    out = squeeze(a + (b - a) * w, -1)  # (Q, ...)
    if not ignore_nan and x._data.dtype.kind == "f":
        has_nan = xp.broadcast_to(xp.isnan(x._data).any(-1), out.shape)
        out = where(Tensor._make(xp.ascontiguousarray(has_nan)), float("nan"), out)
    if keepdim:
        out = reshape(out, (len(qs),) + (1,) * input.ndim) if d is None else unsqueeze(out, d + 1)
    return squeeze(out, 0) if scalar_q else out


def quantile(input: Tensor, q: Any, dim: Any = None, keepdim: bool = False, *,
             interpolation: str = "linear", out: Any = None) -> Tensor:
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: Any, dim: Any = None, keepdim: bool = False, *,
                interpolation: str = "linear", out: Any = None) -> Tensor:
    return _quantile(input, q, dim, keepdim, interpolation, True)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    x = where(isnan(input), 0.0, input) if input._data.dtype.kind == "f" else input
    return sum(x, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
            dtype: Any = None) -> Tensor:
    count = sum(~isnan(input), dim, keepdim, dtype=input.dtype)
    return nansum(input, dim, keepdim, dtype=dtype) / count


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    return StdMean(std(input, dim, unbiased, keepdim, correction=correction),
                   mean(input, dim, keepdim))


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    return VarMean(var(input, dim, unbiased, keepdim, correction=correction),
                   mean(input, dim, keepdim))


def cov(input: Tensor, *, correction: int = 1, fweights: Any = None,
        aweights: Any = None) -> Tensor:
    """The covariance of the rows (variables) over the columns (observations)."""
    for name, v in (("fweights", fweights), ("aweights", aweights)):
        if v is not None:
            raise TypeError(f"cov(): '{name}' is not supported by autograd_core")
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = reshape(input, (1, -1)) if input.ndim < 2 else input
    n = x.shape[1]
    c = x - mean(x, 1, keepdim=True)
    out = (c @ c.mT.conj() if hasattr(c, "conj") else c @ c.mT) / max(n - correction, 0)
    return reshape(out, ()) if input.ndim < 2 else out


def corrcoef(input: Tensor) -> Tensor:
    from autograd_core.ops.unary import sqrt

    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = sqrt(c.diagonal())
    return (c / unsqueeze(d, 1) / unsqueeze(d, 0)).clamp(-1, 1)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along `dim` rescaled to p-norm at most maxnorm (PyTorch's 1e-7 guard)."""
    from autograd_core.ops.statistics import norm

    d = norm_dim(dim, input.ndim, "renorm")
    others = tuple(i for i in range(input.ndim) if i != d)
    n = norm(input, p, others, keepdim=True)
    return input * where(n > maxnorm, maxnorm / (n + 1e-7), 1.0)


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoid rule along `dim`, with sample points x or spacing dx (1 by default)."""
    from autograd_core.ops.shape import narrow

    d = norm_dim(dim, y.ndim, "trapezoid")
    n = y.shape[d]
    if n == 0:
        return sum(y, d)
    pairs = narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1)
    if isinstance(x, Tensor):
        xd = norm_dim(dim, x.ndim, "trapezoid") if x.ndim > 1 else 0
        steps = narrow(x, xd, 1, n - 1) - narrow(x, xd, 0, n - 1)
        if x.ndim == 1 and y.ndim > 1:
            steps = reshape(steps, (-1,) + (1,) * (y.ndim - 1 - d))
        return sum(pairs * steps, d) / 2
    step = 1.0 if dx is None else dx
    return sum(pairs, d) * (step / 2)


trapz = trapezoid


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return _scaled(input, mat @ vec, beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    return _scaled(input, sum(batch1 @ batch2, 0), beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    from autograd_core.ops.linalg import bmm

    return _scaled(input, bmm(batch1, batch2), beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    from autograd_core.ops.linalg import outer

    return _scaled(input, outer(vec1, vec2), beta, alpha)


def _scaled(input: Tensor, prod: Tensor, beta: Any, alpha: Any) -> Tensor:
    """beta * input + alpha * prod; beta = 0 ignores input (NaN in it too), as PyTorch."""
    p = prod if alpha == 1 else prod * alpha
    if beta == 0:
        return p + 0 * p  # input broadcast away, not read
    return (input if beta == 1 else input * beta) + p
