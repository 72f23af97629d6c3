"""create_graph=True against PyTorch in float64: grad of grad, Hessian-vector products, a
WGAN-GP step, a two-step MAML inner loop, retain_graph, and ops without a graph formula."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import gradgradcheck

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-10, 1e-12


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_grad_of_grad_of_cube() -> None:
    got = []
    for m in (ag, torch):
        x = m.tensor([1.0, -2.0, 0.5], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad((x ** 3).sum(), x, create_graph=True)
        assert g.requires_grad
        (gg,) = m.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = m.autograd.grad(gg.sum(), x)
        got.append((_np(g), _np(gg), _np(ggg)))
    for a, t in zip(*got):
        np.testing.assert_allclose(a, t, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(got[0][1], [6.0, -12.0, 3.0])


def test_backward_create_graph_makes_grad_differentiable() -> None:
    grads = []
    for m in (ag, torch):
        x = m.tensor([0.3, -1.2], dtype=m.float64, requires_grad=True)
        y = (m.sin(x) * x).sum()
        y.backward(create_graph=True)
        assert x.grad.requires_grad
        first = _np(x.grad)
        g = x.grad
        x.grad = None
        (g * g).sum().backward()
        grads.append((first, _np(x.grad)))
    for a, t in zip(*grads):
        np.testing.assert_allclose(a, t, rtol=RTOL, atol=ATOL)


def _mlp(m: Any, params: list, x: Any) -> Any:
    w1, b1, w2, b2 = params
    h = m.nn.functional.gelu(m.nn.functional.linear(x, w1, b1))
    return m.tanh(h) @ w2.t() + b2


def _params(m: Any, seed: int = 0) -> list:
    rng = _rng(seed)
    shapes = [(5, 3), (5,), (2, 5), (2,)]
    return [m.tensor(rng.standard_normal(s) * 0.7, dtype=m.float64, requires_grad=True)
            for s in shapes]


def test_hessian_vector_product_matches_torch() -> None:
    rng = _rng(1)
    xv, v = rng.standard_normal((4, 3)), [rng.standard_normal(s) for s in
                                          [(5, 3), (5,), (2, 5), (2,)]]
    out = []
    for m in (ag, torch):
        params = _params(m)
        loss = (_mlp(m, params, m.tensor(xv)).softmax(-1) ** 2).mean()
        grads = m.autograd.grad(loss, params, create_graph=True)
        dot = sum((g * m.tensor(vi)).sum() for g, vi in zip(grads, v))
        out.append([_np(h) for h in m.autograd.grad(dot, params)])
    for a, t in zip(*out):
        np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-11)


def _wgan_gp_step(m: Any) -> list:
    """One critic step of WGAN-GP: the penalty is the gradient's norm wrt the input."""
    rng = _rng(2)
    real, fake = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    alpha = rng.uniform(size=(6, 1))
    params = _params(m, 3)
    critic = lambda x: _mlp(m, params, x)[:, :1]  # noqa: E731
    x_hat = m.tensor(alpha * real + (1 - alpha) * fake, requires_grad=True)
    (g,) = m.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((g.norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(m.tensor(fake)).mean() - critic(m.tensor(real)).mean() + 10 * penalty
    loss.backward()
    return [_np(loss)] + [_np(p.grad) for p in params]


def test_wgan_gp_step_matches_torch() -> None:
    for a, t in zip(_wgan_gp_step(ag), _wgan_gp_step(torch)):
        np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-11)


def _maml(m: Any) -> list:
    """Two differentiable inner SGD steps, then the outer loss's gradient wrt the init."""
    rng = _rng(4)
    xs, ys = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    xq, yq = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    F = m.nn.functional
    params = _params(m, 5)
    fast = params
    for _ in range(2):
        inner = F.cross_entropy(_mlp(m, fast, m.tensor(xs)), m.tensor(ys))
        grads = m.autograd.grad(inner, fast, create_graph=True)
        fast = [p - 0.4 * g for p, g in zip(fast, grads)]
    outer = F.cross_entropy(_mlp(m, fast, m.tensor(xq)), m.tensor(yq)) + F.mse_loss(
        fast[0], m.zeros(5, 3, dtype=m.float64))
    outer.backward()
    return [_np(outer)] + [_np(p.grad) for p in params]


def test_maml_two_inner_steps_match_torch() -> None:
    for a, t in zip(_maml(ag), _maml(torch)):
        np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-11)


def test_create_graph_retains_the_graph_by_default() -> None:
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = (ag.exp(x) * x).sum()
    (g1,) = ag.autograd.grad(y, x, create_graph=True)
    (g2,) = ag.autograd.grad(y, x)  # the graph is still there: create_graph retained it
    np.testing.assert_allclose(_np(g1), _np(g2))


@pytest.mark.parametrize("m", [ag, torch], ids=["ours", "torch"])
def test_retain_graph_false_frees_under_create_graph(m: Any) -> None:
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    y = (m.exp(x) * x).sum()
    m.autograd.grad(y, x, create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        m.autograd.grad(y, x)


def test_without_create_graph_the_gradient_is_constant() -> None:
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad((x ** 3).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


def test_a_constant_seed_on_a_linear_graph_gives_a_constant_grad() -> None:
    for m in (ag, torch):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad((x * 2).sum(), x, create_graph=True)
        assert not g.requires_grad, m.__name__


def test_two_leaves_never_share_one_grad_tensor() -> None:
    a = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([2.0], dtype=ag.float64, requires_grad=True)
    (a + b).sum().backward(create_graph=True)
    a.grad.data.add_(10)
    assert b.grad.item() == 1.0


def test_op_without_a_formula_raises_when_differentiated_again() -> None:
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    y = (ag.einsum("ii->i", x) ** 2).sum()  # a diagonal einsum: no graph formula yet
    (g,) = ag.autograd.grad(y, x, create_graph=True)  # first order still works
    np.testing.assert_allclose(_np(g), [[2.0, 0.0], [0.0, 8.0]])
    assert g.requires_grad  # never silently detached
    with pytest.raises(RuntimeError, match="double backward is not supported for "
                                           "EinsumBackward0"):
        g.sum().backward()


def test_hooks_see_graph_tensors() -> None:
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.requires_grad))
    (g,) = ag.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert seen == [True] and g.requires_grad


def test_gradgradcheck_passes_and_catches_a_wrong_second_derivative() -> None:
    x = ag.tensor([0.4, -0.7], dtype=ag.float64, requires_grad=True)
    assert gradgradcheck(lambda t: ag.tanh(t) * t, (x,))

    class Square(ag.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t * t

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g * 2 * t.detach()  # right first order, detached second order

    from autograd_core.testing import GradcheckError

    with pytest.raises(GradcheckError):
        gradgradcheck(lambda t: Square.apply(t), (x,))


def test_gradgradcheck_refuses_unsupported_options_by_name() -> None:
    x = ag.tensor([0.4], dtype=ag.float64, requires_grad=True)
    with pytest.raises(TypeError, match="check_batched_grad"):
        gradgradcheck(lambda t: t * t, (x,), check_batched_grad=True)
