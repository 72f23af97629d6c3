"""Rprop, ASGD and SparseAdam against torch.optim: trajectories (float64), state, errors."""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim

torch = pytest.importorskip("torch")

CASES = [
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08))),  # clipped both ways
    ("Rprop", dict(lr=0.01, maximize=True, foreach=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=3, weight_decay=0.1)),  # averaging on
    ("ASGD", dict(lr=0.05, t0=0, maximize=True, foreach=False)),
]


def _pair(shapes=((3, 4), (4,)), seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = [ag.tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return ours, theirs, rng


def _set_grads(ours, theirs, rng):
    """Random grads with some exact zeros (Rprop treats a zero product apart)."""
    for p, q in zip(ours, theirs):
        g = rng.standard_normal(p.shape)
        g[rng.random(p.shape) < 0.2] = 0.0
        p.grad = ag.tensor(g.copy())
        q.grad = torch.tensor(g.copy())


def _np(t):
    return t.detach().cpu().numpy()


def _assert_state_equal(ours, theirs):
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        if key == "step":  # torch keeps it in a float tensor, we keep an int
            assert mine == int(value.item())
        else:
            np.testing.assert_allclose(_np(mine), _np(value), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch_step_by_step(name, kwargs):
    ours, theirs, rng = _pair()
    opt = getattr(optim, name)(ours, **kwargs)
    ref = getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(10):
        _set_grads(ours, theirs, rng)
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(_np(p), _np(q), rtol=1e-12, atol=1e-14)
    for p, q in zip(ours, theirs):
        _assert_state_equal(opt.state[p], ref.state[q])


def test_rprop_keeps_a_nan_product_like_torch():
    ours, theirs, _ = _pair(shapes=((4,),))
    opt, ref = optim.Rprop(ours), torch.optim.Rprop(theirs)
    for g in ([1.0, -1.0, 2.0, 0.5], [1.0, 2.0, np.nan, 0.0], [1.0, -1.0, 1.0, 1.0]):
        ours[0].grad = ag.tensor(g, dtype=ag.float64)
        theirs[0].grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        ref.step()
        np.testing.assert_array_equal(_np(ours[0]), _np(theirs[0]))


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_asgd_follows_torchs_scalar_dtype(default):
    """torch keeps ASGD's eta and mu in 0-d tensors of its default-dtype scalar dtype."""
    prev_ag, prev_torch = ag.get_default_dtype(), torch.get_default_dtype()
    ag.set_default_dtype(getattr(ag, default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        ours, theirs, rng = _pair()
        kwargs = dict(lr=0.03, lambd=0.01, t0=2)
        opt, ref = optim.ASGD(ours, **kwargs), torch.optim.ASGD(theirs, **kwargs)
        for _ in range(6):
            _set_grads(ours, theirs, rng)
            opt.step()
            ref.step()
    finally:
        ag.set_default_dtype(prev_ag)
        torch.set_default_dtype(prev_torch)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-13, atol=1e-15)
        s, t = opt.state[p], ref.state[q]
        assert str(s["eta"].dtype) == str(t["eta"].dtype)
        np.testing.assert_allclose(_np(s["ax"]), _np(t["ax"]), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[1]],
                         ids=[c[0] for c in CASES if c[1]])
@pytest.mark.parametrize("source", ["ours", "torch"])
def test_state_dict_resumes_in_either_library(name, kwargs, source):
    """Three steps, state_dict saved (ag.save or torch's own), loaded into ours and torch's:
    both continue exactly like the optimizer that never stopped."""
    ours, theirs, rng = _pair()
    opt = getattr(optim, name)(ours, **kwargs)
    ref = getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(3):
        _set_grads(ours, theirs, rng)
        opt.step()
        ref.step()
    if source == "ours":
        buf = io.BytesIO()
        ag.save(opt.state_dict(), buf)
        buf.seek(0)
        saved = torch.load(buf, weights_only=True, map_location="cpu")
    else:
        saved = ref.state_dict()
    sd, tsd = opt.state_dict(), ref.state_dict()
    assert set(sd["param_groups"][0]) == set(tsd["param_groups"][0])
    assert set(sd["state"][0]) == set(tsd["state"][0])
    ours2 = [ag.tensor(_np(p), requires_grad=True) for p in ours]
    theirs2 = [torch.tensor(_np(q), requires_grad=True) for q in theirs]
    opt2 = getattr(optim, name)(ours2, lr=123.0)
    ref2 = getattr(torch.optim, name)(theirs2, lr=123.0)
    opt2.load_state_dict(saved)
    ref2.load_state_dict(copy.deepcopy(saved))  # torch's load keeps the tensors it is given
    assert opt2.param_groups[0]["lr"] == ref2.param_groups[0]["lr"] != 123.0
    for _ in range(3):
        _set_grads(ours2, theirs2, rng)
        for p, q in zip(ours, ours2):
            p.grad = q.grad
        for p, q in zip(theirs, theirs2):
            p.grad = q.grad
        for o in (opt, ref, opt2, ref2):
            o.step()
    for p, q, p2, q2 in zip(ours, theirs, ours2, theirs2):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(_np(p2), _np(q2), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(_np(p2), _np(q), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", [
    ("Rprop", dict(lr=-1)), ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("Rprop", dict(etas=(0.0, 1.2))), ("ASGD", dict(lr=-0.1)), ("ASGD", dict(weight_decay=-1)),
    ("SparseAdam", dict(lr=0)), ("SparseAdam", dict(eps=0)),
    ("SparseAdam", dict(betas=(1.0, 0.9))), ("SparseAdam", dict(betas=(0.9, -0.1))),
])
def test_bad_arguments_raise_torchs_error(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name,flag", [("Rprop", "capturable"), ("Rprop", "differentiable"),
                                       ("ASGD", "capturable"), ("ASGD", "differentiable")])
def test_unsupported_switches_raise_type_error_naming_them(name, flag):
    with pytest.raises(TypeError, match=flag):
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], **{flag: True})


