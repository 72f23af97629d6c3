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
    # Attention with a query whose every key is masked out has no graph formula yet (its
    # weights are all zero, so no log-softmax form): see the README's list.
    r = _rng(3)
    q = ag.tensor(r.standard_normal((1, 2, 3)), requires_grad=True)
    k, v = (ag.tensor(r.standard_normal((1, 2, 3))) for _ in range(2))
    mask = ag.tensor([[True, True], [False, False]])
    y = ag.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    (g,) = ag.autograd.grad((y ** 2).sum(), q, create_graph=True)  # first order still works
    assert np.isfinite(_np(g)).all()
    assert g.requires_grad  # never silently detached
    with pytest.raises(RuntimeError, match="double backward is not supported for "
                                           "ScaledDotProductAttentionBackward0"):
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


def _layer_cases() -> list:
    r = _rng(9)
    F = lambda m: m.nn.functional  # noqa: E731
    return [
        ("conv2d", lambda m, x, w, b: F(m).conv2d(x, w, b, stride=2, padding=1),
         [r.standard_normal((2, 3, 6, 5)), r.standard_normal((4, 3, 3, 3)),
          r.standard_normal(4)]),
        ("conv2d-dilated", lambda m, x, w: F(m).conv2d(x, w, padding=(1, 2), dilation=2),
         [r.standard_normal((2, 3, 6, 7)), r.standard_normal((4, 3, 2, 3))]),
        ("conv2d-groups", lambda m, x, w: F(m).conv2d(x, w, groups=2, padding=1),
         [r.standard_normal((2, 4, 5, 5)), r.standard_normal((6, 2, 3, 3))]),
        ("conv1d", lambda m, x, w, b: F(m).conv1d(x, w, b, padding=1),
         [r.standard_normal((2, 3, 6)), r.standard_normal((4, 3, 3)), r.standard_normal(4)]),
        ("layer_norm", lambda m, x, w, b: F(m).layer_norm(x, (5,), w, b),
         [r.standard_normal((3, 5)), r.standard_normal(5), r.standard_normal(5)]),
        ("batch_norm", lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True),
         [r.standard_normal((4, 3, 2)), r.standard_normal(3), r.standard_normal(3)]),
        ("embedding", lambda m, w: F(m).embedding(m.tensor([[0, 2, 2], [1, 0, 3]]), w,
                                                  padding_idx=1) ** 2,
         [r.standard_normal((4, 3))]),
        ("leaky_relu-elu-silu", lambda m, x: F(m).leaky_relu(x, 0.2) * F(m).elu(x) + F(m).silu(x),
         [r.standard_normal((3, 4))]),
        ("gelu-tanh", lambda m, x: F(m).gelu(x, approximate="tanh"), [r.standard_normal((3, 4))]),
        ("mse-l1", lambda m, x, y: F(m).mse_loss(x, y) + F(m).l1_loss(x * x, y, reduction="sum"),
         [r.standard_normal((3, 4)), r.standard_normal((3, 4))]),
        ("cross_entropy-smoothing", lambda m, x: F(m).cross_entropy(
            x, m.tensor([0, 3, 1]), weight=m.tensor([0.5, 1.0, 1.5, 0.7], dtype=m.float64),
            label_smoothing=0.1), [r.standard_normal((3, 4))]),
        ("cross_entropy-3d-none", lambda m, x: F(m).cross_entropy(
            x, m.tensor([[0, 2], [1, 1]]), reduction="none", ignore_index=2),
         [r.standard_normal((2, 3, 2))]),
        ("cross_entropy-soft", lambda m, x, t: F(m).cross_entropy(
            x, t.softmax(1), label_smoothing=0.2,
            weight=m.tensor([0.5, 1.0, 1.5, 0.7], dtype=m.float64)),
         [r.standard_normal((3, 4)), r.standard_normal((3, 4))]),
        ("cross_entropy-1d", lambda m, x: F(m).cross_entropy(x, m.tensor(2)),
         [r.standard_normal(4)]),
        ("cross_entropy-sum", lambda m, x: F(m).cross_entropy(
            x, m.tensor([2, 0, 1]), reduction="sum"), [r.standard_normal((3, 4))]),
        ("dropout", lambda m, x: m.nn.functional.dropout(x, 0.0) * x, [r.standard_normal(5)]),
        ("max_pool2d", lambda m, x: F(m).max_pool2d(x, 3, stride=2, padding=1) ** 2,
         [r.standard_normal((2, 3, 6, 5))]),
        ("max_pool1d", lambda m, x: F(m).max_pool1d(x, 2) ** 2, [r.standard_normal((2, 3, 6))]),
        ("avg_pool2d", lambda m, x: F(m).avg_pool2d(x, 3, stride=2, padding=1) ** 2,
         [r.standard_normal((2, 3, 6, 5))]),
        ("adaptive_pools", lambda m, x: F(m).adaptive_avg_pool2d(x, (2, 3)) ** 2
         + F(m).adaptive_max_pool2d(x, (2, 3)) ** 2, [r.standard_normal((2, 3, 6, 5))]),
        ("pad", lambda m, x: F(m).pad(x, (1, 2, 0, 1)) ** 2 + F(m).pad(x, (1, 2, 0, 1),
                                                                       mode="reflect") ** 2,
         [r.standard_normal((2, 3, 4))]),
        ("softplus-normalize", lambda m, x: F(m).softplus(x, beta=2.0) * F(m).normalize(x),
         [r.standard_normal((3, 4))]),
        ("smooth_l1-huber", lambda m, x, y: F(m).smooth_l1_loss(x, y, beta=0.5)
         + F(m).huber_loss(x, y, delta=0.7, reduction="sum"),
         [r.standard_normal((3, 4)), r.standard_normal((3, 4))]),
        ("mse-huber-broadcast", lambda m, x, y: F(m).mse_loss(x, y)
         + F(m).huber_loss(x * x, y.expand(3, 4), reduction="none").sum(),
         [r.standard_normal((3, 4)), r.standard_normal((1, 4))]),
        ("bce", lambda m, x, y: F(m).binary_cross_entropy(m.sigmoid(x), y),
         [r.standard_normal((3, 4)), r.uniform(0, 1, (3, 4))]),
        ("bce_with_logits", lambda m, x, y: F(m).binary_cross_entropy_with_logits(
            x, y, pos_weight=m.tensor([1.5, 1.0, 2.0, 0.5], dtype=m.float64)),
         [r.standard_normal((3, 4)), r.uniform(0, 1, (3, 4))]),
        ("attention-causal", lambda m, q, k, v: F(m).scaled_dot_product_attention(
            q, k, v, is_causal=True), [r.standard_normal((2, 3, 4)) for _ in range(3)]),
        ("attention-float-mask", lambda m, q, k, v, mk: F(m).scaled_dot_product_attention(
            q, k, v, attn_mask=mk), [r.standard_normal((2, 3, 4)), r.standard_normal((2, 5, 4)),
                                     r.standard_normal((2, 5, 4)), r.standard_normal((3, 5))]),
        ("nll_loss", lambda m, x: F(m).nll_loss(F(m).log_softmax(x, 1), m.tensor([[0, 2], [1, 1]]),
                                                 reduction="none"),
         [r.standard_normal((2, 3, 2))]),
        ("inplace-view-write", _inplace_view_write, [r.standard_normal((4, 3))]),
        ("copy_", lambda m, x, y: (m.zeros(2, 3, dtype=m.float64).copy_(y * y) * x),
         [r.standard_normal((2, 3)), r.standard_normal(3)]),
        ("rnn_cell-fused", _rnn_cell, [r.standard_normal((2, 3)), r.standard_normal((2, 4)),
                                        r.standard_normal((4, 3)), r.standard_normal((4, 4)),
                                        r.standard_normal(4), r.standard_normal(4)]),
        ("rnn", lambda m, x, h: _torch_rnn(x, h) if m is torch else _our_rnn(x, h),
         [r.standard_normal((2, 4, 3)), r.standard_normal((1, 2, 2))]),
    ]


