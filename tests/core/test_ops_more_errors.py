"""Errors of the ops added for real programs (issue 13): a bad argument raises PyTorch's
exception class with PyTorch's message, compared with the oracle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle


def _raised(fn: Callable[[Any], Any], m: Any) -> BaseException:
    with pytest.raises(Exception) as info:
        fn(m)
    return info.value


CASES = {
    "inv:singular": lambda m: m.linalg.inv(m.zeros(2, 2)),
    "inv:singular-second": lambda m: m.linalg.inv(m.tensor([[1.0, 2.0], [2.0, 4.0]])),
    "inv:non-square": lambda m: m.linalg.inv(m.zeros(2, 3)),
    "inv:integer": lambda m: m.linalg.inv(m.zeros(2, 2, dtype=m.int64)),
    "det:non-square": lambda m: m.linalg.det(m.zeros(2, 3)),
    "eigh:non-square": lambda m: m.linalg.eigh(m.zeros(2, 3)),
    "cholesky:not-pd": lambda m: m.linalg.cholesky(-m.eye(2)),
    "cholesky:second-minor": lambda m: m.linalg.cholesky(m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "solve:singular": lambda m: m.linalg.solve(m.zeros(2, 2), m.ones(2)),
    "linalg.cross:ndim": lambda m: m.linalg.cross(m.zeros(4, 3), m.zeros(3)),
    "polygamma:negative": lambda m: m.polygamma(-1, m.ones(2)),
    "trace:3d": lambda m: m.trace(m.zeros(2, 2, 2)),
    "diag:3d": lambda m: m.diag(m.zeros(2, 2, 2)),
    "diagonal:same-dims": lambda m: m.diagonal(m.zeros(2, 2), 0, 1, 1),
    "fliplr:1d": lambda m: m.fliplr(m.zeros(3)),
    "rot90:dims": lambda m: m.rot90(m.zeros(2, 2), 1, [0, 0]),
    "rot90:one-dim": lambda m: m.rot90(m.zeros(2, 2), 1, [0]),
    "diff:0d": lambda m: m.diff(m.tensor(1.0)),
    "select:range": lambda m: m.select(m.zeros(2, 3), 1, 3),
    "scatter_reduce:reduce": lambda m: m.zeros(3).scatter_reduce(
        0, m.tensor([0]), m.ones(1), "median"),
    "meshgrid:indexing": lambda m: m.meshgrid(m.zeros(2), indexing="yx"),
    "tensordot:sizes": lambda m: m.tensordot(m.zeros(2, 3), m.zeros(4, 2), 1),
    "index_fill:2d-value": lambda m: m.zeros(3).index_fill(0, m.tensor([0]), m.zeros(2)),
    "addcdiv:integer": lambda m: m.addcdiv(m.zeros(2), m.ones(2, dtype=m.int64),
                                           m.ones(2, dtype=m.int64)),
    "frac:integer": lambda m: m.frac(m.ones(2, dtype=m.int64)),
    "lerp:dtypes": lambda m: m.lerp(m.zeros(2), m.zeros(2, dtype=m.float64), 0.5),
    "cdist:columns": lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 4)),
    "matrix_norm:order": lambda m: m.linalg.matrix_norm(m.zeros(2, 2), 3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_error_matches_torch(name: str) -> None:
    want = _raised(CASES[name], torch)
    got = _raised(CASES[name], ag)
    assert isinstance(got, type(want).__mro__[0]) or type(want).__name__.lstrip("_") == \
        type(got).__name__, f"{name}: {type(got).__name__} != {type(want).__name__}"
    # PyTorch's RuntimeError subclasses (LinAlgError) are RuntimeErrors here too.
    assert isinstance(got, RuntimeError) == isinstance(want, RuntimeError), name
    assert str(got) == str(want).split("\n")[0], name


def test_linalg_error_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError):
        ag.linalg.inv(ag.zeros(3, 3))
    assert issubclass(ag.linalg.LinAlgError, RuntimeError)


def test_finite_results_where_torch_has_them() -> None:
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    for name in ("erfinv", "lgamma", "digamma"):
        got = getattr(ag, name)(ag.tensor(x)).numpy()
        want = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=name)
