"""MultiplicativeLR, PolynomialLR, CyclicLR and ChainedScheduler against torch: lr and
momentum sequences, state_dicts in both directions, errors."""

from __future__ import annotations

import copy
import warnings

import pytest

import autograd_core as ag
from autograd_core import optim
from autograd_core.optim import lr_scheduler

torch = pytest.importorskip("torch")

LIBS = {"ours": (ag, optim, lr_scheduler),
        "torch": (torch, torch.optim, torch.optim.lr_scheduler)}


class Halving:
    """A callable object: torch saves its __dict__ in the scheduler's state_dict."""

    def __init__(self, factor: float = 0.5) -> None:
        self.factor = factor

    def __call__(self, epoch: int) -> float:
        return self.factor if epoch % 3 == 0 else 1.0


def _opt(lib, name="SGD", **kwargs):
    t, o, _ = LIBS[lib]
    return getattr(o, name)([{"params": [t.zeros(1, requires_grad=True)]},
                             {"params": [t.zeros(1, requires_grad=True)], "lr": 0.3}],
                            lr=0.1, **kwargs)


def _build(lib, opt, name, kwargs):
    mod = LIBS[lib][2]
    if name == "ChainedScheduler":
        inner = [_build(lib, opt, n, k) for n, k in kwargs["schedulers"]]
        return mod.ChainedScheduler(inner, optimizer=opt)
    kwargs = {k: (v() if k in ("lr_lambda", "scale_fn") and isinstance(v, type) else v)
              for k, v in kwargs.items()}
    return getattr(mod, name)(opt, **kwargs)


def _make(lib, name, kwargs, opt_name="SGD", opt_kwargs=None):
    opt = _opt(lib, opt_name, **(opt_kwargs or {}))
    return opt, _build(lib, opt, name, kwargs)


def _snap(opt, sched):
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups] + \
        [tuple(sched.get_last_lr())]


def _run(opt, sched, steps):
    """lrs, momenta and get_last_lr() after building and after each step."""
    seq = [_snap(opt, sched)]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append(_snap(opt, sched))
    return seq


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flatten(v)]
    return [-1.0 if x is None else x]  # an option the optimizer lacks (momentum of Adam)


def _close(a, b):
    assert _flatten(a) == pytest.approx(_flatten(b), rel=1e-12, abs=1e-15)
    return True


CASES = [
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.95)),
    ("MultiplicativeLR", dict(lr_lambda=[lambda e: 0.9, lambda e: 1.0 - 0.01 * e])),
    ("MultiplicativeLR", dict(lr_lambda=Halving)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=7, power=2.0)),
    ("PolynomialLR", dict(total_iters=12, power=0.5)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.5], step_size_up=3,
                      step_size_down=5, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range",
                      gamma=0.9, base_momentum=0.7, max_momentum=[0.95, 0.9])),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3,
                      scale_fn=lambda x: 1 / (1.0 + x), scale_mode="iterations")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, cycle_momentum=False)),
    ("ChainedScheduler", dict(schedulers=[("ConstantLR", dict(factor=0.1, total_iters=6)),
                                          ("ExponentialLR", dict(gamma=0.9))])),
    ("ChainedScheduler", dict(schedulers=[("PolynomialLR", dict(total_iters=10)),
                                          ("MultiplicativeLR", dict(lr_lambda=Halving)),
                                          ("StepLR", dict(step_size=4, gamma=0.5))])),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("opt_name,opt_kwargs", [("SGD", dict(momentum=0.9)), ("Adam", {})])
def test_sequence_matches_torch(name, kwargs, opt_name, opt_kwargs):
    ours = _run(*_make("ours", name, kwargs, opt_name, opt_kwargs), 25)
    theirs = _run(*_make("torch", name, kwargs, opt_name, opt_kwargs), 25)
    assert _close(ours, theirs)


def test_cyclic_momentum_needs_momentum_or_betas_like_torch():
    errors = []
    for lib in ("ours", "torch"):
        opt = _opt(lib, "Adagrad")
        with pytest.raises(ValueError) as info:
            LIBS[lib][2].CyclicLR(opt, base_lr=0.01, max_lr=0.1)
        errors.append(str(info.value))
        LIBS[lib][2].CyclicLR(opt, base_lr=0.01, max_lr=0.1, cycle_momentum=False)
    assert errors[0] == errors[1]


def test_polynomial_closed_form_with_epoch_argument_matches_torch():
    seqs = []
    for lib in ("ours", "torch"):
        _, sched = _make(lib, "PolynomialLR", dict(total_iters=8, power=1.5))
        seq = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation of step(epoch)
            for epoch in (3, 5, 9, 2):
                sched.step(epoch)
                seq += sched.get_last_lr()
        seqs.append(seq)
    assert seqs[0] == pytest.approx(seqs[1], rel=1e-12)