def _inplace_view_write(m: Any, x: Any) -> Any:
    y = x * x
    y[1:3].mul_(3.0)  # an in-place write through a view: CopySlices on y
    return y * x


def _rnn_cell(m: Any, x: Any, h: Any, wi: Any, wh: Any, bi: Any, bh: Any) -> Any:
    if m is torch:
        return torch.tanh(x @ wi.t() + bi + h @ wh.t() + bh)
    from autograd_core.ops.recurrent import rnn_cell

    return rnn_cell(x, h, wi, wh, bi, bh, relu=False)  # the fused op the GPU path uses


def _torch_rnn(x: Any, h: Any) -> Any:
    torch.manual_seed(0)
    return torch.nn.RNN(3, 2, batch_first=True).double()(x, h)[0]


def _our_rnn(x: Any, h: Any) -> Any:
    torch.manual_seed(0)
    ref = torch.nn.RNN(3, 2, batch_first=True).double()
    rnn = ag.nn.RNN(3, 2, batch_first=True).double()
    for p, q in zip(rnn.parameters(), ref.parameters()):
        p.data = ag.tensor(q.detach().numpy())
    return rnn(x, h)[0]


@pytest.mark.parametrize("case", _layer_cases(), ids=lambda c: c[0])
def test_layer_second_derivatives_match_torch(case: tuple) -> None:
    _, fn, arrays = case
    res = []
    for m in (ag, torch):
        xs = [m.tensor(a, requires_grad=True) for a in arrays]
        out = fn(m, *xs)
        w = m.tensor(_rng(1).standard_normal(tuple(out.shape)))
        gs = m.autograd.grad((out * w).sum(), xs, create_graph=True)
        dot = sum((g * m.tensor(_rng(2 + i).standard_normal(tuple(g.shape)))).sum()
                  for i, g in enumerate(gs))
        res.append([None if h is None else _np(h)
                    for h in m.autograd.grad(dot, xs, allow_unused=True)])
    for i, (a, t) in enumerate(zip(*res)):
        assert (a is None) == (t is None), f"input {i}"
        if a is not None:
            np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-11, err_msg=f"input {i}")


