"""Adadelta, Adagrad, Adamax, NAdam, RAdam and LBFGS against torch.optim (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim

torch = pytest.importorskip("torch")

NEW = [("Adadelta", dict(rho=0.8)), ("Adagrad", dict(lr_decay=0.01)),
       ("Adamax", dict()), ("NAdam", dict(weight_decay=0.1)),
       ("RAdam", dict(betas=(0.5, 0.6)))]


def _problem(lib, seed=0):
    """A small least-squares regression with a tanh layer: params, and a loss function."""
    rng = np.random.default_rng(seed)
    w1, b1, w2 = (rng.standard_normal(s) * 0.5 for s in ((3, 5), (5,), (5, 1)))
    x, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    params = [lib.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    xt, yt = lib.tensor(x), lib.tensor(y)

    def loss_fn():
        return ((lib.tanh(xt @ params[0] + params[1]) @ params[2] - yt) ** 2).mean()

    return params, loss_fn


def _np(t):
    return t.detach().cpu().numpy()


def _closure(opt, loss_fn, evals):
    def closure():
        evals.append(1)
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    return closure


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(lr=0.5, history_size=3, max_iter=7),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=30, tolerance_change=1e-12),
    dict(lr=0.1, max_iter=4, max_eval=6, tolerance_grad=1e-3),
], ids=["default", "short-history", "wolfe", "wolfe-long", "tolerances"])
def test_lbfgs_trajectory_matches_torch(kwargs):
    ours, f = _problem(ag)
    theirs, g = _problem(torch)
    opt, ref = optim.LBFGS(ours, **kwargs), torch.optim.LBFGS(theirs, **kwargs)
    our_evals, their_evals = [], []
    # 60 iterations amplify round-off: torch started 1e-15 apart from itself ends 6e-8 apart
    # after three default steps here, so the tolerance grows with the step (the counts of
    # evaluations and iterations, compared below, must still be equal).
    for step, tol in enumerate((1e-8, 1e-6, 1e-4)):
        a = opt.step(_closure(opt, f, our_evals))
        b = ref.step(_closure(ref, g, their_evals))
        assert a.item() == pytest.approx(b.item(), rel=tol), step
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(_np(p), _np(q), rtol=tol, atol=tol)
    assert len(our_evals) == len(their_evals)
    s, t = opt.state[ours[0]], ref.state[theirs[0]]
    assert (s["func_evals"], s["n_iter"]) == (t["func_evals"], t["n_iter"])
    assert set(s) == set(t)


def test_lbfgs_state_dict_round_trip_continues_like_torch():
    ours, f = _problem(ag)
    theirs, g = _problem(torch)
    opt, ref = optim.LBFGS(ours, history_size=4), torch.optim.LBFGS(theirs, history_size=4)
    opt.step(_closure(opt, f, []))
    ref.step(_closure(ref, g, []))
    twin, f2 = _problem(ag)
    for p, q in zip(twin, ours):
        p.data = q.detach().clone()
    resumed = optim.LBFGS(twin, history_size=4)
    resumed.load_state_dict(ref.state_dict())  # torch's own state, with tensors in lists
    resumed.step(_closure(resumed, f2, []))
    ref.step(_closure(ref, g, []))
    for p, q in zip(twin, theirs):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-9, atol=1e-11)


def test_lbfgs_refuses_like_torch():
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError) as ours:
        optim.LBFGS([{"params": [p]}, {"params": [ag.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError) as theirs:
        torch.optim.LBFGS([{"params": [torch.zeros(2, requires_grad=True)]},
                           {"params": [torch.zeros(1, requires_grad=True)]}])
    assert str(ours.value) == str(theirs.value)
    opt = optim.LBFGS([p], line_search_fn="backtracking")
    ref = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], line_search_fn="backtracking")
    with pytest.raises(RuntimeError) as theirs:
        ref.step(lambda: (ref.param_groups[0]["params"][0] - 1).pow(2).sum().backward() or
                 torch.tensor(1.0))
    with pytest.raises(RuntimeError, match=str(theirs.value)):
        opt.step(lambda: (p - 1).pow(2).sum().backward() or ag.tensor(1.0))


@pytest.mark.parametrize("name,kwargs", NEW, ids=[n for n, _ in NEW])
def test_state_dict_round_trip_continues_identically(name, kwargs):
    ours, f = _problem(ag)
    theirs, g = _problem(torch)
    opt = getattr(optim, name)(ours, lr=0.05, **kwargs)
    ref = getattr(torch.optim, name)(theirs, lr=0.05, **kwargs)
    for o, lib_loss in ((opt, f), (ref, g)):
        for _ in range(3):
            o.zero_grad()
            lib_loss().backward()
            o.step()
    sd, tsd = opt.state_dict(), ref.state_dict()
    assert set(sd["state"][0]) == set(tsd["state"][0])
    assert set(sd["param_groups"][0]) == set(tsd["param_groups"][0])
    for source in (sd, tsd):  # our own state and torch's both resume the trajectory
        twin, f2 = _problem(ag)
        for p, q in zip(twin, ours):
            p.data = q.detach().clone()
        other = getattr(optim, name)(twin, lr=123.0)
        other.load_state_dict(source)
        assert other.param_groups[0]["lr"] == 0.05
        other.zero_grad()
        f2().backward()
        other.step()
        ref_copy = getattr(torch.optim, name)([torch.tensor(_np(q), requires_grad=True)
                                               for q in theirs], lr=0.05, **kwargs)
        ref_copy.load_state_dict(tsd)
        params = ref_copy.param_groups[0]["params"]
        _step_torch_at(ref_copy, params)
        for p, q in zip(twin, params):
            np.testing.assert_allclose(_np(p), _np(q), rtol=1e-10, atol=1e-12)


def _step_torch_at(opt, params):
    """One torch step of `opt` on the regression problem, evaluated at `params`."""
    fresh, loss_fn = _problem(torch)
    with torch.no_grad():
        for p, q in zip(fresh, params):
            p.copy_(q)
    opt.zero_grad()
    loss_fn().backward()
    for p, q in zip(params, fresh):
        p.grad = q.grad
    opt.step()


@pytest.mark.parametrize("name,kwargs", [
    ("Adadelta", dict(lr=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(eps=-1)),
    ("Adadelta", dict(weight_decay=-1)), ("Adagrad", dict(lr_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
    ("Adamax", dict(betas=(1.0, 0.9))), ("Adamax", dict(betas=(0.9, -0.1))),
    ("NAdam", dict(momentum_decay=-1)), ("NAdam", dict(weight_decay=-1)),
    ("RAdam", dict(eps=-1)), ("RAdam", dict(lr=-0.1)), ("LBFGS", dict(lr=-1)),
])
def test_bad_arguments_raise_torchs_error(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name,flag", [("Adadelta", "capturable"), ("Adagrad", "differentiable"),
                                       ("NAdam", "differentiable"), ("Adam", "capturable"),
                                       ("SGD", "differentiable"), ("RMSprop", "capturable")])
def test_unsupported_switches_raise_type_error_naming_them(name, flag):
    with pytest.raises(TypeError, match=flag):
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], **{flag: True})


def test_defaults_are_torchs():
    for name in ("Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam", "LBFGS", "SGD", "Adam",
                 "AdamW", "RMSprop"):
        ours = getattr(optim, name)([ag.zeros(1, requires_grad=True)]).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
        assert {k: v for k, v in ours.items() if k in theirs} == \
            {k: v for k, v in theirs.items() if k in ours}, name
        assert set(theirs) == set(ours), name


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_nadam_follows_torchs_scalar_dtype(default):
    """torch keeps NAdam's mu_product in its default-dtype-dependent scalar dtype."""
    prev_ag, prev_torch = ag.get_default_dtype(), torch.get_default_dtype()
    ag.set_default_dtype(getattr(ag, default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        ours, f = _problem(ag)
        theirs, g = _problem(torch)
        opt, ref = optim.NAdam(ours, lr=0.05), torch.optim.NAdam(theirs, lr=0.05)
        for o, loss_fn in ((opt, f), (ref, g)):
            for _ in range(6):
                o.zero_grad()
                loss_fn().backward()
                o.step()
    finally:
        ag.set_default_dtype(prev_ag)
        torch.set_default_dtype(prev_torch)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-12, atol=1e-14)
    assert str(opt.state[ours[0]]["mu_product"].dtype) == str(ref.state[theirs[0]]["mu_product"]
                                                              .dtype)


@pytest.mark.parametrize("name,kwargs", [("NAdam", {}), ("Adagrad", {}), ("Adadelta", {}),
                                         ("LBFGS", dict(history_size=3))])
def test_state_saved_by_us_resumes_in_torch(name, kwargs):
    """ag.save(optimizer.state_dict()) -> torch.load -> a torch optimizer continues alike."""
    import io

    ours, f = _problem(ag)
    theirs, g = _problem(torch)
    opt = getattr(optim, name)(ours, **kwargs)
    for _ in range(2):
        if name == "LBFGS":
            opt.step(_closure(opt, f, []))
        else:
            opt.zero_grad()
            f().backward()
            opt.step()
    buf = io.BytesIO()
    ag.save(opt.state_dict(), buf)
    buf.seek(0)
    ref = getattr(torch.optim, name)(theirs, **kwargs)
    ref.load_state_dict(torch.load(buf, weights_only=True))
    with torch.no_grad():
        for p, q in zip(theirs, ours):
            p.copy_(torch.tensor(_np(q)))
    for o, loss_fn in ((opt, f), (ref, g)):
        if name == "LBFGS":
            o.step(_closure(o, loss_fn, []))
        else:
            o.zero_grad()
            loss_fn().backward()
            o.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-9, atol=1e-11)
