"""Custom `autograd.Function` and `autograd.Variable`, written as a PyTorch user would."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import autograd


def make_scale(lib):
    """y = x * w * k with a hand-written backward; k is a non-tensor argument."""

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, k):
            ctx.save_for_backward(x, w)
            ctx.k = k
            ctx.seen_needs = tuple(ctx.needs_input_grad)
            return x * w * k

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            gx = g * w * ctx.k if ctx.needs_input_grad[0] else None
            gw = g * x * ctx.k if ctx.needs_input_grad[1] else None
            return gx, gw, None

    return Scale


def make_split(lib):
    """Two outputs: (2x, 3x)."""

    class Split(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3

    return Split


def run_scale(lib, w_requires_grad: bool):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=w_requires_grad)
    y = make_scale(lib).apply(x, w, 2.0)
    y.sum().backward()
    return (y.detach().numpy(), x.grad.numpy(), None if w.grad is None else w.grad.numpy(),
            y.grad_fn.name(), y.grad_fn.seen_needs)


@pytest.mark.parametrize("w_requires_grad", [True, False])
def test_custom_function_values_grads_and_needs_input_grad(w_requires_grad):
    y, gx, gw, name, needs = run_scale(ag, w_requires_grad)
    np.testing.assert_allclose(y, [6.0, 16.0])
    np.testing.assert_allclose(gx, [6.0, 8.0])
    if w_requires_grad:
        np.testing.assert_allclose(gw, [2.0, 4.0])
    else:
        assert gw is None
    assert name == "ScaleBackward"
    assert needs == (True, w_requires_grad, False)


@pytest.mark.parametrize("w_requires_grad", [True, False])
def test_custom_function_matches_pytorch(w_requires_grad):
    torch = pytest.importorskip("torch")
    ours, theirs = run_scale(ag, w_requires_grad), run_scale(torch, w_requires_grad)
    for a, b in zip(ours[:3], theirs[:3]):
        if a is None or b is None:
            assert a is None and b is None
        else:
            np.testing.assert_allclose(a, b)
    assert ours[3:] == theirs[3:]


def run_split(lib, use_both: bool):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    a, b = make_split(lib).apply(x)
    loss = a.sum() + (b * b).sum() if use_both else a.sum()
    loss.backward()
    return a.detach().numpy(), b.detach().numpy(), x.grad.numpy(), a.grad_fn is b.grad_fn


@pytest.mark.parametrize("use_both", [True, False])
def test_custom_function_with_two_outputs(use_both):
    a, b, gx, same_node = run_split(ag, use_both)
    np.testing.assert_allclose(a, [2.0, 4.0])
    np.testing.assert_allclose(b, [3.0, 6.0])
    # The unused output's gradient arrives as zeros, as in PyTorch.
    np.testing.assert_allclose(gx, [2 + 18 * 1, 2 + 18 * 2] if use_both else [2.0, 2.0])
    assert same_node


@pytest.mark.parametrize("use_both", [True, False])
def test_custom_function_with_two_outputs_matches_pytorch(use_both):
    torch = pytest.importorskip("torch")
    for a, b in zip(run_split(ag, use_both), run_split(torch, use_both)):
        np.testing.assert_allclose(a, b)


def test_custom_function_without_grad_records_nothing():
    Scale = make_scale(ag)
    x = ag.tensor([1.0, 2.0])
    y = Scale.apply(x, x, 1.0)
    assert not y.requires_grad and y.grad_fn is None
    x.requires_grad_()
    with ag.no_grad():
        assert not Scale.apply(x, x, 1.0).requires_grad


def test_custom_function_saved_tensors_freed_after_backward():
    Scale = make_scale(ag)
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(x, x, 1.0)
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])  # 2x, twice
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_custom_backward_returning_a_wrong_number_of_gradients_raises():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    x = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        Bad.apply(x, x).sum().backward()


def test_custom_backward_returning_a_wrong_shape_raises():
    class BadShape(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    x = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0"):
        BadShape.apply(x).sum().backward()


def test_custom_function_is_differentiated_inside_a_larger_graph():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (ag, torch):
        Scale = make_scale(lib)
        x = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        y = Scale.apply(x.exp(), x, 3.0).tanh().sum()
        y.backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-12)


def test_variable_returns_a_tensor_requiring_grad():
    v = autograd.Variable(ag.tensor([1.0, 2.0]), requires_grad=True)
    assert isinstance(v, ag.Tensor)
    assert v.requires_grad and v.is_leaf
    (v * v).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [2.0, 4.0])
    plain = autograd.Variable(ag.tensor([1.0]))
    assert isinstance(plain, ag.Tensor) and not plain.requires_grad