def test_embedding_scale_grad_by_freq_refuses_double_backward() -> None:
    w = ag.tensor(_rng(6).standard_normal((4, 3)), requires_grad=True)
    y = ag.nn.functional.embedding(ag.tensor([[0, 2, 2], [1, 0, 3]]), w,
                                   scale_grad_by_freq=True)
    (g,) = ag.autograd.grad((y ** 2).sum(), w, create_graph=True)
    with pytest.raises(RuntimeError, match="double backward is not supported for "
                                           "EmbeddingBackward0"):
        g.sum().backward()


@pytest.mark.parametrize("case", _layer_cases()[:7], ids=lambda c: c[0])
def test_layer_gradgradcheck(case: tuple) -> None:
    _, fn, arrays = case
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    assert gradgradcheck(lambda *ts: fn(ag, *ts), xs)


def test_a_recorded_gradient_penalty_step_captures_and_matches_unrecorded() -> None:
    from autograd_core import trace

    def step() -> list:
        params = _params(ag, 8)
        x = ag.tensor(_rng(8).standard_normal((4, 3)), requires_grad=True)
        (g,) = ag.autograd.grad(_mlp(ag, params, x).sum(), x, create_graph=True)
        loss = (g.norm(2, dim=1) ** 2).mean()
        loss.backward()
        # The last bias does not move the input gradient: no .grad, as in PyTorch.
        assert params[-1].grad is None
        return [_np(p.grad) for p in params[:-1]]

    plain = step()
    with trace.record(stats="basic") as rec:
        recorded = step()
        rec.next_iteration()
    for a, b in zip(plain, recorded):
        np.testing.assert_array_equal(a, b)
    cap = rec.captures[-1]
    assert len(cap.nodes) > 0 and cap.backward  # the backward nodes were seen


