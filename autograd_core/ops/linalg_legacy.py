"""PyTorch's older linear-algebra entry points: `chain_matmul`, `triangular_solve` (both
deprecated in PyTorch, with its warnings, once per process as there) and `cholesky_solve`.

Compositions of differentiable ops (matmul, linalg.solve_triangular), so their gradients of
any order come from those ops'. Their argument checks and messages are PyTorch's.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

from autograd_core.ops._util import scalar_type_name
from autograd_core.tensor import Tensor

__all__ = ["chain_matmul", "cholesky_solve", "triangular_solve"]

_CHAIN_MATMUL_DEPRECATED = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters.")
_TRIANGULAR_SOLVE_DEPRECATED = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
    "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
    "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B).")
_warned: set[str] = set()  # PyTorch warns once per process (TORCH_WARN_ONCE)


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


def _refuse_out(fn: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"{fn}(): argument 'out' is not supported by autograd_core")


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """The product of two-dimensional matrices, left to right (torch.linalg.multi_dot's)."""
    _refuse_out("chain_matmul", out)
    _warn_once(_CHAIN_MATMUL_DEPRECATED)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    for i in range(len(matrices) - 1):
        a, b = matrices[i], matrices[i + 1]
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(a.shape)} and {list(b.shape)} cannot be multiplied")
    result = matrices[0]
    for m in matrices[1:]:
        result = result @ m
    return result


def _check_system(fn: str, b: Tensor, A: Tensor, b_name: str) -> None:
    """PyTorch's checks of a batched system A X = b for its older solvers."""
    if b.ndim < 2:
        raise RuntimeError(f"{b_name} {b.ndim} dimensions instead" if fn == "cholesky_solve"
                           else f"torch.triangular_solve: {b_name} {b.ndim} dimensions instead")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim > 1 else 1} by {A.shape[-1]} matrices")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for {fn}: each A matrix is "
                           f"{A.shape[-1]} by {A.shape[-1]} but each b matrix is "
                           f"{b.shape[-2]} by {b.shape[-1]}")
    if b._data.dtype != A._data.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type "
            f"{scalar_type_name(b._data.dtype)} and A of type "
            f"{scalar_type_name(A._data.dtype)} instead.")


class _TriangularSolve(namedtuple("triangular_solve", ["solution", "cloned_coefficient"])):
    """torch.return_types.triangular_solve: (solution, cloned_coefficient)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return (f"torch.return_types.triangular_solve(\nsolution={self.solution!r},\n"
                f"cloned_coefficient={self.cloned_coefficient!r})")


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out: Any = None) -> _TriangularSolve:
    """X with op(A) X = b for triangular A (op: transposed when `transpose`), and a copy of A.
    Only A's upper (or lower) triangle is read; its diagonal is taken as 1 with unitriangular."""
    from autograd_core.ops.matrix_more import solve_triangular

    _refuse_out("triangular_solve", out)
    _warn_once(_TRIANGULAR_SOLVE_DEPRECATED)
    _check_system("triangular_solve", b, A,
                  "Expected b to have at least 2 dimensions, but it has")
    if transpose:  # the transpose of an upper triangle is a lower one
        x = solve_triangular(A.mT, b, upper=not upper, unitriangular=unitriangular)
    else:
        x = solve_triangular(A, b, upper=upper, unitriangular=unitriangular)
    return _TriangularSolve(x, A.clone())


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """X with A X = B, given A's Cholesky factor L (A = L L^H; A = U^H U when `upper`)."""
    from autograd_core.ops.matrix_more import solve_triangular

    _refuse_out("cholesky_solve", out)
    _check_system("cholesky_solve", B, L, "b should have at least 2 dimensions, but has")
    if upper:  # U^H (U X) = B
        y = solve_triangular(L.mH, B, upper=False)
        return solve_triangular(L, y, upper=True)
    y = solve_triangular(L, B, upper=False)  # L (L^H X) = B
    return solve_triangular(L.mH, y, upper=True)
