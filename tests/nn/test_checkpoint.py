"""utils.checkpoint: the gradients PyTorch's checkpointing gives (float64), gradients of
gradients, PyTorch's warnings and argument errors, checkpoint_sequential's segments."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.utils import checkpoint as ours_cp

torch = pytest.importorskip("torch")
theirs_cp = torch.utils.checkpoint
R = np.random.default_rng(3)


def _pair():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3),
                                 torch.nn.GELU(), torch.nn.Linear(3, 2)).double()
    ours = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3), nn.GELU(),
                         nn.Linear(3, 2)).double()
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _grads(model):
    return [p.grad.numpy() for p in model.parameters()]


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gradients_match_torch(reentrant) -> None:
    ours, theirs = _pair()
    x = R.standard_normal((5, 4))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_cp.checkpoint(ours, xa, use_reentrant=reentrant).pow(2).sum().backward()
    theirs_cp.checkpoint(theirs, xt, use_reentrant=reentrant).pow(2).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-10)
    for a, t in zip(_grads(ours), _grads(theirs)):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)


def test_checkpoint_sequential_matches_torch_and_double_backward_works() -> None:
    ours, theirs = _pair()
    x = R.standard_normal((5, 4))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya = ours_cp.checkpoint_sequential(ours, 2, xa, use_reentrant=False)
    yt = theirs_cp.checkpoint_sequential(theirs, 2, xt, use_reentrant=False)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-10)
    (ga,) = ag.autograd.grad(ya.pow(2).sum(), xa, create_graph=True)
    (gt,) = torch.autograd.grad(yt.pow(2).sum(), xt, create_graph=True)
    (ha,) = ag.autograd.grad(ga.pow(2).sum(), xa)
    (ht,) = torch.autograd.grad(gt.pow(2).sum(), xt)
    np.testing.assert_allclose(ha.numpy(), ht.numpy(), rtol=1e-9)


def test_reentrant_default_warns_and_builds_no_graph_without_grad_inputs() -> None:
    ours, theirs = _pair()
    x = R.standard_normal((2, 4))
    with pytest.warns(UserWarning) as rec_t:
        yt = theirs_cp.checkpoint(theirs, torch.tensor(x))
    with pytest.warns(UserWarning) as rec_a:
        ya = ours_cp.checkpoint(ours, ag.tensor(x))
    assert [str(w.message) for w in rec_a] == [str(w.message) for w in rec_t]
    assert ya.requires_grad == yt.requires_grad is False


def test_argument_errors_match_torch() -> None:
    lin_t, lin_a = torch.nn.Linear(2, 2), nn.Linear(2, 2)
    for call in (lambda cp, f, x: cp.checkpoint(f, x, use_reentrant=True, foo=1),
                 lambda cp, f, x: cp.checkpoint(f, x, use_reentrant=True, debug=True)):
        with pytest.raises(ValueError) as theirs:
            call(theirs_cp, lin_t, torch.zeros(1, 2))
        with pytest.raises(ValueError) as ours:
            call(ours_cp, lin_a, ag.zeros(1, 2))
        assert str(ours.value) == str(theirs.value)