def test_custom_function_backward_is_differentiated_like_torch() -> None:
    """A user Function whose backward is written with Tensor ops gets a second derivative."""
    results = []
    for m in (ag, torch):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * x * x
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                ctx.seen = True  # attributes may be set on ctx in backward
                return g * 3 * y / x

        x = m.tensor([0.5, -1.5], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        results.append((_np(g), _np(gg)))
    for a, t in zip(*results):
        np.testing.assert_allclose(a, t, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["relu", "abs", "clamp", "leaky_relu", "hardtanh",
                                  "max_pool2d", "adaptive_max_pool2d", "where", "sign"])
def test_piecewise_gradients_require_grad_as_in_torch(name: str) -> None:
    """With only x requiring grad and a constant seed, PyTorch's relu/abs/max-pool gradients
    still require grad (their backward reads x or the result), with a zero second
    derivative; clamp/where/sign gradients do not."""
    fns = {
        "relu": lambda m, x: m.relu(x), "abs": lambda m, x: m.abs(x),
        "clamp": lambda m, x: m.clamp(x, -0.5, 0.5),
        "leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, 0.1),
        "hardtanh": lambda m, x: m.nn.functional.hardtanh(x),
        "max_pool2d": lambda m, x: m.nn.functional.max_pool2d(x.reshape(1, 1, 4, 4), 2),
        "adaptive_max_pool2d": lambda m, x: m.nn.functional.adaptive_max_pool2d(
            x.reshape(1, 1, 4, 4), 2),
        "where": lambda m, x: m.where(x > 0, x, 0.0), "sign": lambda m, x: m.sign(x),
    }
    got = []
    for m in (ag, torch):
        x = m.tensor(_rng(5).standard_normal(16), requires_grad=True)
        (g,) = m.autograd.grad(fns[name](m, x).sum(), x, create_graph=True)
        second = None
        if g.requires_grad:
            (h,) = m.autograd.grad(g.sum(), x, allow_unused=True)
            if getattr(h, "_is_zerotensor", lambda: False)():
                h = m.zeros_like(x)  # torch's zero tensor without storage
            second = None if h is None else _np(h)
        got.append((g.requires_grad, _np(g), second))
    (ra, ga, sa), (rt, gt, st) = got
    assert ra == rt
    np.testing.assert_allclose(ga, gt, rtol=RTOL, atol=ATOL)
    if st is not None:
        np.testing.assert_allclose(sa, st, atol=ATOL)


@pytest.mark.parametrize("create_graph", [False, True])
def test_backward_inputs_and_retain_grad_match_torch(create_graph: bool) -> None:
    got = []
    for m in (ag, torch):
        x = m.tensor([0.3, -0.8], dtype=m.float64, requires_grad=True)
        w = m.tensor([1.5, 0.5], dtype=m.float64, requires_grad=True)
        h = m.tanh(x * w)
        h.retain_grad()
        (h ** 3).sum().backward(create_graph=create_graph, inputs=[x, h])  # h's grad once
        assert w.grad is None
        if not create_graph:
            got.append((_np(x.grad), _np(h.grad)))
            continue
        assert x.grad.requires_grad and h.grad.requires_grad
        (gx,) = m.autograd.grad((x.grad * h.grad).sum(), w)
        got.append((_np(x.grad), _np(h.grad), _np(gx)))
    for a, t in zip(*got):
        np.testing.assert_allclose(a, t, rtol=RTOL, atol=ATOL)


def test_grad_mode_is_restored_after_a_failing_double_backward() -> None:
    w = ag.tensor(_rng(6).standard_normal((4, 3)), requires_grad=True)
    y = ag.nn.functional.embedding(ag.tensor([0, 2, 2]), w, scale_grad_by_freq=True)
    (g,) = ag.autograd.grad((y ** 2).sum(), w, create_graph=True)
    total = g.sum()
    with ag.no_grad():
        with pytest.raises(RuntimeError, match="double backward is not supported"):
            ag.autograd.grad(total, w)
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
