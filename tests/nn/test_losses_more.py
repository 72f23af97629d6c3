"""Margin, embedding and likelihood losses against PyTorch: values and float64 gradients
for every reduction, gradcheck, second derivatives, errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.testing import gradcheck, gradgradcheck

from .conftest import check_against_torch

torch = pytest.importorskip("torch")
tn = torch.nn

R = np.random.default_rng(23)
REDUCTIONS = ["mean", "sum", "none"]
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


def signs(*shape):
    return np.where(R.random(shape) < 0.5, -1.0, 1.0)


# (name, module factory given nn and reduction, arrays: float inputs get gradients)
CASES = [
    ("soft_margin", lambda m, r: m.SoftMarginLoss(reduction=r),
     lambda: [R.standard_normal((4, 3)), signs(4, 3)]),
    ("multilabel_soft_margin", lambda m, r: m.MultiLabelSoftMarginLoss(reduction=r),
     lambda: [R.standard_normal((4, 5)), (R.random((4, 5)) < 0.5).astype(float)]),
    ("multi_margin", lambda m, r: m.MultiMarginLoss(reduction=r),
     lambda: [R.standard_normal((6, 4)), R.integers(0, 4, (6,))]),
    ("multi_margin_p2", lambda m, r: m.MultiMarginLoss(p=2, margin=0.7, reduction=r),
     lambda: [R.standard_normal((6, 4)), R.integers(0, 4, (6,))]),
    ("multi_margin_1d", lambda m, r: m.MultiMarginLoss(reduction=r),
     lambda: [R.standard_normal((4,)), np.array(2)]),
    ("cosine_embedding", lambda m, r: m.CosineEmbeddingLoss(0.2, reduction=r),
     lambda: [R.standard_normal((5, 3)), R.standard_normal((5, 3)), signs(5)]),
    ("margin_ranking", lambda m, r: m.MarginRankingLoss(0.3, reduction=r),
     lambda: [R.standard_normal(6), R.standard_normal(6), signs(6)]),
    ("hinge_embedding", lambda m, r: m.HingeEmbeddingLoss(reduction=r),
     lambda: [R.standard_normal((4, 3)), signs(4, 3)]),
    ("poisson_nll", lambda m, r: m.PoissonNLLLoss(reduction=r),
     lambda: [R.standard_normal((4, 3)), R.poisson(2.0, (4, 3)).astype(float)]),
    ("poisson_nll_full_rate", lambda m, r: m.PoissonNLLLoss(log_input=False, full=True,
                                                            reduction=r),
     lambda: [R.random((4, 3)) + 0.5, R.poisson(2.0, (4, 3)).astype(float)]),
    ("gaussian_nll", lambda m, r: m.GaussianNLLLoss(reduction=r),
     lambda: [R.standard_normal((4, 3)), R.standard_normal((4, 3)), R.random((4, 3)) + 0.1]),
    ("gaussian_nll_full_hetero", lambda m, r: m.GaussianNLLLoss(full=True, eps=0.3,
                                                                reduction=r),
     lambda: [R.standard_normal((4, 3)), R.standard_normal((4, 3)), R.random((4, 1))]),
    ("smooth_l1_beta", lambda m, r: m.SmoothL1Loss(reduction=r, beta=0.5),
     lambda: [R.standard_normal((4, 3)), R.standard_normal((4, 3))]),
    ("huber_delta", lambda m, r: m.HuberLoss(reduction=r, delta=0.4),
     lambda: [R.standard_normal((4, 3)), R.standard_normal((4, 3))]),
]
NO_TARGET_GRAD = {"soft_margin", "hinge_embedding", "cosine_embedding", "margin_ranking",
                  "multilabel_soft_margin", "poisson_nll", "poisson_nll_full_rate"}


@DTYPES
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "make", "arrays"), CASES, ids=[c[0] for c in CASES])
def test_loss_matches_torch(name, make, arrays, reduction, dtype) -> None:
    arrs = arrays()
    if name in NO_TARGET_GRAD:  # targets are labels here: pass them as non-float constants
        n_float = 2 if name in ("cosine_embedding", "margin_ranking") else 1
        arrs = arrs[:n_float] + [a.astype(np.int64) if "multilabel" not in name
                                 and "poisson" not in name else a for a in arrs[n_float:]]
    ours, theirs = make(nn, reduction), make(tn, reduction)
    assert repr(ours) == repr(theirs)
    if name in NO_TARGET_GRAD and arrs[-1].dtype.kind == "f":
        # a float target that must not get a gradient: close over it
        t = arrs[-1].astype(dtype)
        check_against_torch(lambda *xs: ours(*xs, ag.tensor(t)),
                            lambda *xs: theirs(*xs, torch.tensor(t)), arrs[:-1], dtype)
    else:
        check_against_torch(ours, theirs, arrs, dtype)


@pytest.mark.parametrize(("name", "make", "arrays"), CASES, ids=[c[0] for c in CASES])
def test_loss_gradcheck_and_double_backward(name, make, arrays) -> None:
    arrs = arrays()
    ours, theirs = make(nn, "sum"), make(tn, "sum")
    x = arrs[0]
    rest = [ag.tensor(a) for a in arrs[1:]]
    xa = ag.tensor(x, requires_grad=True)
    assert gradcheck(lambda t: ours(t, *rest), (xa,))
    assert gradgradcheck(lambda t: ours(t, *rest), (xa,))
    if name.startswith("multi_margin"):
        return  # PyTorch has no double backward for multi_margin_loss to compare with
    xt = torch.tensor(x, requires_grad=True)
    rest_t = [torch.tensor(a) for a in arrs[1:]]
    (gt,) = torch.autograd.grad(theirs(xt, *rest_t), xt, create_graph=True)
    (ga,) = ag.autograd.grad(ours(xa, *rest), xa, create_graph=True)
    if not gt.requires_grad:  # piecewise-linear losses: the second derivative is zero
        ht = torch.zeros_like(xt)
        ha = ag.autograd.grad(ga.pow(2).sum(), xa)[0] if ga.requires_grad else ag.zeros(
            *x.shape, dtype=ag.float64)
    else:
        (ht,) = torch.autograd.grad(gt.pow(2).sum(), xt)
        (ha,) = ag.autograd.grad(ga.pow(2).sum(), xa)
    np.testing.assert_allclose(ha.numpy(), ht.numpy(), rtol=1e-8, atol=1e-10)


def test_weighted_losses_keep_weight_buffer() -> None:
    w = R.random(4) + 0.5
    x, y = R.standard_normal((6, 4)), R.integers(0, 4, (6,))
    for make in (lambda m, wt: m.MultiMarginLoss(weight=wt),
                 lambda m, wt: m.MultiLabelSoftMarginLoss(weight=wt)):
        ours, theirs = make(nn, ag.tensor(w)), make(tn, torch.tensor(w))
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
        target = y if isinstance(ours, nn.MultiMarginLoss) else (R.random((6, 4)) < 0.5) * 1.0
        check_against_torch(lambda a, o=ours, t=target: o(a, ag.tensor(t)),
                            lambda a, o=theirs, t=target: o(a, torch.tensor(t)), [x])


def _zeros(m, *shape):
    return (torch.zeros if m is tn else ag.zeros)(*shape, dtype=(torch.float64 if m is tn
                                                                 else ag.float64))


ERRORS = [
    (lambda m: m.functional.gaussian_nll_loss(_zeros(m, 3, 4), _zeros(m, 3, 4),
                                              _zeros(m, 3, 2)), ValueError),
    (lambda m: m.functional.gaussian_nll_loss(_zeros(m, 3, 4), _zeros(m, 3, 4),
                                              _zeros(m, 3, 4) - 1), ValueError),
    (lambda m: m.functional.gaussian_nll_loss(_zeros(m, 3, 4), _zeros(m, 3, 4),
                                              _zeros(m, 3, 4), reduction="avg"), ValueError),
    (lambda m: m.functional.multi_margin_loss(_zeros(m, 3, 4), _zeros(m, 3).long(), p=3),
     ValueError),
    (lambda m: m.functional.margin_ranking_loss(_zeros(m, 3, 4), _zeros(m, 3, 4),
                                                _zeros(m, 3)), RuntimeError),
    (lambda m: m.MultiMarginLoss(p=3), ValueError),
    (lambda m: m.SoftMarginLoss(reduction="avg")(_zeros(m, 2), _zeros(m, 2)), ValueError),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case) -> None:
    make, cls = ERRORS[case]
    with pytest.raises(cls) as theirs:
        make(tn)
    with pytest.raises(cls) as ours:
        make(nn)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_elementwise_losses_match_torch(name, reduction) -> None:
    w = R.random((4, 3)) + 0.1
    check_against_torch(
        lambda x, y: getattr(nn.functional, name)(x, y, reduction=reduction,
                                                  weight=ag.tensor(w)),
        lambda x, y: getattr(tn.functional, name)(x, y, reduction=reduction,
                                                  weight=torch.tensor(w)),
        [R.standard_normal((4, 3)), R.standard_normal((4, 3))])
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        getattr(nn.functional, name)(ag.zeros(4, 3), ag.zeros(4, 3), weight=ag.ones(3))


LCE = [({}, (5,)), ({"bias": True, "label_smoothing": 0.1, "reduction": "sum"}, (5,)),
       ({"out_features": (3,), "bias": True, "reduction": "none"}, (5, 3)),
       ({"ignore_index": 2}, (5,))]


@pytest.mark.parametrize(("kw", "target_shape"), LCE, ids=[str(i) for i in range(len(LCE))])
def test_linear_cross_entropy_matches_torch(kw, target_shape) -> None:
    torch.manual_seed(0)
    theirs = tn.LinearCrossEntropyLoss(4, 6, **kw).double()
    ours = nn.LinearCrossEntropyLoss(4, 6, **kw).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    y = R.integers(0, 6, target_shape)
    check_against_torch(lambda x: ours(x, ag.tensor(y)), lambda x: theirs(x, torch.tensor(y)),
                        [R.standard_normal((5, 4))])
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
    opts = nn.LinearCrossEntropyOptions()  # accepted: the same numbers
    w = ag.tensor(R.standard_normal((6, 4)))
    x = ag.tensor(R.standard_normal((5, 4)))
    t = ag.tensor(R.integers(0, 6, (5,)))
    assert nn.functional.linear_cross_entropy(x, w, t, options=opts).item() == pytest.approx(
        nn.functional.cross_entropy(x @ w.T, t).item(), rel=1e-12)
