"""sigmoid keeps its relative precision far out on the negative side, as PyTorch's does.

The tanh form 1/2 + tanh(x/2)/2 cancels to 0 below about -20 (float32: -9), so
`log(sigmoid(x))` became -inf and its gradient NaN where PyTorch gives finite numbers."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

XS = [-700.0, -80.0, -40.0, -20.0, -8.0, -4.5, -4.0, -3.9, -1.0, 0.0, 3.0, 20.0, 100.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_tail_matches_pytorch(dtype: str) -> None:
    ours = ag.tensor(XS, dtype=getattr(ag, dtype)).sigmoid().numpy()
    theirs = torch.tensor(XS, dtype=getattr(torch, dtype)).sigmoid().numpy()
    normal = theirs > np.finfo(dtype).tiny  # PyTorch flushes float32 denormals to 0
    rtol = 3e-6 if dtype == "float32" else 1e-13  # float32: the tanh form just above -4
    np.testing.assert_allclose(ours[normal], theirs[normal], rtol=rtol, atol=0)
    assert np.all(ours[~normal] < 1e-37)


def test_log_sigmoid_by_hand_stays_finite_with_pytorchs_gradient() -> None:
    xs = [-60.0, -30.0, -5.0, 2.0]
    x = ag.tensor(xs, dtype=ag.float64, requires_grad=True)
    loss = ag.log(ag.sigmoid(x)).sum()
    loss.backward()
    tx = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    tloss = torch.log(torch.sigmoid(tx)).sum()
    tloss.backward()
    assert np.isfinite(loss.item())
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_nan_and_inf_pass_through() -> None:
    y = ag.tensor([float("nan"), -float("inf"), float("inf"), -50.0]).sigmoid().numpy()
    assert np.isnan(y[0]) and y[1] == 0.0 and y[2] == 1.0 and 0 < y[3] < 1e-21
