"""Losses against PyTorch with every option: weights, ignore_index, smoothing, reductions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

R = np.random.default_rng(11)
REDUCTIONS = ["mean", "sum", "none"]
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


def _weight_pair(weight: np.ndarray | None, dtype) -> tuple:
    if weight is None:
        return None, None
    return ag.tensor(weight.astype(dtype)), torch.tensor(weight.astype(dtype))


CE_SHAPES = {"1d": ((5,), ()), "2d": ((6, 5), (6,)), "kdim": ((3, 5, 2, 4), (3, 2, 4))}


@DTYPES
@pytest.mark.parametrize("shape", list(CE_SHAPES))
@pytest.mark.parametrize(("weighted", "ignore", "smoothing"),
                         list(itertools.product([False, True], [False, True], [0.0, 0.2])))
def test_cross_entropy_class_indices(shape, weighted, ignore, smoothing, dtype, check) -> None:
    x_shape, t_shape = CE_SHAPES[shape]
    target = R.integers(0, 5, size=t_shape)
    ignore_index = -100
    if ignore and target.ndim:
        ignore_index = int(target.reshape(-1)[0])  # a real class, used by some targets
    weight = R.uniform(0.5, 2.0, 5) if weighted else None
    w_ours, w_torch = _weight_pair(weight, dtype)
    for reduction in REDUCTIONS:
        kw = {"ignore_index": ignore_index, "reduction": reduction,
              "label_smoothing": smoothing}
        check(lambda x, t, kw=kw: F.cross_entropy(x, t, w_ours, **kw),
              lambda x, t, kw=kw: TF.cross_entropy(x, t, w_torch, **kw),
              [R.standard_normal(x_shape) * 2, np.asarray(target)], dtype)


@DTYPES
@pytest.mark.parametrize("shape", ["1d", "2d", "kdim"])
@pytest.mark.parametrize(("weighted", "smoothing"),
                         list(itertools.product([False, True], [0.0, 0.3])))
def test_cross_entropy_class_probabilities(shape, weighted, smoothing, dtype, check) -> None:
    x_shape, _ = CE_SHAPES[shape]
    probs = R.uniform(size=x_shape)
    probs /= probs.sum(axis=0 if len(x_shape) == 1 else 1, keepdims=True)
    weight = R.uniform(0.5, 2.0, 5) if weighted else None
    w_ours, w_torch = _weight_pair(weight, dtype)
    for reduction in REDUCTIONS:
        kw = {"reduction": reduction, "label_smoothing": smoothing}
        # Both the logits and the target probabilities get gradients.
        check(lambda x, p, kw=kw: F.cross_entropy(x, p, w_ours, **kw),
              lambda x, p, kw=kw: TF.cross_entropy(x, p, w_torch, **kw),
              [R.standard_normal(x_shape), probs], dtype)


def test_cross_entropy_all_ignored_mean_is_nan_like_torch() -> None:
    x = R.standard_normal((3, 4))
    t = np.array([1, 1, 1])
    ours = F.cross_entropy(ag.tensor(x), ag.tensor(t), ignore_index=1)
    theirs = TF.cross_entropy(torch.tensor(x), torch.tensor(t), ignore_index=1)
    assert np.isnan(ours.item()) and np.isnan(theirs.item())


def test_cross_entropy_errors() -> None:
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(ag.randn(2, 5), ag.tensor([1, 7]))
    with pytest.raises(ValueError, match="batch_size"):
        F.cross_entropy(ag.randn(3, 5), ag.tensor([1, 2]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(ag.randn(2, 5), ag.tensor([1, 2]), reduction="avg")


def test_cross_entropy_is_one_fused_node() -> None:
    x = ag.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([0, 1, 2, 0]))
    assert loss.grad_fn.name() == "CrossEntropyBackward0"
    assert loss.dtype == ag.float32


@DTYPES
@pytest.mark.parametrize("shape", ["1d", "2d", "kdim"])
@pytest.mark.parametrize(("weighted", "ignore"),
                         list(itertools.product([False, True], [False, True])))
def test_nll_loss(shape, weighted, ignore, dtype, check) -> None:
    x_shape, t_shape = CE_SHAPES[shape]
    target = R.integers(0, 5, size=t_shape)
    ignore_index = int(target.reshape(-1)[0]) if ignore and target.ndim else -100
    weight = R.uniform(0.5, 2.0, 5) if weighted else None
    w_ours, w_torch = _weight_pair(weight, dtype)
    for reduction in REDUCTIONS:
        kw = {"ignore_index": ignore_index, "reduction": reduction}
        check(lambda x, t, kw=kw: F.nll_loss(F.log_softmax(x, 0 if x.ndim == 1 else 1), t,
                                             w_ours, **kw),
              lambda x, t, kw=kw: TF.nll_loss(TF.log_softmax(x, 0 if x.ndim == 1 else 1), t,
                                              w_torch, **kw),
              [R.standard_normal(x_shape), np.asarray(target)], dtype)


POINTWISE = [
    ("mse", F.mse_loss, TF.mse_loss, {}),
    ("l1", F.l1_loss, TF.l1_loss, {}),
    ("smooth_l1", F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.5}),
    ("smooth_l1_beta0", F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.0}),
    ("huber", F.huber_loss, TF.huber_loss, {"delta": 0.7}),
]


@DTYPES
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), POINTWISE, ids=[p[0] for p in POINTWISE])
def test_pointwise_losses(name, ours, theirs, kw, reduction, dtype, check) -> None:
    check(lambda x, y: ours(x, y, reduction=reduction, **kw),
          lambda x, y: theirs(x, y, reduction=reduction, **kw),
          [R.standard_normal((4, 5)), R.standard_normal((4, 5))], dtype)


@DTYPES
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted, dtype, check) -> None:
    weight = R.uniform(0.5, 2, (4, 3)) if weighted else None
    w_ours, w_torch = _weight_pair(weight, dtype)
    probs = R.uniform(0.02, 0.98, (4, 3))
    check(lambda p, y: F.binary_cross_entropy(p, y, w_ours, reduction=reduction),
          lambda p, y: TF.binary_cross_entropy(p, y, w_torch, reduction=reduction),
          [probs, R.uniform(size=(4, 3))], dtype)


def test_binary_cross_entropy_clamps_log_at_minus_100() -> None:
    p = ag.tensor([0.0, 1.0, 0.5], dtype=ag.float64)
    y = ag.tensor([1.0, 0.0, 1.0], dtype=ag.float64)
    ref = TF.binary_cross_entropy(torch.tensor([0.0, 1.0, 0.5], dtype=torch.float64),
                                  torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64))
    np.testing.assert_allclose(F.binary_cross_entropy(p, y).item(), ref.item())
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), ag.tensor([1.0]))


@DTYPES
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("weighted", "pos_weighted"),
                         list(itertools.product([False, True], [False, True])))
def test_bce_with_logits(reduction, weighted, pos_weighted, dtype, check) -> None:
    weight = R.uniform(0.5, 2, (3,)) if weighted else None
    pos = R.uniform(0.5, 3, (3,)) if pos_weighted else None
    w_ours, w_torch = _weight_pair(weight, dtype)
    p_ours, p_torch = _weight_pair(pos, dtype)
    check(lambda x, y: F.binary_cross_entropy_with_logits(x, y, w_ours, reduction=reduction,
                                                          pos_weight=p_ours),
          lambda x, y: TF.binary_cross_entropy_with_logits(x, y, w_torch, reduction=reduction,
                                                           pos_weight=p_torch),
          [R.standard_normal((4, 3)) * 5, R.uniform(size=(4, 3))], dtype)


def test_bce_with_logits_is_stable_for_huge_logits() -> None:
    x = ag.tensor([1000.0, -1000.0], dtype=ag.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, ag.tensor([0.0, 1.0], dtype=ag.float64))
    loss.backward()
    assert loss.item() == pytest.approx(1000.0)
    np.testing.assert_allclose(x.grad.cpu().numpy(), [0.5, -0.5])


def test_loss_modules_forward_their_options() -> None:
    x = R.standard_normal((6, 4))
    t = np.array([0, 1, 2, 3, 1, 1])
    w = R.uniform(0.5, 2, 4)
    ours = nn.CrossEntropyLoss(weight=ag.tensor(w), ignore_index=2, label_smoothing=0.1,
                               reduction="sum")(ag.tensor(x), ag.tensor(t))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), ignore_index=2,
                                       label_smoothing=0.1,
                                       reduction="sum")(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-10)
    y = R.standard_normal((6, 4))
    for ours_cls, torch_cls in [(nn.MSELoss, torch.nn.MSELoss), (nn.L1Loss, torch.nn.L1Loss),
                                (nn.SmoothL1Loss, torch.nn.SmoothL1Loss),
                                (nn.HuberLoss, torch.nn.HuberLoss)]:
        a = ours_cls(reduction="sum")(ag.tensor(x), ag.tensor(y)).item()
        b = torch_cls(reduction="sum")(torch.tensor(x), torch.tensor(y)).item()
        np.testing.assert_allclose(a, b, rtol=1e-10)
    pw = R.uniform(1, 2, 4)
    a = nn.BCEWithLogitsLoss(pos_weight=ag.tensor(pw))(ag.tensor(x), ag.tensor(y > 0).float()
                                                       .double())
    b = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw))(
        torch.tensor(x), torch.tensor(y > 0).double())
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-10)
    logp = F.log_softmax(ag.tensor(x), 1)
    a = nn.NLLLoss(reduction="none")(logp, ag.tensor(t)).cpu().numpy()
    b = torch.nn.NLLLoss(reduction="none")(TF.log_softmax(torch.tensor(x), 1),
                                           torch.tensor(t)).cpu().numpy()
    np.testing.assert_allclose(a, b, rtol=1e-10)
    a = nn.BCELoss()(ag.tensor(x).sigmoid(), ag.tensor(y > 0).double()).item()
    b = torch.nn.BCELoss()(torch.tensor(x).sigmoid(), torch.tensor(y > 0).double()).item()
    np.testing.assert_allclose(a, b, rtol=1e-10)


def test_legacy_size_average_reduce_flags() -> None:
    x, y = R.standard_normal(5), R.standard_normal(5)
    a = F.mse_loss(ag.tensor(x), ag.tensor(y), size_average=False).item()
    np.testing.assert_allclose(a, ((x - y) ** 2).sum())
    assert F.mse_loss(ag.tensor(x), ag.tensor(y), reduce=False).shape == (5,)

