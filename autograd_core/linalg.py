"""torch.linalg: decompositions, solvers, inverses and norms (ops/decomp.py, ops/linalg_more.py).

Real floating-point inputs (float32, float64), batched over leading dims; gradients as
PyTorch's, and second derivatives through the same formulas. Not here yet: eig/eigvals
(complex results), lu/lu_factor, matrix_exp, householder_product, ldl_factor, tensorinv/solve.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from autograd_core.ops.decomp import (
    LinAlgError,
    cholesky,
    det,
    eigh,
    inv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
)
from autograd_core.ops.linalg import matmul
from autograd_core.ops.linalg_more import (
    linalg_cross as cross,
)
from autograd_core.ops.linalg_more import (
    lstsq,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    norm,
    pinv,
    vecdot,
    vector_norm,
)
from autograd_core.ops.matrix_more import cond, matrix_exp, solve_triangular
from autograd_core.ops.matrix_more import linalg_vander as vander
from autograd_core.ops.structure import diagonal as _diagonal
from autograd_core.tensor import Tensor

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh",
    "eigvalsh", "inv", "inv_ex", "lstsq", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
    "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
    "solve_triangular", "svd", "svdvals", "vander", "vecdot", "vector_norm",
]

_Ex = namedtuple("inv_ex", ["inverse", "info"])
_ExL = namedtuple("cholesky_ex", ["L", "info"])
_ExR = namedtuple("solve_ex", ["result", "info"])


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    return eigh(A, UPLO).eigenvalues


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    return _diagonal(A, offset, dim1, dim2)


def _info(like: Tensor) -> Tensor:
    from autograd_core.creation import zeros
    from autograd_core.dtypes import int32

    return zeros(tuple(like.shape[:-2]), dtype=int32)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:
    """(inverse, info); a singular matrix raises (info is always 0 here)."""
    return _Ex(inv(A), _info(A))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    return _ExL(cholesky(A, upper=upper), _info(A))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> Any:
    return _ExR(solve(A, B, left=left), _info(A))