@pytest.mark.parametrize("name", ["Rprop", "ASGD", "SparseAdam"])
def test_defaults_are_torchs(name):
    ours = getattr(optim, name)([ag.zeros(1, requires_grad=True)]).defaults
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
    assert ours == theirs


def test_sparse_adam_refuses_dense_gradients_like_torch():
    ours, theirs, rng = _pair()
    opt, ref = optim.SparseAdam(ours), torch.optim.SparseAdam(theirs)
    # without gradients a step does nothing and returns the closure's loss
    assert opt.step(lambda: 3.0) == ref.step(lambda: 3.0) == 3.0
    _set_grads(ours, theirs, rng)
    with pytest.raises(RuntimeError) as theirs_err:
        ref.step()
    with pytest.raises(RuntimeError) as ours_err:
        opt.step()
    assert str(ours_err.value) == str(theirs_err.value)
    assert dict(opt.state) == {} and len(ref.state) == 0
    np.testing.assert_array_equal(_np(ours[0]), _np(theirs[0]))


def test_new_optimizers_are_exported_like_torchs():
    for name in ("Rprop", "ASGD", "SparseAdam"):
        assert name in optim.__all__ and name in torch.optim.__all__
        assert name in dir(optim)


def test_sparse_adam_refuses_complex_params_like_torch():
    messages = []
    for lib in (ag, torch):
        with pytest.raises(ValueError) as info:
            lib.optim.SparseAdam([lib.zeros(2, requires_grad=True),
                                  lib.zeros(2, dtype=lib.complex64, requires_grad=True)])
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name,kwargs", [("Rprop", dict()), ("Rprop", dict(maximize=True)),
                                         ("ASGD", dict(t0=1, weight_decay=0.1))])
def test_complex_params_move_like_two_reals_as_in_torch(name, kwargs):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    ours = [ag.tensor(a.copy(), requires_grad=True)]
    theirs = [torch.tensor(a.copy(), requires_grad=True)]
    opt = getattr(optim, name)(ours, **kwargs)
    ref = getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(6):
        g = rng.standard_normal(a.shape) + 1j * rng.standard_normal(a.shape)
        ours[0].grad, theirs[0].grad = ag.tensor(g), torch.tensor(g)
        opt.step()
        ref.step()
        np.testing.assert_allclose(_np(ours[0]), _np(theirs[0]), rtol=1e-12, atol=1e-14)