RESUME = [CASES[2], CASES[4], CASES[7], CASES[9], CASES[12],
          ("LambdaLR", dict(lr_lambda=Halving))]


@pytest.mark.parametrize("name,kwargs", RESUME, ids=[n for n, _ in RESUME])
@pytest.mark.parametrize("source", ["ours", "torch"])
@pytest.mark.parametrize("target", ["ours", "torch"])
def test_state_dict_resumes_in_either_library(name, kwargs, source, target):
    """8 steps in `source`, then its state_dict (plain data) loaded into a fresh `target`:
    the next 8 steps are torch's uninterrupted ones."""
    full = _run(*_make("torch", name, kwargs), 16)
    opt, sched = _make(source, name, kwargs)
    _run(opt, sched, 8)
    state = sched.state_dict()
    assert "optimizer" not in state
    opt2, sched2 = _make(target, name, kwargs)
    opt2.load_state_dict({"state": {}, "param_groups": opt.state_dict()["param_groups"]})
    sched2.load_state_dict(copy.deepcopy(state))
    assert _close(_run(opt2, sched2, 8), full[8:])


@pytest.mark.parametrize("name,kwargs", RESUME, ids=[n for n, _ in RESUME])
def test_state_dict_has_torchs_entries(name, kwargs):
    ours = _make("ours", name, kwargs)[1].state_dict()
    theirs = _make("torch", name, kwargs)[1].state_dict()
    # torch's flag of its get_lr() warning (called outside step()) is not kept here
    assert set(ours) == set(theirs) - {"_get_lr_called_within_step"}
    for key in ("lr_lambdas", "_scale_fn_custom"):
        if key in theirs:
            assert ours[key] == theirs[key]
    inner = ours.get("_schedulers")
    if inner:
        assert [set(s) for s in inner] == [set(s) - {"_get_lr_called_within_step"}
                                           for s in theirs["_schedulers"]]


def test_callable_lambda_state_is_restored():
    _, sched = _make("ours", "MultiplicativeLR", dict(lr_lambda=Halving(0.25)))
    state = _make("torch", "MultiplicativeLR", dict(lr_lambda=Halving(0.75)))[1].state_dict()
    sched.load_state_dict(state)
    assert sched.lr_lambdas[0].factor == 0.75 and callable(sched.lr_lambdas[0])
    assert "lr_lambdas" in state  # the caller's dict is left whole, as in torch


@pytest.mark.parametrize("name,kwargs,exc", [
    ("MultiplicativeLR", dict(lr_lambda=[lambda e: 1.0]), ValueError),
    ("MultiplicativeLR", dict(lr_lambda=0.9), TypeError),
    ("CyclicLR", dict(base_lr=0.1, max_lr=1.0, mode="cosine"), ValueError),
    ("CyclicLR", dict(base_lr=[0.1], max_lr=1.0), ValueError),
    ("CyclicLR", dict(base_lr=0.1, max_lr=[1.0, 2.0, 3.0]), ValueError),
    ("CyclicLR", dict(base_lr=0.1, max_lr=1.0, base_momentum=[0.8]), ValueError),
    ("ChainedScheduler", dict(schedulers=[]), ValueError),
])
def test_bad_arguments_raise_torchs_error(name, kwargs, exc):
    with pytest.raises(exc) as theirs:
        _make("torch", name, kwargs)
    with pytest.raises(exc) as ours:
        _make("ours", name, kwargs)
    assert str(ours.value) == str(theirs.value)


def test_chained_scheduler_refusals_match_torch():
    for make_inner in (lambda lib, opt, other: [LIBS[lib][2].ExponentialLR(other, 0.9)],
                       lambda lib, opt, other: [LIBS[lib][2].ReduceLROnPlateau(opt)],
                       lambda lib, opt, other: [LIBS[lib][2].ExponentialLR(opt, 0.9), object()]):
        messages = []
        for lib in ("ours", "torch"):
            opt, other = _opt(lib), _opt(lib)
            with pytest.raises((TypeError, ValueError)) as info:
                LIBS[lib][2].ChainedScheduler(make_inner(lib, opt, other), optimizer=opt)
            messages.append((type(info.value), str(info.value).split(" has ")[0]))
        assert messages[0] == messages[1]


def test_new_schedulers_complete_torchs_list():
    assert set(lr_scheduler.__all__) == set(torch.optim.lr_scheduler.__all__)
    for name in lr_scheduler.__all__:
        assert getattr(lr_scheduler, name).__name__ == name
