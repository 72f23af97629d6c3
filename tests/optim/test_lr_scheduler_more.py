"""LinearLR, SequentialLR, CosineAnnealingWarmRestarts, OneCycleLR, ReduceLROnPlateau vs torch."""

from __future__ import annotations

import pytest

import autograd_core as ag
from autograd_core import optim
from autograd_core.optim import lr_scheduler

torch = pytest.importorskip("torch")

LIBS = {"ours": (ag, optim, lr_scheduler),
        "torch": (torch, torch.optim, torch.optim.lr_scheduler)}


def _opt(lib, name="SGD", **kwargs):
    t, o, _ = LIBS[lib]
    return getattr(o, name)([{"params": [t.zeros(1, requires_grad=True)]},
                             {"params": [t.zeros(1, requires_grad=True)], "lr": 0.3}],
                            lr=0.1, **kwargs)


def _make(lib, name, kwargs, opt_name="SGD", opt_kwargs=None):
    opt = _opt(lib, opt_name, **(opt_kwargs or {}))
    sched_mod = LIBS[lib][2]
    if name == "SequentialLR":
        inner = [getattr(sched_mod, n)(opt, **k) for n, k in kwargs["schedulers"]]
        return opt, sched_mod.SequentialLR(opt, inner, milestones=kwargs["milestones"])
    return opt, getattr(sched_mod, name)(opt, **kwargs)


def _run(opt, sched, steps, metrics=None):
    """lrs (and momentum-like options) after building and after each step."""
    def snap():
        return [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]

    seq = [snap()]
    for i in range(steps):
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[i])
        seq.append(snap())
    return seq


CASES = [
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.8, total_iters=7)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.01)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=30)),
    ("OneCycleLR", dict(max_lr=[0.5, 2.0], epochs=3, steps_per_epoch=10, pct_start=0.25,
                        anneal_strategy="linear", three_phase=True, div_factor=10.0)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=30, cycle_momentum=False)),
    ("ConstantLR", dict(factor=0.25, total_iters=3)),
    ("SequentialLR", dict(schedulers=[("LinearLR", dict(start_factor=0.2, total_iters=4)),
                                      ("CosineAnnealingLR", dict(T_max=10))],
                          milestones=[5])),
    ("SequentialLR", dict(schedulers=[("ConstantLR", dict(factor=0.5, total_iters=2)),
                                      ("ExponentialLR", dict(gamma=0.9)),
                                      ("StepLR", dict(step_size=3, gamma=0.5))],
                          milestones=[3, 12])),
]


def _available(case):
    inner = [n for n, _ in case[1].get("schedulers", [])]
    return all(hasattr(lr_scheduler, n) for n in inner)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("opt_name,opt_kwargs", [("SGD", dict(momentum=0.9)), ("Adam", {})])
def test_sequence_matches_torch(name, kwargs, opt_name, opt_kwargs):
    if not _available((name, kwargs)):
        pytest.skip("an inner scheduler is not implemented here")
    if name == "SequentialLR" and opt_name == "Adam":
        pytest.skip("one optimizer is enough for SequentialLR")
    ours = _run(*_make("ours", name, kwargs, opt_name, opt_kwargs), 29)
    theirs = _run(*_make("torch", name, kwargs, opt_name, opt_kwargs), 29)
    assert _close(ours, theirs)


def _close(a, b):
    flat_a, flat_b = _flatten(a), _flatten(b)
    assert flat_a == pytest.approx(flat_b, rel=1e-12, abs=1e-15)
    return True


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flatten(v)]
    return [-1.0 if x is None else x]  # an option the optimizer lacks (momentum of Adam)


