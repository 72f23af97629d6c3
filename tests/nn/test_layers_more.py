"""The norm and activation layers beyond the first set (GroupNorm, InstanceNorm, RMSNorm,
LRN, Hardswish, Mish, GLU, ...) against PyTorch: values, gradients, running statistics,
state_dict names, reprs, errors; gradcheck and gradgradcheck of the functional forms."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F
from autograd_core.testing import gradcheck, gradgradcheck

from .test_layers import DTYPES, TOL, R, copy_weights, run_both

torch = pytest.importorskip("torch")
tn = torch.nn
TF = torch.nn.functional

LAYERS = [
    ("groupnorm", lambda m: m.GroupNorm(2, 4), (3, 4, 5)),
    ("groupnorm_4d_noaffine", lambda m: m.GroupNorm(3, 6, affine=False), (2, 6, 3, 2)),
    ("groupnorm_nobias", lambda m: m.GroupNorm(1, 4, bias=False), (2, 4, 3)),
    ("instancenorm1d", lambda m: m.InstanceNorm1d(3), (2, 3, 6)),
    ("instancenorm1d_unbatched", lambda m: m.InstanceNorm1d(3, affine=True), (3, 6)),
    ("instancenorm2d_affine", lambda m: m.InstanceNorm2d(4, affine=True), (2, 4, 3, 5)),
    ("instancenorm2d_running", lambda m: m.InstanceNorm2d(2, track_running_stats=True),
     (3, 2, 4, 4)),
    ("instancenorm3d", lambda m: m.InstanceNorm3d(2, affine=True), (2, 2, 3, 2, 2)),
    ("rmsnorm", lambda m: m.RMSNorm(6), (3, 4, 6)),
    ("rmsnorm_2d_eps", lambda m: m.RMSNorm((4, 6), eps=1e-3), (3, 4, 6)),
    ("rmsnorm_noaffine", lambda m: m.RMSNorm(6, elementwise_affine=False), (3, 6)),
    ("lrn", lambda m: m.LocalResponseNorm(3), (2, 5, 4)),
    ("lrn_4d_even", lambda m: m.LocalResponseNorm(4, alpha=0.1, beta=0.5, k=2.0),
     (2, 6, 3, 3)),
    ("hardswish", lambda m: m.Hardswish(), (4, 5)),
    ("hardsigmoid", lambda m: m.Hardsigmoid(), (4, 5)),
    ("mish", lambda m: m.Mish(), (4, 5)),
    ("softsign", lambda m: m.Softsign(), (4, 5)),
    ("tanhshrink", lambda m: m.Tanhshrink(), (4, 5)),
    ("threshold", lambda m: m.Threshold(0.1, 20.0), (4, 5)),
    ("glu", lambda m: m.GLU(), (4, 6)),
    ("glu_dim1", lambda m: m.GLU(1), (4, 6, 3)),
    ("softmin", lambda m: m.Softmin(1), (4, 5)),
    ("softmax2d", lambda m: m.Softmax2d(), (2, 3, 4, 2)),
    ("celu", lambda m: m.CELU(0.7), (4, 5)),
    ("selu", lambda m: m.SELU(), (4, 5)),
    ("rrelu_eval", lambda m: m.RReLU(0.1, 0.3).eval(), (4, 5)),
    ("hardtanh_bounds", lambda m: m.Hardtanh(-0.5, 0.7), (4, 5)),
    ("softplus_beta", lambda m: m.Softplus(beta=2.0, threshold=1.5), (4, 5)),
    ("hardshrink", lambda m: m.Hardshrink(0.3), (4, 5)),
    ("softshrink", lambda m: m.Softshrink(0.3), (4, 5)),
    ("logsigmoid", lambda m: m.LogSigmoid(), (4, 5)),
]


# PyTorch's float64 backwards of these use float32 constants (1/6, 1/alpha): its gradients
# are ~3e-8 relative off the exact ones (checked against exp(x / alpha) for CELU).
LOOSE_F64 = {"hardsigmoid", "celu"}


@DTYPES
@pytest.mark.parametrize(("name", "make", "shape"), LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make, shape, dtype, monkeypatch) -> None:
    if name in LOOSE_F64:
        monkeypatch.setitem(TOL, np.float64, TOL[np.float32])
    torch.manual_seed(0)
    theirs = make(tn).to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():  # non-trivial affine parameters
        for p in theirs.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    ours = make(nn).to(ag.float64 if dtype == np.float64 else ag.float32)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs)
    run_both(ours, theirs, R.standard_normal(shape).astype(dtype), dtype)
    for key, value in theirs.state_dict().items():  # running statistics moved alike
        np.testing.assert_allclose(ours.state_dict()[key].cpu().numpy(),
                                   value.cpu().numpy(), rtol=1e-5, atol=1e-6, err_msg=key)


def test_instancenorm_eval_uses_running_stats() -> None:
    theirs = tn.InstanceNorm1d(3, affine=True, track_running_stats=True).double()
    ours = nn.InstanceNorm1d(3, affine=True, track_running_stats=True).double()
    x = R.standard_normal((4, 3, 5))
    for _ in range(2):
        ours(ag.tensor(x))
        theirs(torch.tensor(x))
    ours.eval()
    theirs.eval()
    run_both(ours, theirs, R.standard_normal((2, 3, 5)), np.float64)


FUNCS = [
    ("group_norm", lambda m, x: m.group_norm(x, 2), (2, 4, 3)),
    ("instance_norm", lambda m, x: m.instance_norm(x), (2, 3, 4)),
    ("rms_norm", lambda m, x: m.rms_norm(x, (4,)), (3, 4)),
    ("local_response_norm", lambda m, x: m.local_response_norm(x, 3), (2, 4, 3)),
    ("hardswish", lambda m, x: m.hardswish(x), (3, 4)),
    ("mish", lambda m, x: m.mish(x), (3, 4)),
    ("glu", lambda m, x: m.glu(x, 0), (4, 3)),
    ("celu", lambda m, x: m.celu(x, 1.5), (3, 4)),
    ("selu", lambda m, x: m.selu(x), (3, 4)),
    ("softsign", lambda m, x: m.softsign(x), (3, 4)),
    ("softmin", lambda m, x: m.softmin(x, 1), (3, 4)),
]


@pytest.mark.parametrize(("name", "fn", "shape"), FUNCS, ids=[c[0] for c in FUNCS])
def test_functional_gradcheck_and_double_backward(name, fn, shape) -> None:
    x = R.standard_normal(shape) * 1.5
    xa = ag.tensor(x, requires_grad=True)
    assert gradcheck(lambda t: fn(F, t), (xa,))
    assert gradgradcheck(lambda t: fn(F, t), (xa,))
    # second derivatives against PyTorch's
    xt = torch.tensor(x, requires_grad=True)
    (gt,) = torch.autograd.grad(fn(TF, xt).pow(2).sum(), xt, create_graph=True)
    (ht,) = torch.autograd.grad(gt.sum(), xt)
    (ga,) = ag.autograd.grad(fn(F, xa).pow(2).sum(), xa, create_graph=True)
    (ha,) = ag.autograd.grad(ga.sum(), xa)
    np.testing.assert_allclose(ha.numpy(), ht.numpy(), rtol=1e-8, atol=1e-10)


def test_rrelu_training_slopes_lie_between_bounds() -> None:
    x = ag.tensor(-np.ones(2000))
    y = F.rrelu(x, 0.1, 0.3, training=True).numpy()
    assert y.min() >= -0.3 and y.max() <= -0.1 and y.std() > 0.03


ERRORS = [
    (lambda m: m.GroupNorm(3, 4), ValueError),
    (lambda m: m.functional.group_norm(m_tensor(m, (2, 6, 4)), 4), RuntimeError),
    (lambda m: m.functional.glu(m_tensor(m, (2, 3))), RuntimeError),
    (lambda m: m.Softmax2d()(m_tensor(m, (2, 3))), ValueError),
    (lambda m: m.functional.celu(m_tensor(m, (3,)), 0.0), RuntimeError),
    (lambda m: m.InstanceNorm1d(3, affine=True)(m_tensor(m, (2, 4, 5))), ValueError),
    (lambda m: m.InstanceNorm1d(3)(m_tensor(m, (2, 3, 1))), ValueError),
    (lambda m: m.InstanceNorm2d(3)(m_tensor(m, (2, 3))), ValueError),
    (lambda m: m.functional.rrelu(m_tensor(m, (3,)), 0.5, 0.2), RuntimeError),
    (lambda m: m.functional.rms_norm(m_tensor(m, (2, 3)), (4,)), RuntimeError),
]


def m_tensor(m, shape):
    return (torch.zeros if m is tn else ag.zeros)(*shape)


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case) -> None:
    make, cls = ERRORS[case]
    with pytest.raises(cls) as theirs:
        make(tn)
    with pytest.raises(cls) as ours:
        make(nn)
    assert str(ours.value) == str(theirs.value)
