"""The hot-path shortcuts (apply's unrolled bookkeeping, same-shape backward, the engine's
inline gradient passing) behave like the general path and like PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.function import Function

STALE = "modified by an inplace operation"


def nonleaf(values):
    """A non-leaf float64 tensor (in-place writes on it are allowed)."""
    return ag.tensor(values, dtype=ag.float64, requires_grad=True) * 1.0


@pytest.mark.parametrize("build", [
    lambda h: nonleaf([3.0, 4.0]) * h,  # h is kept for the other factor's gradient
    lambda h: h * nonleaf([3.0, 4.0]),
    lambda h: nonleaf([3.0, 4.0]) / h,
])
def test_writing_a_saved_input_in_place_is_caught(build):
    h = nonleaf([1.0, 2.0])
    y = build(h)
    h.add_(1.0)
    with pytest.raises(RuntimeError, match=STALE):
        y.sum().backward()


@pytest.mark.parametrize("build", [
    lambda h: 2.0 * h,  # times a number, or a tensor without grad, h is not kept (PyTorch)
    lambda h: h * 2.0,
    lambda h: h * ag.tensor([3.0, 4.0], dtype=ag.float64),
    lambda h: h / 4.0,
])
def test_writing_an_input_that_was_not_kept_is_fine(build):
    h = nonleaf([1.0, 2.0])
    y = build(h)
    h.add_(1.0)
    y.sum().backward()
    assert y.grad_fn is not None


def test_writing_a_saved_output_in_place_is_caught():
    y = nonleaf([0.1, 0.2]).tanh()
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match=STALE):
        y.sum().backward()


def test_an_op_that_saved_nothing_can_be_walked_twice():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1.0) - x * 0.0
    z = (x + x).sum()
    z.backward()
    z.backward()  # Add saved no arrays: nothing was freed, as in PyTorch
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
@pytest.mark.parametrize("shapes", [((3, 1), (4,)), ((4,), (3, 4)), ((2, 3), (2, 3))])
def test_binary_gradients_match_torch(op, shapes):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s) for s in shapes)
    ta, tb = (ag.tensor(v, requires_grad=True) for v in (a, b))
    getattr(ag, op)(ta, tb).sum().backward()
    ra, rb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    getattr(torch, op)(ra, rb).sum().backward()
    np.testing.assert_allclose(ta.grad.numpy(), ra.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), rb.grad.numpy(), rtol=1e-12)


def test_number_minus_tensor_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (1.0 - x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, -1.0])


def test_tanh_gradient_matches_torch_in_float32_and_is_zero_when_saturated():
    torch = pytest.importorskip("torch")
    values = np.array([-20.0, -3.0, -0.5, 0.0, 0.3, 2.0, 20.0], np.float32)
    g = np.linspace(-2, 2, values.size).astype(np.float32)
    x = ag.tensor(values, requires_grad=True)
    x.tanh().backward(ag.tensor(g))
    t = torch.tensor(values, requires_grad=True)
    t.tanh().backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)
    assert x.grad.numpy()[0] == 0.0 and x.grad.numpy()[-1] == 0.0


def test_a_two_input_op_whose_backward_returns_one_array_feeds_the_first_input():
    class First(Function):  # an engine op (autograd.Function would insist on two grads)
        @staticmethod
        def forward(ctx, a, b):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2  # not a tuple: the gradient of `a` only

    a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = ag.tensor([[1.0, 1.0], [1.0, 1.0]], requires_grad=True)
    First.apply(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 2), 2.0))
    assert b.grad is None


def test_a_fresh_node_exposes_its_defaults():
    node = (ag.tensor([1.0], requires_grad=True) * 2.0).grad_fn
    assert node.meta is None and node.n_outputs == 1 and node.next_functions[0][0] is not None
    assert node.name() == "MulBackward0"


def test_gradients_summed_in_place_stay_separate_from_shared_arrays():
    """A weight used many times: sums after the first go in place into the walk's own array.

    Add's backward hands one array to both inputs; a later in-place sum must not leak into
    the other input's gradient, and each use must count once (checked against torch).
    """
    torch = pytest.importorskip("torch")
    xs = np.random.default_rng(0).standard_normal((3, 4))

    def run(lib):
        w = lib.tensor(xs, requires_grad=True)
        v = lib.tensor(xs[::-1].copy(), requires_grad=True)
        s = w + v  # one array reaches both w's and v's buffers
        total = (s * 2).sum() + (w * 3).sum() + (w * w).sum() + w.tanh().sum() + (v * w).sum()
        total.backward()
        return w.grad.numpy(), v.grad.numpy()

    for ours, theirs in zip(run(ag), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_a_shared_weight_over_many_steps_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    w0, xs = rng.standard_normal((5, 5)) * 0.3, rng.standard_normal((8, 2, 5))

    def run(lib):
        w = lib.tensor(w0, requires_grad=True)
        h = lib.zeros(2, 5, dtype=lib.float64)
        for x in xs:
            h = (lib.tensor(x) + h @ w).tanh()
        (h * h).sum().backward()
        return w.grad.numpy()

    np.testing.assert_allclose(run(ag), run(torch), rtol=1e-10)
