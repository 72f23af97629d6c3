"""`parametrizations.orthogonal`: a weight kept orthogonal through the matrix exponential,
the Cayley map or Householder reflections of an unconstrained matrix, as PyTorch's.

The matrix exponential and the linear solve (Cayley) are ops here with hand-written
backwards (the exponential's from the block-triangular identity); Householder products are
composed of matmuls. Second derivatives through `matrix_exp` and the solve are not
supported (the usual "double backward is not supported" error).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.grad_mode import no_grad
from autograd_core.nn.module import Module
from autograd_core.nn.utils import parametrize
from autograd_core.ops.join import cat
from autograd_core.tensor import Tensor

__all__ = ["orthogonal"]

# Higham's Pade(13) coefficients and the 1-norm bound below which no scaling is needed.
_B13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
        129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
        40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm(a: Any) -> Any:
    """exp of square matrices (..., n, n): Pade(13) with scaling and squaring."""
    xp = get_array_module(a)
    n = a.shape[-1]
    norm = float(xp.abs(a).sum(-2).max()) if a.size else 0.0
    s = max(0, math.ceil(math.log2(norm / _THETA13))) if norm > _THETA13 else 0
    a = a / (2.0 ** s)
    ident = xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    b = _B13
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * ident
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


class MatrixExp(Function):
    """Q = exp(A) for square A"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        xp = get_array_module(a)
        n = a.shape[-1]
        at = xp.swapaxes(a, -1, -2)
        block = xp.zeros((*a.shape[:-2], 2 * n, 2 * n), dtype=a.dtype)
        block[..., :n, :n] = at
        block[..., n:, n:] = at
        block[..., :n, n:] = g
        return _expm(block)[..., :n, n:]


class Solve(Function):
    """X = A^-1 B"""

    @staticmethod
    def forward(ctx, a, b):
        x = get_array_module(a).linalg.solve(a, b)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = get_array_module(a)
        gb = xp.linalg.solve(xp.swapaxes(a, -1, -2), g)
        return -gb @ xp.swapaxes(x, -1, -2), gb


def _eye_like(t: Tensor, n: int) -> Tensor:
    xp = get_array_module(t._data)
    return Tensor._make(xp.broadcast_to(xp.eye(n, dtype=t._data.dtype),
                                        (*t.shape[:-2], n, n)).copy())


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T (v_i: 1 at i, then the
    entries of column i below the diagonal), as torch.linalg.householder_product."""
    n, k = a.shape[-2], a.shape[-1]
    xp = get_array_module(a._data)
    below = Tensor._make(xp.tril(xp.ones((n, k), dtype=a._data.dtype), -1))
    unit = Tensor._make(xp.eye(n, k, dtype=a._data.dtype))
    vs = a * below + unit
    q = _eye_like(a, n)
    for i in range(k):
        v = vs[..., :, i:i + 1]
        q = q - (q @ v) @ (v.transpose(-1, -2) * tau[..., i:i + 1].unsqueeze(-1))
    return q[..., :, :k]


def _make_orthogonal(a: Any) -> Any:
    """The Q of A's QR decomposition, signs chosen so that R's diagonal is positive."""
    xp = get_array_module(a)
    q, r = xp.linalg.qr(a)
    return q * xp.sign(xp.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def _is_orthogonal(q: Any, eps: float | None = None) -> bool:
    xp = get_array_module(q)
    n, k = q.shape[-2], q.shape[-1]
    eye = xp.eye(k, dtype=q.dtype)
    eps = 10.0 * n * float(np.finfo(q.dtype).eps) if eps is None else eps
    return bool(xp.allclose(xp.swapaxes(q, -1, -2) @ q, eye, atol=eps))


class _Orthogonal(Module):
    def __init__(self, weight: Tensor, orthogonal_map: str, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.transpose(-1, -2)
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:
                x = cat([x, x.new_zeros(*x.shape[:-2], n, n - k)], -1)
            a = x - x.transpose(-1, -2)
            if self.orthogonal_map == "matrix_exp":
                q = MatrixExp.apply(a)
            else:
                eye = _eye_like(a, n)
                q = Solve.apply(eye - a * 0.5, eye + a * 0.5)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            q = _householder_product(a, tau)
            # the diagonal's integer part (PyTorch's X.diagonal().int(): no gradient)
            xp = get_array_module(x._data)
            diag = xp.diagonal(x._data, axis1=-2, axis2=-1).astype(np.int32)
            q = q * Tensor._make(diag[..., None, :])
        if getattr(self, "base", None) is not None:
            q = self.base @ q
        return q.transpose(-1, -2) if transposed else q

    def right_inverse(self, q: Tensor) -> Tensor:
        if tuple(q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {q.shape}.")
        with no_grad():
            return self._right_inverse(q)

    def _right_inverse(self, q: Tensor) -> Tensor:
        xp = get_array_module(q._data)
        arr = q._data
        n, k = arr.shape[-2], arr.shape[-1]
        transpose = n < k
        if transpose:
            arr = xp.swapaxes(arr, -1, -2)
            n, k = k, n
        if "base" not in self._buffers:
            if self.orthogonal_map in ("cayley", "matrix_exp"):
                raise NotImplementedError("It is not possible to assign to the matrix "
                                          "exponential or the Cayley parametrizations when "
                                          "use_trivialization=False.")
            host = np.asarray(q.detach().cpu().numpy())  # geqrf's raw form: numpy only
            if transpose:
                host = np.swapaxes(host, -1, -2)
            h, tau = np.linalg.qr(host, mode="raw")  # LAPACK geqrf
            a = np.swapaxes(h, -1, -2).copy()
            d = np.sign(np.diagonal(a, axis1=-2, axis2=-1)).copy()
            d[tau == 0.0] *= -1
            idx = np.arange(k)
            a[..., idx, idx] = d
            out = np.swapaxes(a, -1, -2) if transpose else a
            return Tensor._make(xp.asarray(out))
        if n == k:
            base = arr.copy() if _is_orthogonal(arr) else _make_orthogonal(arr)
        else:
            from autograd_core import random

            noise = random.normal_array(xp.empty((*arr.shape[:-2], n, n - k), arr.dtype),
                                        0.0, 1.0)
            base = _make_orthogonal(xp.concatenate([arr, noise], -1))
        self.base = Tensor._make(base)
        neg_id = xp.zeros(q.shape, dtype=arr.dtype)
        m = min(q.shape[-2], q.shape[-1])
        neg_id[..., np.arange(m), np.arange(m)] = -1.0
        return Tensor._make(neg_id)


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Keep `module.<name>` orthogonal (orthonormal columns or rows), as PyTorch's."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
