"""Binary ops on generated broadcastable shape pairs: forward == numpy, grads sum back to the
input shapes, and (with torch) the same values and gradients as PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag

BINARY = {
    "add": (lambda m, a, b: a + b, np.add),
    "sub": (lambda m, a, b: a - b, np.subtract),
    "mul": (lambda m, a, b: a * b, np.multiply),
    "div": (lambda m, a, b: a / b, np.divide),
    "pow": (lambda m, a, b: a ** b, np.power),
    "maximum": (lambda m, a, b: m.maximum(a, b), np.maximum),
    "minimum": (lambda m, a, b: m.minimum(a, b), np.minimum),
    "where": (lambda m, a, b: m.where(a > b, a, b), lambda a, b: np.where(a > b, a, b)),
}

shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                max_side=3)


def _arrays(shapes: tuple, seed: int) -> list[np.ndarray]:
    # Positive operands keep pow and div smooth; distinct values keep max/min tie-free.
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 2.0, s) for s in shapes]


def _forward_backward(m: Any, name: str, arrays: list[np.ndarray]) -> tuple[Any, list[Any]]:
    xs = [m.tensor(a, requires_grad=True) for a in arrays]
    out = BINARY[name][0](m, *xs)
    w = np.cos(np.arange(out.numel(), dtype=np.float64)).reshape(tuple(out.shape))
    (out * m.tensor(w)).sum().backward()
    return out.detach().numpy(), [x.grad.numpy() for x in xs]


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=15, deadline=None)
@given(shapes=shape_pairs, seed=st.integers(0, 2**16))
def test_binary_broadcasting(name: str, shapes: Any, seed: int) -> None:
    arrays = _arrays(shapes.input_shapes, seed)
    out, grads = _forward_backward(ag, name, arrays)
    np.testing.assert_allclose(out, BINARY[name][1](*arrays), rtol=1e-12)
    assert out.shape == shapes.result_shape
    for a, g in zip(arrays, grads):
        assert g.shape == a.shape, f"{name}: grad shape {g.shape} != input shape {a.shape}"


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=10, deadline=None)
@given(shapes=shape_pairs, seed=st.integers(0, 2**16))
def test_binary_broadcasting_matches_torch(name: str, shapes: Any, seed: int) -> None:
    torch = pytest.importorskip("torch")
    arrays = _arrays(shapes.input_shapes, seed)
    out, grads = _forward_backward(ag, name, arrays)
    t_out, t_grads = _forward_backward(torch, name, arrays)
    np.testing.assert_allclose(out, t_out, rtol=1e-10)
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g, tg, rtol=1e-10, atol=1e-12)
