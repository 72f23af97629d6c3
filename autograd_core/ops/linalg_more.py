"""Linear algebra composed of the decompositions (ops/decomp.py) and plain ops: norms
(vector, matrix, linalg.norm), pinv, matrix_power, lstsq, matrix_rank, multi_dot, cross,
vecdot, cdist, dist, and the top-level torch aliases (det, logdet, inverse, pinverse, svd...).

Compositions of differentiable ops, so all have gradients (and second ones) where their parts
do. torch.svd (legacy) returns V, not Vh; torch.qr and torch.cholesky follow PyTorch's old
signatures.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops import decomp as D
from autograd_core.ops._util import norm_dim
from autograd_core.ops.extrema import amax, amin
from autograd_core.ops.reduction import sum as _sum
from autograd_core.ops.shape import transpose, unsqueeze
from autograd_core.ops.statistics import norm as _vector_norm
from autograd_core.ops.unary import abs as _abs
from autograd_core.ops.unary import log
from autograd_core.tensor import Tensor

__all__ = [
    "cdist", "cholesky", "cross", "det", "dist", "inverse", "logdet", "matrix_power", "pinverse",
    "qr", "slogdet", "svd",
]

LstsqResult = namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])
LegacySVD = namedtuple("svd", ["U", "S", "V"])
_INF = float("inf")


def _mT(t: Tensor) -> Tensor:
    return transpose(t, -2, -1)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """The vector ord-norm over `dim` (every element when None)."""
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a number as ord, but got {ord!r}")
    return _vector_norm(x, p=ord, dim=dim, keepdim=keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """'fro', 'nuc', 1, -1, 2, -2, inf or -inf norm of the matrices in dims `dim`."""
    D.check_float_matrix(A, "linalg.matrix_norm", square=False)
    d0, d1 = (norm_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if ord == "fro":
        return _vector_norm(A, 2, dim=(d0, d1), keepdim=keepdim, dtype=dtype)
    if ord in ("nuc", 2, -2):
        s = D.svdvals(_move_last(A, d0, d1))
        r = _sum(s, -1) if ord == "nuc" else (amax(s, -1) if ord == 2 else amin(s, -1))
        return _keep(r, A.ndim, (d0, d1)) if keepdim else r
    if ord in (1, -1, _INF, -_INF):
        along, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = _sum(_abs(A), dim=along, keepdim=True)
        r = (amax if ord > 0 else amin)(sums, dim=other, keepdim=True)
        return r if keepdim else r.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def _move_last(A: Tensor, d0: int, d1: int) -> Tensor:
    from autograd_core.ops.shape import movedim

    return movedim(A, (d0, d1), (-2, -1))


def _keep(r: Tensor, ndim: int, dims: tuple) -> Tensor:
    for d in sorted(dims):
        r = unsqueeze(r, d)
    return r


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         out: Any = None, dtype: Any = None) -> Tensor:
    """linalg.norm: a vector norm (1 dim, or ord None over everything) or a matrix norm (2)."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                       f"1D or 2D. Got {A.ndim}D.")


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
         out: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse, through the SVD (singular values below the tolerance,
    by default max(m, n) * eps * the largest, count as zero)."""
    from autograd_core.ops.logic import where

    D.check_float_matrix(A, "linalg.pinv", square=False)
    U, S, Vh = D.svd(A, full_matrices=False)
    eps = float(np.finfo(A._data.dtype).eps)
    smax = amax(S, -1, keepdim=True).detach() if S.shape[-1] else S
    tol = smax * (max(A.shape[-2:]) * eps if rtol is None else rtol)
    if atol is not None:
        tol = tol.clamp_min(atol) if isinstance(tol, Tensor) else tol
    keep = (tol < S).detach()
    s_inv = where(keep, 1 / where(keep, S, 1.0), 0.0)
    return (_mT(Vh) * unsqueeze(s_inv, -2)) @ _mT(U)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A multiplied by itself n times (the inverse's powers for n < 0, I for 0)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if n == 0:
        eye = Tensor._make(get_array_module(A._data).eye(A.shape[-1], dtype=A._data.dtype))
        return eye.expand(tuple(A.shape)) * 1
    base = D.inv(A) if n < 0 else A
    result, power = None, base
    k = abs(n)
    while k:  # square-and-multiply: log2(n) products
        if k & 1:
            result = power if result is None else result @ power
        k >>= 1
        if k:
            power = power @ power
    return result


def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: Any = None) -> Any:
    """The least-squares solution of A X = B (through the pseudo-inverse); residuals and rank
    are empty, as PyTorch's default CPU driver ('gelsy') returns them."""
    vector = B.ndim == A.ndim - 1
    X = pinv(A, rtol=rcond) @ (unsqueeze(B, -1) if vector else B)
    xp = get_array_module(A._data)
    empty = Tensor._make(xp.zeros((0,), dtype=A._data.dtype))
    rank = Tensor._make(xp.zeros((0,), dtype=np.int64))
    return LstsqResult(X[..., 0] if vector else X, empty, rank, empty)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
                out: Any = None) -> Tensor:
    s = D.svdvals(A).detach()
    eps = float(np.finfo(A._data.dtype).eps)
    smax = amax(s, -1, keepdim=True) if s.shape[-1] else s
    tol = smax * (max(A.shape[-2:]) * eps if rtol is None else rtol)
    if atol is not None:
        tol = tol.clamp_min(atol)
    return _sum(s > tol, -1)