def test_warm_restarts_with_fractional_epochs_match_torch():
    seqs = []
    for lib in ("ours", "torch"):
        _, sched = _make(lib, "CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=3))
        seq = []
        for epoch in range(6):
            for i in range(4):
                sched.step(epoch + i / 4)
                seq += sched.get_last_lr()
        seqs.append(seq)
    assert seqs[0] == pytest.approx(seqs[1], rel=1e-12)


PLATEAU = [dict(), dict(patience=2, factor=0.5), dict(mode="max", patience=1, cooldown=2),
           dict(threshold_mode="abs", threshold=0.05, patience=0, min_lr=[0.01, 0.1]),
           dict(patience=0, factor=0.5, min_lr=0.02, eps=1e-3)]
METRICS = [1.0, 0.9, 0.9, 0.95, 0.89, 0.9, 0.9, 0.91, 0.88, 0.88, 0.885, 0.9] * 3


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_on_plateau_matches_torch(kwargs):
    ours = _run(*_make("ours", "ReduceLROnPlateau", kwargs), len(METRICS), METRICS)
    theirs = _run(*_make("torch", "ReduceLROnPlateau", kwargs), len(METRICS), METRICS)
    assert _close(ours, theirs)


def test_reduce_on_plateau_takes_a_tensor_metric():
    _, sched = _make("ours", "ReduceLROnPlateau", dict(patience=0))
    sched.step(ag.tensor(1.0))
    sched.step(ag.tensor(2.0))
    assert sched.get_last_lr() == pytest.approx([0.01, 0.03])


RESUME = [("LinearLR", dict(start_factor=0.1, total_iters=6)),
          ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)),
          ("OneCycleLR", dict(max_lr=1.0, total_steps=20)),
          ("ReduceLROnPlateau", dict(patience=1, cooldown=1)),
          CASES[8]]


@pytest.mark.parametrize("name,kwargs", RESUME, ids=[n for n, _ in RESUME])
@pytest.mark.parametrize("source", ["ours", "torch"])
def test_state_dict_resumes_the_sequence(name, kwargs, source):
    metrics = METRICS[:16] if name == "ReduceLROnPlateau" else None
    full = _run(*_make("torch", name, kwargs), 16, metrics)
    opt, sched = _make(source, name, kwargs)
    _run(opt, sched, 8, metrics)
    state, opt_state = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in state
    opt2, sched2 = _make("ours", name, kwargs)
    opt2.load_state_dict(_plain(opt_state))
    sched2.load_state_dict(state)
    rest = _run(opt2, sched2, 8, metrics[8:] if metrics else None)
    assert _close(rest, full[8:])


def _plain(opt_state):
    """An optimizer state_dict without torch tensors (SGD without momentum has none)."""
    return {"state": {}, "param_groups": opt_state["param_groups"]}


@pytest.mark.parametrize("name,kwargs", [
    ("LinearLR", dict(start_factor=0)), ("LinearLR", dict(end_factor=1.5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=0)),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=0)),
    ("OneCycleLR", dict(max_lr=1.0)), ("OneCycleLR", dict(max_lr=1.0, total_steps=-1)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=5, pct_start=1)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=5, anneal_strategy="exp")),
    ("OneCycleLR", dict(max_lr=[1.0], total_steps=5)),
    ("ReduceLROnPlateau", dict(factor=1.0)), ("ReduceLROnPlateau", dict(mode="up")),
    ("ReduceLROnPlateau", dict(threshold_mode="x")), ("ReduceLROnPlateau", dict(min_lr=[0.1])),
    ("SequentialLR", dict(schedulers=[], milestones=[])),
    ("SequentialLR", dict(schedulers=[("LinearLR", {})], milestones=[3])),
    ("ConstantLR", dict(factor=1.5)),
])
def test_bad_arguments_raise_torchs_error(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        _make("torch", name, kwargs)
    with pytest.raises(ValueError) as ours:
        _make("ours", name, kwargs)
    assert str(ours.value) == str(theirs.value)


def test_one_cycle_stepping_past_the_end_raises_like_torch():
    errors = []
    for lib in ("ours", "torch"):
        opt, sched = _make(lib, "OneCycleLR", dict(max_lr=1.0, total_steps=3))
        with pytest.raises(ValueError) as info:
            for _ in range(4):
                opt.step()
                sched.step()
        errors.append(str(info.value))
    assert errors[0] == errors[1]
