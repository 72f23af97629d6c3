"""Convolution and pooling: forward and every gradient against PyTorch, central differences,
PyTorch's error messages, and the nn layers' parameters and defaults."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn
from autograd_core.testing.gradcheck import gradcheck

RNG = np.random.default_rng(1234)
TOL = {np.float64: 1e-10, np.float32: 2e-5}


def _torch() -> Any:
    return pytest.importorskip("torch")


def _same(name: str, arrays: list, *args: Any, dtype: Any = np.float64, **kwargs: Any) -> None:
    """Compare F.<name>(*arrays, *args, **kwargs) with torch.nn.functional.<name>(...)."""
    tf = getattr(_torch().nn.functional, name)
    ours = getattr(F, name)
    _compare(lambda *t: ours(*t, *args, **kwargs), lambda *t: tf(*t, *args, **kwargs), arrays,
             dtype)


def _compare(ours_fn: Any, torch_fn: Any, arrays: list, dtype: Any = np.float64) -> None:
    """Run both with the same inputs and an upstream gradient; compare outputs and grads."""
    torch = _torch()
    tol = TOL[np.dtype(dtype).type]
    arrays = [None if a is None else a.astype(dtype) for a in arrays]
    ours = [None if a is None else ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours_fn(*ours), torch_fn(*theirs)
    if isinstance(ty, tuple):  # (values, indices)
        np.testing.assert_array_equal(y[1].cpu().numpy(), ty[1].cpu().numpy())
        y, ty = y[0], ty[0]
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.detach().cpu().numpy(), ty.detach().cpu().numpy(), atol=tol,
                               rtol=tol)
    g = RNG.standard_normal(tuple(ty.shape)).astype(dtype)
    (y * ag.tensor(g)).sum().backward()
    ty.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad.cpu().numpy(), ta.grad.cpu().numpy(), atol=tol * 10,
                                       rtol=tol * 10)


# ------------------------------------------------------------------ conv
CONV_GRID = list(itertools.product((1, 2), (0, 1, "same", "valid"), (1, 2), (1, 2), (True, False)))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("nd", [1, 2])
def test_conv_matches_torch_over_the_grid(nd: int) -> None:
    for stride, padding, dilation, groups, bias in CONV_GRID:
        if padding == "same" and stride > 1:
            continue
        k = 3 if bias else 1 + stride  # kernels 1, 2 and 3 across the grid
        x = RNG.standard_normal((2, 4) + (7,) * nd)
        w = RNG.standard_normal((6, 4 // groups) + (k,) * nd)
        b = RNG.standard_normal(6) if bias else None
        _same(f"conv{nd}d", [x, w, b], stride, padding, dilation, groups)


@pytest.mark.parametrize("shape,kernel,kw", [
    ((32, 1, 28, 28), 3, {"padding": 1}),           # the W4 first layer (small C_in)
    ((4, 8, 14, 14), 3, {"padding": 1}),
    ((2, 3, 9, 11), (2, 4), {"stride": (2, 3), "padding": (1, 2)}),
    ((2, 4, 8, 8), 3, {"padding": "same", "dilation": 2}),
    ((2, 6, 8, 8), 3, {"groups": 6}),               # depthwise
])
def test_conv2d_float32_matches_torch(shape: tuple, kernel: Any, kw: dict) -> None:
    cin = shape[1]
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    w = RNG.standard_normal((8 if "groups" not in kw else cin, cin // kw.get("groups", 1), *k))
    torch = _torch()
    _compare(lambda x, w, b: F.conv2d(x, w, b, **kw),
             lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw),
             [RNG.standard_normal(shape), w, RNG.standard_normal(w.shape[0])], np.float32)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv_same_padding_with_even_kernel_pads_right() -> None:
    torch = _torch()
    _compare(lambda x, w: F.conv2d(x, w, padding="same"),
             lambda x, w: torch.nn.functional.conv2d(x, w, padding="same"),
             [RNG.standard_normal((1, 2, 5, 6)), RNG.standard_normal((3, 2, 4, 2))])


def test_conv_unbatched_input() -> None:
    torch = _torch()
    _compare(lambda x, w: F.conv2d(x, w, padding=1),
             lambda x, w: torch.nn.functional.conv2d(x, w, padding=1),
             [RNG.standard_normal((2, 5, 5)), RNG.standard_normal((3, 2, 3, 3))])


def test_conv_with_large_windows_matrix_rebuilds_it_in_backward(monkeypatch: Any) -> None:
    from autograd_core.ops import conv as conv_ops

    monkeypatch.setattr(conv_ops, "_KEEP_COL_BYTES", 0)  # every conv counts as large
    for stride, padding in ((1, 1), (2, 0)):
        _same("conv2d", [RNG.standard_normal((2, 4, 7, 6)), RNG.standard_normal((6, 2, 3, 3)),
                         RNG.standard_normal(6)], stride, padding, 1, 2)


def test_conv_gradcheck_float64() -> None:
    x = ag.tensor(RNG.standard_normal((2, 4, 5, 6)), requires_grad=True)
    w = ag.tensor(RNG.standard_normal((4, 2, 3, 2)), requires_grad=True)
    b = ag.tensor(RNG.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2),
                     (x, w, b))
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=(1, 0), dilation=(2, 1)),
                     (x, ag.tensor(RNG.standard_normal((3, 4, 2, 2)), requires_grad=True),
                      ag.tensor(RNG.standard_normal(3), requires_grad=True)))
    x1 = ag.tensor(RNG.standard_normal((2, 3, 9)), requires_grad=True)
    w1 = ag.tensor(RNG.standard_normal((2, 3, 3)), requires_grad=True)
    assert gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=2, dilation=2), (x1, w1))


def test_conv_wrong_channel_count_names_weight_and_input_shapes() -> None:
    x = ag.randn(1, 3, 8, 8)
    w = ag.randn(8, 1, 3, 3)
    with pytest.raises(RuntimeError) as err:
        F.conv2d(x, w)
    assert str(err.value) == (
        "Given groups=1, weight of size [8, 1, 3, 3], expected input[1, 3, 8, 8] to have 1 "
        "channels, but got 3 channels instead")


def test_conv_bad_input_errors() -> None:
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D"):
        F.conv2d(ag.randn(3, 8), ag.randn(1, 3, 3, 3))
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.conv2d(ag.randn(1, 1, 2, 2), ag.randn(1, 1, 3, 3))
    with pytest.raises(RuntimeError, match="not supported for strided"):  # torch's class
        F.conv2d(ag.randn(1, 1, 5, 5), ag.randn(1, 1, 3, 3), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="bias"):
        F.conv2d(ag.randn(1, 1, 5, 5), ag.randn(2, 1, 3, 3), ag.randn(3))


def test_conv2d_module_defaults_and_init() -> None:
    m = nn.Conv2d(4, 8, 3, padding=1)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert tuple(m.weight.shape) == (8, 4, 3, 3) and m.kernel_size == (3, 3)
    bound = 1 / math.sqrt(4 * 9)  # kaiming_uniform(a=sqrt(5)) gives U(+-1/sqrt(fan_in))
    assert np.abs(m.weight.detach().cpu().numpy()).max() <= bound
    assert np.abs(m.bias.detach().cpu().numpy()).max() <= bound
    assert repr(m) == "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert tuple(m(ag.randn(2, 4, 6, 6)).shape) == (2, 8, 6, 6)
    assert nn.Conv2d(2, 4, 3, bias=False, groups=2).bias is None
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv_modules_match_torch_with_copied_weights() -> None:
    torch = _torch()
    for ours, theirs, shape in [
        (nn.Conv1d(3, 5, 3, stride=2, padding=1), torch.nn.Conv1d(3, 5, 3, stride=2, padding=1),
         (2, 3, 10)),
        (nn.Conv2d(3, 4, (3, 2), padding="same", padding_mode="zeros"),
         torch.nn.Conv2d(3, 4, (3, 2), padding="same"), (2, 3, 6, 7)),
        (nn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"),
         torch.nn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"), (2, 2, 5, 5)),
        (nn.Conv2d(2, 3, (2, 3), padding="same", padding_mode="circular"),
         torch.nn.Conv2d(2, 3, (2, 3), padding="same", padding_mode="circular"), (1, 2, 5, 6)),
    ]:
        theirs = theirs.double()
        for (_, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
            p.data = ag.tensor(tp.detach().cpu().numpy().copy())
        x = RNG.standard_normal(shape)
        tx = torch.tensor(x, requires_grad=True)
        ax = ag.tensor(x, requires_grad=True)
        y, ty = ours(ax), theirs(tx)
        np.testing.assert_allclose(y.detach().cpu().numpy(), ty.detach().cpu().numpy(), atol=1e-10)
        (y * y).sum().backward()
        (ty * ty).sum().backward()
        np.testing.assert_allclose(ax.grad.cpu().numpy(), tx.grad.cpu().numpy(), atol=1e-9)
        for p, tp in zip(ours.parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad.cpu().numpy(), tp.grad.cpu().numpy(), atol=1e-9)


# ------------------------------------------------------------------ pooling
POOL_GRID = [(k, s, p, d, ceil) for k, s, p, d, ceil in
             itertools.product((2, 3), (None, 1, 2), (0, 1), (1, 2), (False, True))
             if p <= k // 2]


def test_max_pool2d_matches_torch_including_ties() -> None:
    x = RNG.standard_normal((2, 3, 7, 8))
    for data in (x, np.maximum(x, 0), np.round(x)):  # relu-like zeros and rounding give ties
        for k, s, p, d, ceil in POOL_GRID:
            _same("max_pool2d", [data], k, s, p, d, ceil, True)


def test_avg_pool2d_matches_torch() -> None:
    x = RNG.standard_normal((2, 3, 7, 8))
    for (k, s, p, _, ceil), include in itertools.product(POOL_GRID, (True, False)):
        _same("avg_pool2d", [x], k, s, p, ceil, include)
    _same("avg_pool2d", [x], 3, 2, 1, True, True, 4)


def test_pool1d_and_unbatched_match_torch() -> None:
    torch = _torch()
    tf = torch.nn.functional
    x = RNG.standard_normal((2, 3, 9))
    _compare(lambda t: F.max_pool1d(t, 3, 2, 1, 1, True, True),
             lambda t: tf.max_pool1d(t, 3, 2, 1, 1, True, True), [x])
    _compare(lambda t: F.avg_pool1d(t, 2, 1, 1, False, False),
             lambda t: tf.avg_pool1d(t, 2, 1, 1, False, False), [x])
    _compare(lambda t: F.max_pool2d(t, 2), lambda t: tf.max_pool2d(t, 2), [x])  # (C, H, W)
    _compare(lambda t: F.adaptive_avg_pool1d(t, 4), lambda t: tf.adaptive_avg_pool1d(t, 4), [x])


@pytest.mark.parametrize("out", [1, (3, 5), (5, 3), (7, None), (4, 4), (2, 9)])
def test_adaptive_avg_pool2d_odd_sizes_match_torch(out: Any) -> None:
    torch = _torch()
    _compare(lambda t: F.adaptive_avg_pool2d(t, out),
             lambda t: torch.nn.functional.adaptive_avg_pool2d(t, out),
             [RNG.standard_normal((2, 3, 7, 9))])


@pytest.mark.parametrize("out", [1, (3, 5), (7, None), (2, 9)])
def test_adaptive_max_pool_matches_torch(out: Any) -> None:
    x = RNG.standard_normal((2, 3, 7, 9))
    for data in (x, np.maximum(x, 0)):
        _same("adaptive_max_pool2d", [data], out, True)
    _same("adaptive_max_pool1d", [x[0]], 4, True)


def test_max_pool_float32_fast_path_matches_torch() -> None:
    torch = _torch()
    x = np.maximum(RNG.standard_normal((32, 8, 28, 28)), 0)
    _compare(lambda t: F.max_pool2d(t, 2), lambda t: torch.nn.functional.max_pool2d(t, 2), [x],
             np.float32)


def test_max_pool_gradient_goes_to_one_max_per_window() -> None:
    x = ag.tensor(np.zeros((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.cpu().numpy().ravel().tolist() == [1.0, 0.0, 0.0, 0.0]


def test_max_pool_propagates_nan() -> None:
    x = ag.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]])
    assert np.isnan(F.max_pool2d(x, 2).item())


def test_pooling_gradcheck_float64() -> None:
    x = ag.tensor(RNG.standard_normal((2, 2, 6, 7)), requires_grad=True)
    assert gradcheck(lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True), (x,))
    assert gradcheck(lambda t: F.max_pool2d(t, 2, 1, dilation=2), (x,))
    assert gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True,
                                            count_include_pad=False), (x,))
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (4, 3)), (x,))
    assert gradcheck(lambda t: F.adaptive_max_pool2d(t, (4, 3)), (x,))


def test_pooling_bad_input_errors() -> None:
    with pytest.raises(RuntimeError, match="pad should be smaller than or equal to half"):
        F.max_pool2d(ag.randn(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.max_pool2d(ag.randn(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="Expected 3D or 4D"):
        F.max_pool2d(ag.randn(4, 4), 2)


def test_pooling_modules() -> None:
    x = ag.randn(2, 3, 8, 8)
    assert tuple(nn.MaxPool2d(2)(x).shape) == (2, 3, 4, 4)
    assert tuple(nn.AvgPool2d(3, stride=2, padding=1)(x).shape) == (2, 3, 4, 4)
    assert tuple(nn.AdaptiveAvgPool2d(1)(x).shape) == (2, 3, 1, 1)
    assert tuple(nn.AdaptiveAvgPool2d((2, None))(x).shape) == (2, 3, 2, 8)
    assert tuple(nn.MaxPool1d(2)(ag.randn(2, 3, 8)).shape) == (2, 3, 4)
    assert tuple(nn.AvgPool1d(2)(ag.randn(2, 3, 8)).shape) == (2, 3, 4)
    assert tuple(nn.AdaptiveAvgPool1d(3)(ag.randn(2, 3, 8)).shape) == (2, 3, 3)
    assert tuple(nn.AdaptiveMaxPool2d((2, 3))(x).shape) == (2, 3, 2, 3)
    assert tuple(nn.AdaptiveMaxPool1d(3)(ag.randn(2, 3, 8)).shape) == (2, 3, 3)
    _, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert idx.dtype == ag.int64 and tuple(idx.shape) == (2, 3, 4, 4)
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")


def test_small_cnn_trains_like_torch() -> None:
    """The W4 model: a few SGD steps from the same weights give the same losses."""
    torch = _torch()
    torch.manual_seed(0)
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(6 * 4, 3))
    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(6 * 4, 3))
    for p, tp in zip(m.parameters(), tm.parameters()):
        p.data = ag.tensor(tp.detach().cpu().numpy().copy())
    x = RNG.standard_normal((5, 1, 8, 8)).astype(np.float32)
    y = RNG.integers(0, 3, 5)
    opt = ag.optim.SGD(m.parameters(), lr=0.1)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    for _ in range(3):
        loss = F.cross_entropy(m(ag.tensor(x)), ag.tensor(y))
        tloss = torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(y))
        assert abs(loss.item() - tloss.item()) < 1e-5
        opt.zero_grad()
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss.backward()
        topt.step()
