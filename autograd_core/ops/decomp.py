"""Matrix functions and decompositions with gradients: inv, det, slogdet, solve, cholesky,
qr, eigh, svd, svdvals (the kernels of `autograd_core.linalg`).

Each backward is PyTorch's formula written once with Tensor ops (`_fn_factory.tensor_op`), so
it also serves create_graph=True (Hessians through inv, det, solve...). Kernels are the array
module's `linalg` (numpy's LAPACK, or cuSOLVER through CuPy). Not covered: complex inputs,
the gradient of det at a singular matrix (PyTorch goes through an SVD there), and qr's
gradient for wide matrices with mode='reduced'.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from autograd_core.ops._fn_factory import tensor_op
from autograd_core.ops._util import scalar_type_name
from autograd_core.ops.rearrange import tril
from autograd_core.ops.shape import transpose, unsqueeze
from autograd_core.tensor import Tensor

__all__ = ["LinAlgError", "cholesky", "det", "eigh", "inv", "qr", "slogdet", "solve", "svd",
           "svdvals"]


class LinAlgError(RuntimeError):
    """A matrix the factorization cannot handle (torch.linalg.LinAlgError)."""


SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])
EighResult = namedtuple("eigh", ["eigenvalues", "eigenvectors"])
QRResult = namedtuple("qr", ["Q", "R"])
SVDResult = namedtuple("svd", ["U", "S", "Vh"])


def _mT(t: Tensor) -> Tensor:
    return transpose(t, -2, -1)


def _diag_embed(v: Tensor) -> Tensor:
    from autograd_core.ops.structure import diag_embed

    return diag_embed(v)


def check_float_matrix(a: Any, op: str, square: bool = True) -> None:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(a).__name__}")
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if a._data.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(a._data.dtype)}")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _lapack(xp: Any, fn: str, message: str, *args: Any, **kw: Any) -> Any:
    try:
        return getattr(xp.linalg, fn)(*args, **kw)
    except np.linalg.LinAlgError:
        raise LinAlgError(message) from None


# ------------------------------------------------------------------ inv, det, slogdet
def _inv_fwd(ctx: Any, xp: Any, a: Any) -> Any:
    try:
        return xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"linalg.inv: The diagonal element {_zero_pivot(a)} is zero, the "
                          "inversion could not be completed because the input matrix is "
                          "singular.") from None


def _zero_pivot(a: Any) -> int:
    """The 1-based position of the first zero pivot of the LU factorization with partial
    pivoting (LAPACK's getrf, whose number PyTorch's message gives) of the first singular
    matrix in the batch."""
    mats = np.asarray(a.get() if hasattr(a, "get") else a, dtype=np.float64)
    for m in mats.reshape((-1, *mats.shape[-2:])):
        u = m.copy()
        n = u.shape[0]
        for k in range(n):
            p = k + int(np.argmax(np.abs(u[k:, k])))
            if u[p, k] == 0:
                return k + 1
            u[[k, p]] = u[[p, k]]
            u[k + 1:] -= np.outer(u[k + 1:, k] / u[k, k], u[k])
    return 1


Inv = tensor_op("LinalgInvEx", _inv_fwd,
                lambda ctx, ins, outs, gs: [-(_mT(outs[0]) @ gs[0] @ _mT(outs[0]))],
                "Y = A^-1")


def inv(A: Tensor) -> Tensor:
    check_float_matrix(A, "linalg.inv")
    return Inv.apply(A)


def _det_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    scale = unsqueeze(unsqueeze(gs[0] * outs[0], -1), -1)
    return [scale * _mT(inv(ins[0]))]


Det = tensor_op("LinalgDet", lambda ctx, xp, a: xp.linalg.det(a), _det_bwd, "y = det A")


def det(A: Tensor) -> Tensor:
    check_float_matrix(A, "linalg.det")
    return Det.apply(A)


Slogdet = tensor_op(
    "LinalgSlogdet", lambda ctx, xp, a: tuple(xp.linalg.slogdet(a)),
    lambda ctx, ins, outs, gs: [unsqueeze(unsqueeze(gs[1], -1), -1) * _mT(inv(ins[0]))],
    "(sign, log |det A|)")


def slogdet(A: Tensor) -> Any:
    """(sign, log|det|), one node as PyTorch's; the sign's gradient is zero."""
    check_float_matrix(A, "linalg.slogdet")
    return SlogdetResult(*Slogdet.apply(A))


def _xp(t: Tensor) -> Any:
    from autograd_core.backend import get_array_module

    return get_array_module(t._data)


# ------------------------------------------------------------------ solve
def _solve_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    from autograd_core.ops._fn_factory import tensor_sum_to as sum_to

    a, b = ins
    gb = solve(_mT(a), gs[0])
    ga = -(gb @ _mT(outs[0]))
    return [sum_to(ga, tuple(a.shape)), sum_to(gb, tuple(b.shape))]


def _solve_fwd(ctx: Any, xp: Any, a: Any, b: Any) -> Any:
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, shape + a.shape[-2:])
    b = xp.broadcast_to(b, shape + b.shape[-2:])
    return _lapack(xp, "solve", "torch.linalg.solve: The solver failed because the input "
                   "matrix is singular.", a, b)


Solve = tensor_op("LinalgSolveEx", _solve_fwd, _solve_bwd, "X = A^-1 B")


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    """X with A X = B (X A = B when left=False); B may be a (batch of) vector(s)."""
    check_float_matrix(A, "linalg.solve")
    if not left:
        return _mT(solve(_mT(A), _mT(B)))
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if vector:
        return Solve.apply(A, unsqueeze(B, -1))[..., 0]
    if B.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x"
                           f"{B.shape[-1]})")
    return Solve.apply(A, B)


# ------------------------------------------------------------------ cholesky
def _cholesky_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    L, gL = outs[0], gs[0]
    gA = tril(_mT(L) @ gL)
    gA = (gA + _mT(tril(gA, -1))) * 0.5
    gA = solve(_mT(L), gA)  # L^-T gA
    return [_mT(solve(_mT(L), _mT(gA)))]  # ... L^-1 = (L^-T gA^T)^T


def _cholesky_fwd(ctx: Any, xp: Any, a: Any) -> Any:
    try:
        return xp.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        order = next(k for k in range(1, a.shape[-1] + 1)
                     if not _positive_definite(xp, a[..., :k, :k]))
        raise LinAlgError("linalg.cholesky: The factorization could not be completed because "
                          f"the input is not positive-definite (the leading minor of order "
                          f"{order} is not positive-definite).") from None


def _positive_definite(xp: Any, a: Any) -> bool:
    try:
        xp.linalg.cholesky(a)
        return True
    except np.linalg.LinAlgError:
        return False


Cholesky = tensor_op("LinalgCholeskyEx", _cholesky_fwd, _cholesky_bwd, "L L^T = A")


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    """The lower Cholesky factor of a symmetric positive-definite A (upper: its transpose)."""
    check_float_matrix(A, "linalg.cholesky")
    L = Cholesky.apply(A)
    return _mT(L) if upper else L


# ------------------------------------------------------------------ qr
def _qr_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    Q, R = outs
    gQ, gR = gs
    if ins[0].shape[-2] < ins[0].shape[-1]:
        raise NotImplementedError("the gradient of qr for a wide matrix (more columns than "
                                  "rows) is not supported")
    M = R @ _mT(gR) - _mT(gQ) @ Q
    sym = tril(M) + _mT(tril(M, -1))  # the symmetric matrix from M's lower triangle
    b = gQ + Q @ sym
    return [_mT(solve(R, _mT(b)))]  # b R^-T


def _qr_fwd(ctx: Any, xp: Any, a: Any, mode: str = "reduced") -> Any:
    q, r = xp.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    return q, r


QR = tensor_op("LinalgQr", _qr_fwd, _qr_bwd, "Q R = A")


def qr(A: Tensor, mode: str = "reduced") -> Any:
    check_float_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = QR.apply(A, mode=mode)
    if mode == "r":
        return QRResult(Tensor._make(_xp(A).empty((0,), dtype=A._data.dtype)), r)
    return QRResult(q, r)


# ------------------------------------------------------------------ eigh
def _eigh_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    w, V = outs
    gw, gV = gs
    VtgV = _mT(V) @ gV
    skew = (VtgV - _mT(VtgV)) * 0.5
    E = unsqueeze(w, -2) - unsqueeze(w, -1)  # E_ij = w_j - w_i
    xp = _xp(w)
    eye = Tensor._make(xp.eye(w.shape[-1], dtype=w._data.dtype))
    inner = skew / (E + eye) * (1 - eye) + _diag_embed(gw)
    return [V @ inner @ _mT(V)]


Eigh = tensor_op("LinalgEigh", lambda ctx, xp, a, UPLO="L": tuple(xp.linalg.eigh(a, UPLO)),
                 _eigh_bwd, "A = V diag(w) V^T")


def eigh(A: Tensor, UPLO: str = "L") -> Any:
    check_float_matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, V = Eigh.apply(A, UPLO=UPLO)
    return EighResult(w, V)


# ------------------------------------------------------------------ svd
def _svd_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    """PyTorch's svd_backward for real A (m >= n after the transposition svd() does)."""
    U, S, Vh = outs
    gU, gS, gVh = gs
    k = S.shape[-1]
    U, gU = U[..., :k], gU[..., :k]  # full_matrices: the extra columns carry no gradient
    Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]
    xp = _xp(S)
    eye = Tensor._make(xp.eye(k, dtype=S._data.dtype))
    S2 = S * S
    E = unsqueeze(S2, -2) - unsqueeze(S2, -1) + eye
    UtgU = _mT(U) @ gU
    VtgV = Vh @ _mT(gVh)
    J, K = UtgU - _mT(UtgU), VtgV - _mT(VtgV)
    inner = (J * unsqueeze(S, -2) + unsqueeze(S, -1) * K) / E * (1 - eye) + _diag_embed(gS)
    gA = U @ inner
    if ins[0].shape[-2] > k:  # tall: the part of gU outside U's span
        gA = gA + (gU - U @ UtgU) / unsqueeze(S, -2)
    return [gA @ Vh]


def _svd_fwd(ctx: Any, xp: Any, a: Any, full_matrices: bool = False) -> Any:
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return u, s, vh


SVD = tensor_op("LinalgSvd", _svd_fwd, _svd_bwd, "A = U diag(S) Vh")


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> Any:
    check_float_matrix(A, "linalg.svd", square=False)
    if A.shape[-2] < A.shape[-1]:  # wide: the svd of the transpose, factors swapped
        u, s, vh = SVD.apply(_mT(A), full_matrices=full_matrices)
        return SVDResult(_mT(vh), s, _mT(u))
    return SVDResult(*SVD.apply(A, full_matrices=full_matrices))


def _svdvals_bwd(ctx: Any, ins: list, outs: list, gs: list) -> list:
    U, _, Vh = svd(ins[0], full_matrices=False)
    return [(U * unsqueeze(gs[0], -2)) @ Vh]


Svdvals = tensor_op("LinalgSvdvals",
                    lambda ctx, xp, a: xp.linalg.svd(a, compute_uv=False), _svdvals_bwd,
                    "S, the singular values of A")


def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    check_float_matrix(A, "linalg.svdvals", square=False)
    return Svdvals.apply(A)

