"""Schedulers give PyTorch's lr sequences, step by step."""

from __future__ import annotations

import pytest

import autograd_core as ag
from autograd_core import optim
from autograd_core.optim import lr_scheduler

torch = pytest.importorskip("torch")

SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01)),
]


def _lrs(mod, opt_mod, make_param, name, kwargs, steps=25):
    opt = opt_mod.SGD([{"params": [make_param()]}, {"params": [make_param()], "lr": 0.3}],
                      lr=0.1)
    sched = getattr(mod, name)(opt, **kwargs)
    seq = list(sched.get_last_lr())
    for _ in range(steps):
        opt.step()
        sched.step()
        seq += sched.get_last_lr()
    return seq, opt, sched


@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_lr_sequence_matches_torch(name, kwargs):
    ours, opt, _ = _lrs(lr_scheduler, optim, lambda: ag.zeros(1, requires_grad=True),
                        name, kwargs)
    theirs, _, _ = _lrs(torch.optim.lr_scheduler, torch.optim,
                        lambda: torch.zeros(1, requires_grad=True), name, kwargs)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert [g["lr"] for g in opt.param_groups] == ours[-2:]


def test_lambda_lr_matches_torch():
    def f(epoch):
        return 0.95**epoch

    ours, _, _ = _lrs(lr_scheduler, optim, lambda: ag.zeros(1, requires_grad=True),
                      "LambdaLR", dict(lr_lambda=f))
    theirs, _, _ = _lrs(torch.optim.lr_scheduler, torch.optim,
                        lambda: torch.zeros(1, requires_grad=True), "LambdaLR",
                        dict(lr_lambda=f))
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_scheduler_state_dict_resumes_the_sequence():
    full, _, _ = _lrs(lr_scheduler, optim, lambda: ag.zeros(1, requires_grad=True),
                      "CosineAnnealingLR", dict(T_max=5), steps=8)
    _, opt, sched = _lrs(lr_scheduler, optim, lambda: ag.zeros(1, requires_grad=True),
                            "CosineAnnealingLR", dict(T_max=5), steps=4)
    state = sched.state_dict()
    assert "optimizer" not in state
    opt2 = optim.SGD([{"params": [ag.zeros(1, requires_grad=True)]},
                      {"params": [ag.zeros(1, requires_grad=True)]}], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, T_max=5, last_epoch=3)
    sched2.load_state_dict(state)
    seq = []
    for _ in range(4):
        sched2.step()
        seq += sched2.get_last_lr()
    assert seq == pytest.approx(full[10:])
