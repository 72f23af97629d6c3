"""pairwise_distance, PairwiseDistance and the triplet margin loss against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A, P, N = (RNG.standard_normal((5, 4)) for _ in range(3))


def _pair(values):
    return (ag.tensor(values, requires_grad=True),
            torch.tensor(values, requires_grad=True))


@pytest.mark.parametrize("kwargs", [{}, {"p": 1.0}, {"p": 3.0, "keepdim": True},
                                    {"p": float("inf")}, {"eps": 0.0}])
def test_pairwise_distance_values_and_gradients(kwargs):
    (a, ta), (b, tb) = _pair(A), _pair(P)
    ours, theirs = F.pairwise_distance(a, b, **kwargs), torch.nn.functional.pairwise_distance(
        ta, tb, **kwargs)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    (ours * ag.arange(ours.numel(), dtype=ag.float64).reshape(ours.shape)).sum().backward()
    (theirs * torch.arange(theirs.numel(), dtype=torch.float64).reshape(theirs.shape)).sum(
    ).backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_pairwise_distance_of_vectors_and_broadcast_rows():
    for x1, x2 in [(A[0], P[0]), (A, P[0])]:
        ours = nn.PairwiseDistance()(ag.tensor(x1), ag.tensor(x2))
        theirs = torch.nn.PairwiseDistance()(torch.tensor(x1), torch.tensor(x2))
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("kwargs", [{}, {"margin": 0.3, "p": 1.0}, {"swap": True},
                                    {"reduction": "sum"}, {"reduction": "none", "margin": 2.0}])
def test_triplet_margin_loss_values_and_gradients(kwargs):
    (a, ta), (p, tp), (n, tn) = _pair(A), _pair(P), _pair(N)
    ours = nn.TripletMarginLoss(**kwargs)(a, p, n)
    theirs = torch.nn.TripletMarginLoss(**kwargs)(ta, tp, tn)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    for mine, their in [(a, ta), (p, tp), (n, tn)]:
        np.testing.assert_allclose(mine.grad.numpy(), their.grad.numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_triplet_margin_loss_errors_match_pytorch():
    calls = [lambda m, t: m.nn.functional.triplet_margin_loss(t(A), t(P), t(N[0])),
             lambda m, t: m.nn.functional.triplet_margin_loss(t(A), t(P), t(N), reduction="x"),
             lambda m, t: m.nn.TripletMarginLoss(margin=0.0)]
    for call in calls:
        with pytest.raises(Exception) as theirs:
            call(torch, torch.tensor)
        with pytest.raises(type(theirs.value)) as ours:
            call(ag, ag.tensor)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kwargs", [{"reduction": "batchmean"}, {"reduction": "sum"},
                                    {"reduction": "none"}, {"reduction": "batchmean",
                                                            "log_target": True}])
def test_kl_div_values_and_gradients_with_zero_targets(kwargs):
    logits = RNG.standard_normal((4, 5))
    target = np.abs(RNG.standard_normal((4, 5)))
    target[0, :2] = 0.0  # xlogy: 0 * log 0 counts as 0
    target /= target.sum(1, keepdims=True)
    if kwargs.get("log_target"):
        target = np.log(target + 0.1)
    (x, tx), (t, tt) = _pair(logits), _pair(target)
    ours = nn.KLDivLoss(**kwargs)(F.log_softmax(x, 1), t)
    theirs = torch.nn.KLDivLoss(**kwargs)(torch.log_softmax(tx, 1), tt)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12,
                               atol=1e-15)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    mine, their = t.grad.numpy(), tt.grad.numpy()
    finite = np.isfinite(their)  # torch's xlogy slope at a zero target is -inf; ours finite
    np.testing.assert_allclose(mine[finite], their[finite], rtol=1e-10, atol=1e-12)


def test_kl_div_mean_warns_as_pytorch_and_bad_reductions_raise():
    x, t = ag.tensor(A).log_softmax(1), ag.tensor(np.abs(P))
    tx, tt = torch.tensor(A).log_softmax(1), torch.tensor(np.abs(P))
    with pytest.warns(UserWarning) as ours:
        mine = F.kl_div(x, t)
    with pytest.warns(UserWarning) as theirs:
        their = torch.nn.functional.kl_div(tx, tt)
    assert str(ours[0].message) == str(theirs[0].message)
    np.testing.assert_allclose(mine.numpy(), their.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        torch.nn.functional.kl_div(tx, tt, reduction="bad")
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.kl_div(x, t, reduction="bad")
