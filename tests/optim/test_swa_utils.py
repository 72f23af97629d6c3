"""swa_utils against torch: AveragedModel (SWA, EMA, custom averages, buffers), update_bn and
SWALR, with float64 values compared step by step."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.optim import swa_utils

torch = pytest.importorskip("torch")

SWA = {"ours": (ag, swa_utils), "torch": (torch, torch.optim.swa_utils)}


def _model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).double()


def _twins():
    theirs = _model(torch)
    ours = _model(ag)
    ours.load_state_dict({k: ag.tensor(v.detach().cpu().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


def _np(t):
    return t.detach().cpu().numpy()


def _train(lib, model, averaged, steps, seed=0):
    """SGD steps on a random regression; the average is updated after each one."""
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = lib.tensor(rng.standard_normal((8, 3)))
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        averaged.update_parameters(model)


def _assert_same_state(ours, theirs, rtol=1e-12):
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for key, value in tsd.items():
        assert str(sd[key].dtype).split(".")[-1] == str(value.dtype).split(".")[-1], key
        np.testing.assert_allclose(_np(sd[key]), _np(value), rtol=rtol, atol=1e-14, err_msg=key)


AVERAGES = {
    "swa": lambda m: dict(),
    "swa-buffers": lambda m: dict(use_buffers=True),
    "ema-multi": lambda m: dict(multi_avg_fn=m.get_ema_multi_avg_fn(0.9)),
    "ema-multi-buffers": lambda m: dict(multi_avg_fn=m.get_ema_multi_avg_fn(0.7),
                                        use_buffers=True),
    "ema": lambda m: dict(avg_fn=m.get_ema_avg_fn(0.8), use_buffers=True),
    "swa-fn": lambda m: dict(avg_fn=m.get_swa_avg_fn()),
    "swa-multi": lambda m: dict(multi_avg_fn=m.get_swa_multi_avg_fn()),
    "custom": lambda m: dict(avg_fn=lambda a, c, n: a * 0.25 + c * 0.75, use_buffers=True),
}


@pytest.mark.parametrize("kind", list(AVERAGES))
def test_averaged_model_matches_torch(kind):
    ours, theirs = _twins()
    avg_ours = swa_utils.AveragedModel(ours, **AVERAGES[kind](swa_utils))
    kwargs = AVERAGES[kind](torch.optim.swa_utils)
    if ours[0].weight.device.type == "cuda" and not kwargs.keys() & {"avg_fn", "multi_avg_fn"}:
        # on a GPU torch averages with its foreach kernels: the CPU oracle does so when told
        kwargs["multi_avg_fn"] = torch.optim.swa_utils.get_swa_multi_avg_fn()
    avg_theirs = torch.optim.swa_utils.AveragedModel(theirs, **kwargs)
    for steps in (1, 4):
        try:
            _train(torch, theirs, avg_theirs, steps)
        except RuntimeError as error:  # torch's GPU path refuses BatchNorm's integer buffer
            with pytest.raises(RuntimeError, match=re.escape(str(error))):
                _train(ag, ours, avg_ours, steps)
            return
        _train(ag, ours, avg_ours, steps)
        _assert_same_state(avg_ours, avg_theirs)
    assert int(avg_ours.n_averaged) == 5
    x = np.random.default_rng(3).standard_normal((5, 3))
    avg_ours.eval()
    avg_theirs.eval()
    np.testing.assert_allclose(_np(avg_ours(ag.tensor(x))), _np(avg_theirs(torch.tensor(x))),
                               rtol=1e-12)


def test_swa_multi_average_refuses_integer_tensors_like_torch():
    for count in (2, "tensor"):
        messages = []
        for lib in ("ours", "torch"):
            t, m = SWA[lib]
            n = t.tensor(2) if count == "tensor" else count
            with pytest.raises(RuntimeError) as info:
                m.get_swa_multi_avg_fn()([t.tensor([3, 4])], [t.tensor([6, 9])], n)
            messages.append(str(info.value))
        assert messages[0] == messages[1]


def test_averaged_model_is_a_copy_and_saves_like_torch():
    ours, theirs = _twins()
    avg = swa_utils.AveragedModel(ours)
    assert avg.module is not ours and avg.module[0].weight is not ours[0].weight
    assert not any(p.grad is not None for p in avg.parameters())
    ref = torch.optim.swa_utils.AveragedModel(theirs)
    _train(torch, theirs, ref, 3)
    avg.load_state_dict({k: ag.tensor(_np(v)) for k, v in ref.state_dict().items()})
    _assert_same_state(avg, ref)
    assert repr(avg).splitlines()[0] == repr(ref).splitlines()[0] == "AveragedModel("


def test_both_average_functions_refused_like_torch():
    messages = []
    for lib in ("ours", "torch"):
        t, m = SWA[lib]
        with pytest.raises(AssertionError) as info:
            m.AveragedModel(_model(t), avg_fn=m.get_swa_avg_fn(),
                            multi_avg_fn=m.get_swa_multi_avg_fn())
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("fn", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
@pytest.mark.parametrize("decay", [-0.1, 1.5])
def test_bad_decay_raises_torchs_error(fn, decay):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim.swa_utils, fn)(decay)
    with pytest.raises(ValueError) as ours:
        getattr(swa_utils, fn)(decay)
    assert str(ours.value) == str(theirs.value)


def test_average_functions_alone_match_torch():
    rng = np.random.default_rng(1)
    a, c = rng.standard_normal((2, 5))
    for name, args in (("get_ema_avg_fn", (0.9,)), ("get_swa_avg_fn", ())):
        mine = getattr(swa_utils, name)(*args)(ag.tensor(a), ag.tensor(c), 3)
        ref = getattr(torch.optim.swa_utils, name)(*args)(torch.tensor(a), torch.tensor(c), 3)
        np.testing.assert_allclose(_np(mine), _np(ref), rtol=1e-15)
    for name, args in (("get_ema_multi_avg_fn", (0.6,)), ("get_swa_multi_avg_fn", ())):
        mine, ref = [ag.tensor(a)], [torch.tensor(a)]
        getattr(swa_utils, name)(*args)(mine, [ag.tensor(c)], ag.tensor(2))
        getattr(torch.optim.swa_utils, name)(*args)(ref, [torch.tensor(c)], torch.tensor(2))
        np.testing.assert_allclose(_np(mine[0]), _np(ref[0]), rtol=1e-15)


@pytest.mark.parametrize("batches", ["tensors", "pairs"])
def test_update_bn_matches_torch(batches):
    ours, theirs = _twins()
    rng = np.random.default_rng(2)
    data = [rng.standard_normal((6, 3)) for _ in range(4)]
    results = []
    for lib, model in ((ag, ours), (torch, theirs)):
        model.eval()
        loader = [lib.tensor(x) if batches == "tensors" else (lib.tensor(x), lib.zeros(6))
                  for x in data]
        SWA["ours" if lib is ag else "torch"][1].update_bn(loader, model)
        bn = model[1]
        results.append((_np(bn.running_mean), _np(bn.running_var),
                        int(bn.num_batches_tracked), bn.momentum, model.training))
    for mine, ref in zip(*results):
        np.testing.assert_allclose(mine, ref, rtol=1e-12)


def test_update_bn_leaves_instance_norm_and_models_without_batch_norm_alone():
    model = ag.nn.Sequential(ag.nn.Linear(3, 3), ag.nn.InstanceNorm1d(3, track_running_stats=True))
    before = copy.deepcopy(model.state_dict())
    swa_utils.update_bn([ag.randn(2, 3, 5)], ag.nn.Sequential(model[1]))
    assert all(np.array_equal(_np(v), _np(model.state_dict()[k])) for k, v in before.items())


SWALR_CASES = [dict(swa_lr=0.05), dict(swa_lr=[0.01, 0.5], anneal_epochs=4),
               dict(swa_lr=0.2, anneal_epochs=3, anneal_strategy="linear"),
               dict(swa_lr=0.05, anneal_epochs=0)]


def _opt(lib):
    t = SWA[lib][0]
    return t.optim.SGD([{"params": [t.zeros(1, requires_grad=True)]},
                        {"params": [t.zeros(1, requires_grad=True)], "lr": 0.3}],
                       lr=0.1, momentum=0.9)


def _swalr_run(lib, kwargs, before=0, steps=14, state=None):
    """`before` epochs of cosine annealing, then SWALR; the lrs and get_last_lr() each step."""
    opt = _opt(lib)
    mod = SWA[lib][0].optim
    cosine = mod.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(before):
        opt.step()
        cosine.step()
    sched = SWA[lib][1].SWALR(opt, **kwargs)
    if state is not None:
        opt.load_state_dict(state[0])
        sched.load_state_dict(copy.deepcopy(state[1]))
    seq = []
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append([g["lr"] for g in opt.param_groups] + sched.get_last_lr())
    return seq, opt, sched


@pytest.mark.parametrize("kwargs", SWALR_CASES)
@pytest.mark.parametrize("before", [0, 4])
def test_swalr_matches_torch(kwargs, before):
    ours = _swalr_run("ours", kwargs, before)[0]
    theirs = _swalr_run("torch", kwargs, before)[0]
    assert np.allclose(ours, theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("source", ["ours", "torch"])
@pytest.mark.parametrize("target", ["ours", "torch"])
def test_swalr_state_dict_resumes_in_either_library(source, target):
    kwargs = SWALR_CASES[2]
    full = _swalr_run("torch", kwargs, steps=6)[0]
    _, opt, sched = _swalr_run(source, kwargs, steps=2)
    state = sched.state_dict()
    assert "anneal_func" not in state and "optimizer" not in state
    groups = {"state": {}, "param_groups": opt.state_dict()["param_groups"]}
    rest = _swalr_run(target, kwargs, steps=4, state=(groups, state))[0]
    assert np.allclose(rest, full[2:], rtol=1e-12, atol=0)


@pytest.mark.parametrize("kwargs", [dict(swa_lr=0.1, anneal_strategy="exp"),
                                    dict(swa_lr=0.1, anneal_epochs=-1),
                                    dict(swa_lr=0.1, anneal_epochs=2.5),
                                    dict(swa_lr=[0.1, 0.2, 0.3])])
def test_swalr_bad_arguments_raise_torchs_error(kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.optim.swa_utils.SWALR(_opt("torch"), **kwargs)
    with pytest.raises(ValueError) as ours:
        swa_utils.SWALR(_opt("ours"), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_names_are_torchs():
    assert "swa_utils" in ag.optim.__all__ and "swa_utils" in dir(ag.optim)
    assert ag.optim.swa_utils is swa_utils
    assert set(swa_utils.__all__) == set(torch.optim.swa_utils.__all__)
    assert {n for n in dir(swa_utils) if not n.startswith("_")} >= set(swa_utils.__all__)
