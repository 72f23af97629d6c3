"""Matrix constraints (lower-triangular, Cholesky factors, symmetric and positive-definite
matrices) and the cat/stack combinators, re-exported by `constraints`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import autograd_core as ag
from autograd_core.distributions.constraints import Constraint
from autograd_core.tensor import Tensor


def _all_last(value: Tensor) -> Tensor:
    """all() over the last two dims (one matrix)."""
    return value.reshape((*value.shape[:-2], -1)).all(-1)


class _LowerTriangular(Constraint):
    """Lower-triangular square matrices."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        return _all_last(value.tril() == value)


class _LowerCholesky(Constraint):
    """Lower-triangular square matrices with a positive diagonal."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        positive_diagonal = (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)
        return _all_last(value.tril() == value) & positive_diagonal


class _CorrCholesky(Constraint):
    """Lower Cholesky factors whose rows have unit length (of correlation matrices)."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        tol = ag.finfo(value.dtype).eps * value.size(-1) * 10  # 10 is a fudge factor
        row_norm = ag.linalg.norm(value.detach(), dim=-1)
        unit_row_norm = (row_norm - 1.0).abs().le(tol).all(dim=-1)
        return _LowerCholesky().check(value) & unit_row_norm


class _Square(Constraint):
    """Square matrices."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        return ag.full(tuple(value.shape[:-2]), value.shape[-2] == value.shape[-1],
                       dtype=ag.bool, device=value.device)


class _Symmetric(_Square):
    """Symmetric square matrices (to atol 1e-6)."""

    def check(self, value: Tensor) -> Tensor:
        square_check = super().check(value)
        if not square_check.all():
            return square_check
        return ag.isclose(value, value.mT, atol=1e-6).all(-2).all(-1)


class _PositiveSemidefinite(_Symmetric):
    """Positive-semidefinite matrices."""

    def check(self, value: Tensor) -> Tensor:
        sym_check = super().check(value)
        if not sym_check.all():
            return sym_check
        return ag.linalg.eigvalsh(value).ge(0).all(-1)


class _PositiveDefinite(_Symmetric):
    """Positive-definite matrices (a Cholesky factorisation exists)."""

    def check(self, value: Tensor) -> Tensor:
        sym_check = super().check(value)
        if not sym_check.all():
            return sym_check
        return _cholesky_succeeds(value)


def _cholesky_succeeds(value: Tensor) -> Tensor:
    """Per matrix, whether a Cholesky factorisation exists (torch: cholesky_ex(..).info == 0;
    our cholesky_ex raises on a non-positive-definite matrix, so each is tried here)."""
    arrays = np.asarray(value.detach().cpu().numpy(), dtype=np.float64)
    n = arrays.shape[-1]
    flat = arrays.reshape(-1, n, n)
    ok = np.empty(len(flat), dtype=bool)
    for i, matrix in enumerate(flat):
        try:
            np.linalg.cholesky(matrix)
            ok[i] = True
        except np.linalg.LinAlgError:
            ok[i] = False
    return ag.tensor(ok.reshape(arrays.shape[:-2]), device=value.device)


class _Cat(Constraint):
    """Constraints `cseq` applied to consecutive slices of `lengths` along `dim` (like cat)."""

    def __init__(self, cseq: Sequence[Constraint], dim: int = 0,
                 lengths: Sequence[int] | None = None) -> None:
        if not all(isinstance(c, Constraint) for c in cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.cseq = list(cseq)
        self.lengths = list(lengths) if lengths is not None else [1] * len(self.cseq)
        if len(self.lengths) != len(self.cseq):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match cseq "
                                 f"({len(self.cseq)})")
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: Tensor) -> Tensor:
        if not -value.dim() <= self.dim < value.dim():
            raise AssertionError(f"dim {self.dim} out of range for value with "
                                 f"{value.dim()} dimensions")
        checks, start = [], 0
        for constr, length in zip(self.cseq, self.lengths):
            checks.append(constr.check(value.narrow(self.dim, start, length)))
            start += length
        return ag.cat(checks, self.dim)


class _Stack(Constraint):
    """Constraints `cseq` applied to the slices along `dim` (like stack)."""

    def __init__(self, cseq: Sequence[Constraint], dim: int = 0) -> None:
        if not all(isinstance(c, Constraint) for c in cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.cseq = list(cseq)
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim

    def check(self, value: Tensor) -> Tensor:
        if not -value.dim() <= self.dim < value.dim():
            raise AssertionError(f"dim {self.dim} out of range for value with "
                                 f"{value.dim()} dimensions")
        parts = [value.select(self.dim, i) for i in range(value.size(self.dim))]
        return ag.stack([c.check(v) for v, c in zip(parts, self.cseq)], self.dim)
