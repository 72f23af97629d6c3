"""Optimizers against torch.optim: same params, same grads, same updates (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, foreach=False)),
    ("AdamW", dict(lr=0.01, fused=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, foreach=True)),
    ("RMSprop", dict(lr=0.01, foreach=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict(foreach=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3,
                     eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True, foreach=False)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.6), weight_decay=0.1)),  # rectified from step 2
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.6), weight_decay=0.1, decoupled_weight_decay=True,
                   maximize=True, foreach=True)),
]


def _pair(shapes=((3, 4), (4,)), seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = [ag.tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return ours, theirs, rng


def _set_grads(ours, theirs, rng):
    for p, q in zip(ours, theirs):
        g = rng.standard_normal(p.shape)
        p.grad = ag.tensor(g.copy())
        q.grad = torch.tensor(g.copy())


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch_over_five_steps(name, kwargs):
    ours, theirs, rng = _pair()
    opt = getattr(optim, name)(ours, **kwargs)
    ref = getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(8):
        _set_grads(ours, theirs, rng)
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().cpu().numpy(),
                                       rtol=1e-12, atol=1e-12)


def test_state_buffers_keep_param_dtype():
    p = ag.zeros(3, requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = ag.ones(3)
    opt.step()
    assert opt.state[p]["exp_avg"].dtype == ag.float32
    assert p.dtype == ag.float32
    assert opt.state[p]["step"] == 1


def test_lr_change_in_param_groups_takes_effect():
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = ag.tensor([1.0, 1.0])
    opt.step()
    opt.param_groups[0]["lr"] = 1.0
    opt.step()
    np.testing.assert_allclose(p.detach().cpu().numpy(), [1.0 - 1.1, 2.0 - 1.1], rtol=1e-6)


def test_param_groups_get_defaults_and_own_options():
    a = ag.zeros(2, requires_grad=True)
    b = ag.zeros(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.9
    c = ag.zeros(2, requires_grad=True)
    opt.add_param_group({"params": [c], "lr": 0.01})
    assert opt.param_groups[2]["params"][0] is c
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_bad_arguments_raise_like_torch():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([ag.zeros(1, requires_grad=True)], lr=-1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({ag.zeros(1, requires_grad=True)}, lr=0.1)


def test_zero_grad_set_to_none_and_to_zero():
    p = ag.ones(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad
    np.testing.assert_array_equal(p.grad.cpu().numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


def test_params_without_grad_are_skipped():
    a = ag.ones(2, requires_grad=True)
    b = ag.ones(2, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = ag.ones(2)
    opt.step()
    np.testing.assert_array_equal(b.detach().cpu().numpy(), np.ones(2))
    assert b not in opt.state


def test_step_closure_returns_loss_and_reevaluates():
    p = ag.tensor([3.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(9.0)
    assert p.item() == pytest.approx(3.0 - 0.1 * 6.0)


def test_step_tells_the_observer_it_is_the_update_phase():
    from autograd_core import hooks

    class Spy:
        def __init__(self):
            self.phases = []

        def phase(self, name):
            self.phases.append(name)

    spy = Spy()
    p = ag.ones(2, requires_grad=True)
    p.grad = ag.ones(2)
    prev = hooks.set_observer(spy)
    try:
        optim.SGD([p], lr=0.1).step()
    finally:
        hooks.set_observer(prev)
    assert spy.phases == ["update"]


def test_step_builds_no_graph_and_bumps_version():
    p = ag.ones(2, requires_grad=True)
    p.grad = ag.ones(2)
    before = p._version[0]
    optim.Adam([p], lr=0.1).step()
    assert p.grad_fn is None and p.is_leaf
    assert p._version[0] > before


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("RMSprop", dict(lr=0.01, centered=True,
                                                          momentum=0.5))])
def test_state_dict_round_trip_continues_identically(name, kwargs):
    ours, _, rng = _pair()
    twin = [ag.tensor(p.detach().cpu().numpy().copy(), requires_grad=True) for p in ours]
    opt = getattr(optim, name)(ours, **kwargs)
    for _ in range(2):
        for p in ours:
            p.grad = ag.tensor(rng.standard_normal(p.shape))
        opt.step()
    for p, q in zip(ours, twin):
        q.data = p.detach().clone() if hasattr(p, "clone") else p.detach()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1]
    assert sd["param_groups"][0]["params"] == [0, 1]
    other = getattr(optim, name)(twin, lr=123.0)
    other.load_state_dict(sd)
    assert other.param_groups[0]["lr"] == kwargs["lr"]
    grads = [rng.standard_normal(p.shape) for p in ours]
    for p, q, g in zip(ours, twin, grads):
        p.grad, q.grad = ag.tensor(g), ag.tensor(g.copy())
    opt.step()
    other.step()
    for p, q in zip(ours, twin):
        np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().cpu().numpy(), rtol=1e-12)


def test_state_dict_format_matches_torch():
    ours, theirs, rng = _pair()
    opt = optim.Adam(ours, lr=0.01)
    ref = torch.optim.Adam(theirs, lr=0.01)
    _set_grads(ours, theirs, rng)
    opt.step()
    ref.step()
    sd, tsd = opt.state_dict(), ref.state_dict()
    assert set(sd["param_groups"][0]) <= set(tsd["param_groups"][0])
    assert set(sd["state"][0]) == set(tsd["state"][0])
    other = optim.Adam([ag.tensor(p.detach().cpu().numpy().copy(), requires_grad=True)
                        for p in ours], lr=0.01)
    other.load_state_dict(tsd)  # a PyTorch checkpoint loads too
    np.testing.assert_allclose(other.state[other.param_groups[0]["params"][0]]["exp_avg"]
                               .cpu().numpy(), tsd["state"][0]["exp_avg"].cpu().numpy())
