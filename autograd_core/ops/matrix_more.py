"""More matrix and sequence helpers: matrix_exp, solve_triangular, cond, vander,
combinations, cumulative_trapezoid, and the in-place put_/fill_diagonal_ (as `put`,
`fill_diagonal`). Compositions of differentiable ops.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops._util import norm_dim
from autograd_core.tensor import Tensor

__all__ = ["combinations", "cumulative_trapezoid", "matrix_exp", "put", "vander"]


def matrix_exp(A: Tensor) -> Tensor:
    """e^A by scaling and squaring a degree-18 Taylor polynomial (relative error ~1e-15 in
    float64; differentiable to any order, as a composition of products)."""
    from autograd_core.ops.decomp import check_float_matrix

    check_float_matrix(A, "linalg.matrix_exp")
    xp = get_array_module(A._data)
    norm = float(xp.abs(A._data).sum(-2).max()) if A._data.size else 0.0
    s = max(0, math.ceil(math.log2(norm)) + 1) if norm > 0.5 else 0
    X = A * (1.0 / 2 ** s) if s else A
    eye = Tensor._make(xp.broadcast_to(xp.eye(A.shape[-1], dtype=A._data.dtype), A.shape))
    result, term = eye, eye
    for k in range(1, 19):
        term = (term @ X) * (1.0 / k)
        result = result + term
    for _ in range(s):
        result = result @ result
    return result


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    """X with A X = B (X A = B when left=False) for triangular A: only A's `upper` (or lower)
    triangle is read (its diagonal taken as 1 with unitriangular)."""
    from autograd_core.ops.decomp import solve
    from autograd_core.ops.rearrange import tril, triu
    from autograd_core.ops.shape import transpose

    T = triu(A) if upper else tril(A)
    if unitriangular:
        xp = get_array_module(A._data)
        eye = Tensor._make(xp.eye(A.shape[-1], dtype=A._data.dtype))
        T = T * (1 - eye) + eye
    if left:
        return solve(T, B)
    return transpose(solve(transpose(T, -2, -1), transpose(B, -2, -1)), -2, -1)


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number: the ratio of the extreme singular values (p None or 2, -2), or
    norm(A, p) * norm(inv(A), p) for the other matrix norms."""
    from autograd_core.ops.decomp import inv, svdvals
    from autograd_core.ops.extrema import amax, amin
    from autograd_core.ops.linalg_more import matrix_norm

    if p in (None, 2, -2):
        s = svdvals(A)
        hi, lo = amax(s, -1), amin(s, -1)
        return hi / lo if p != -2 else lo / hi
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """Columns of powers of the 1-D x (x^(N-1) ... x^0, or increasing)."""
    from autograd_core.ops.join import stack

    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    powers = [x ** 0] if n else []
    for _ in range(1, n):
        powers.append(powers[-1] * x)
    if not powers:
        return Tensor._make(get_array_module(x._data).zeros((x.shape[0], 0), x._data.dtype))
    return stack(powers if increasing else powers[::-1], 1)


def linalg_vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """linalg.vander: increasing powers along a new last dim (batched)."""
    from autograd_core.ops.join import stack

    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError(f"N must be greater than 1. Got {n}")
    powers = [x ** 0]
    for _ in range(1, n):
        powers.append(powers[-1] * x)
    return stack(powers, -1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-element combinations of a 1-D tensor's elements, as rows (itertools order)."""
    from autograd_core.ops.gather import index_select

    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    make = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = list(make(range(input.shape[0]), r))
    if r == 0 or not rows:
        return Tensor._make(get_array_module(input._data).zeros((0,) if r == 0 else (0, r),
                                                                dtype=input._data.dtype))
    idx = np.asarray(rows, dtype=np.int64).reshape(-1)
    xp = get_array_module(input._data)
    return index_select(input, 0, Tensor._make(xp.asarray(idx))).reshape(len(rows), r)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoid-rule integral along `dim` (one element fewer)."""
    from autograd_core.ops.reduction import cumsum
    from autograd_core.ops.shape import narrow, reshape

    d = norm_dim(dim, y.ndim, "cumulative_trapezoid")
    n = y.shape[d]
    pairs = narrow(y, d, 1, max(n - 1, 0)) + narrow(y, d, 0, max(n - 1, 0))
    if isinstance(x, Tensor):
        steps = x.diff(dim=-1 if x.ndim == 1 else d)
        if x.ndim == 1 and y.ndim > 1:
            steps = reshape(steps, (-1,) + (1,) * (y.ndim - 1 - d))
        return cumsum(pairs * steps, d) / 2
    return cumsum(pairs, d) * ((1.0 if dx is None else dx) / 2)


# ---- in-place Tensor methods
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """input with source written (added) at the flat positions `index`."""
    from autograd_core.ops.index_more import index_put

    flat = input.reshape(-1)
    return index_put(flat, (index.reshape(-1),), source.reshape(-1), accumulate).reshape(
        tuple(input.shape))


def fill_diagonal(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """input with its main diagonal (all dims equal, or a tall matrix) set to fill_value."""
    from autograd_core.ops.indexing import masked_fill

    if input.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    xp = get_array_module(input._data)
    mask = np.zeros(input.shape, dtype=bool)
    if input.ndim == 2:
        rows, cols = input.shape
        step = cols + 1
        flat = np.arange(0, rows * cols if wrap else min(rows, cols) * cols, step)
        flat = flat[flat < rows * cols]
        mask.reshape(-1)[flat] = True
    else:
        idx = np.arange(input.shape[0])
        mask[(idx,) * input.ndim] = True
    return masked_fill(input, Tensor._make(xp.asarray(mask)), fill_value)
