"""Helpers for the nn tests: run the same computation here and in PyTorch and compare."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import autograd_core as ag

TOL = {np.float64: (1e-9, 1e-10), np.float32: (2e-4, 2e-5)}


def to_torch(arr: np.ndarray, requires_grad: bool = False) -> Any:
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(np.array(arr, copy=True))
    return t.requires_grad_(requires_grad) if requires_grad else t


def to_ours(arr: np.ndarray, requires_grad: bool = False) -> ag.Tensor:
    return ag.tensor(np.array(arr, copy=True), requires_grad=requires_grad)


def assert_close(ours: Any, theirs: Any, dtype: Any, what: str = "") -> None:
    rtol, atol = TOL[np.dtype(dtype).type]
    a = ours.detach().cpu().numpy() if isinstance(ours, ag.Tensor) else np.asarray(ours)
    b = theirs.detach().cpu().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    if np.issubdtype(b.dtype, np.floating):
        assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def check_against_torch(ours: Callable[..., Any], theirs: Callable[..., Any],
                        arrays: Sequence[np.ndarray], dtype: Any = np.float64,
                        seed: int = 0) -> None:
    """Forward values and the gradient of every floating input must match PyTorch's."""
    arrays = [a.astype(dtype) if np.issubdtype(a.dtype, np.floating) else a for a in arrays]
    wants = [np.issubdtype(a.dtype, np.floating) for a in arrays]
    ag_in = [to_ours(a, w) for a, w in zip(arrays, wants)]
    th_in = [to_torch(a, w) for a, w in zip(arrays, wants)]
    out_a, out_t = ours(*ag_in), theirs(*th_in)
    assert_close(out_a, out_t, dtype, "forward")
    seed_grad = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_a.backward(to_ours(seed_grad))
    out_t.backward(to_torch(seed_grad))
    for i, (a, t) in enumerate(zip(ag_in, th_in)):
        if not wants[i]:
            continue
        if t.grad is None:
            assert a.grad is None or not np.any(a.grad.cpu().numpy()), f"input {i}: unexpected grad"
            continue
        assert a.grad is not None, f"input {i}: no gradient"
        assert_close(a.grad, t.grad, dtype, f"grad of input {i}")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def check() -> Callable[..., None]:
    """`check(ours, theirs, arrays, dtype)`: compare forward and gradients with PyTorch."""
    return check_against_torch


@pytest.fixture
def close() -> Callable[..., None]:
    """`close(ours, theirs, dtype, what)`: values (and dtypes) agree within dtype tolerance."""
    return assert_close