def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    ts[0] = unsqueeze(ts[0], 0) if first_vec else ts[0]
    ts[-1] = unsqueeze(ts[-1], -1) if last_vec else ts[-1]
    r = ts[0]
    for t in ts[1:]:
        r = r @ t
    if last_vec:
        r = r[..., 0]
    if first_vec:
        r = r[0]
    return r


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The 3-vector cross product along `dim` (torch.cross: the first dim of size 3 when None;
    linalg.cross: -1)."""
    from autograd_core.ops.join import stack
    from autograd_core.ops.structure import broadcast_tensors, select

    a, b = broadcast_tensors(input, other)
    if dim is None:
        dim = next((i for i, s in enumerate(a.shape) if s == 3), -1)
    d = norm_dim(dim, a.ndim, "cross")
    if a.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d] if input.ndim > d else 1} and "
                           f"{other.shape[d] if other.ndim > d else 1}")
    ax = [select(a, d, i) for i in range(3)]
    bx = [select(b, d, i) for i in range(3)]
    return stack([ax[1] * bx[2] - ax[2] * bx[1], ax[2] * bx[0] - ax[0] * bx[2],
                  ax[0] * bx[1] - ax[1] * bx[0]], d)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    return cross(input, other, dim)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    return _sum(x * y, dim)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    diff = unsqueeze(x1, -2) - unsqueeze(x2, -3)
    return _vector_norm(diff, p=p, dim=-1)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    return _vector_norm(input - other, p=p)


# ---- the top-level (legacy) spellings
def det(input: Tensor) -> Tensor:
    return D.det(input)


def slogdet(input: Tensor) -> Any:
    return D.slogdet(input)


def logdet(input: Tensor) -> Tensor:
    """log det: NaN for a negative determinant, -inf for a singular matrix."""
    sign, logabs = D.slogdet(input)
    return logabs + log(sign)


def inverse(input: Tensor) -> Tensor:
    return D.inv(input)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    return pinv(input, rtol=rcond)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    return D.cholesky(input, upper=upper)


def qr(input: Tensor, some: bool = True) -> Any:
    return D.qr(input, "reduced" if some else "complete")


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """torch.svd (legacy): (U, S, V) with V, not Vh; some=True is the reduced SVD."""
    U, S, Vh = D.svd(input, full_matrices=not some)
    return LegacySVD(U, S, _mT(Vh))

