"""weight_norm / spectral_norm (hook and parametrization forms), nn.utils.parametrize and
the clip-grad helpers against PyTorch: state_dict names (checkpoints load both ways), reprs,
outputs and gradients after a few training-mode steps, removal, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")
tn = torch.nn
R = np.random.default_rng(17)


def _apply(lib, kind, form, module, **kw):
    utils = lib.utils
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if form == "hook":
            return getattr(utils, kind)(module, **kw)
        return getattr(utils.parametrizations, kind)(module, **kw)


MODULES = [
    ("linear", lambda m: m.Linear(4, 3), (5, 4), {}),
    ("conv2d", lambda m: m.Conv2d(2, 3, 3), (2, 2, 5, 5), {}),
    ("convtranspose2d", lambda m: m.ConvTranspose2d(2, 3, 3), (2, 2, 4, 4), {}),
    ("linear_dim1", lambda m: m.Linear(4, 3), (5, 4), {"dim": 1}),
]


@pytest.mark.parametrize("form", ["hook", "parametrization"])
@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm"])
@pytest.mark.parametrize(("name", "make", "shape", "kw"), MODULES,
                         ids=[m[0] for m in MODULES])
def test_matches_torch_over_steps(name, make, shape, kw, kind, form) -> None:
    torch.manual_seed(0)
    theirs = _apply(tn, kind, form, make(tn).double(), **kw)
    ours = _apply(nn, kind, form, make(nn).double(), **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for _ in range(3):  # power iterations move u, v alike
        x = R.standard_normal(shape)
        xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yt = ours(xa), theirs(xt)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-9,
                                   atol=1e-12)
        ya.pow(2).sum().backward()
        yt.pow(2).sum().backward()
        np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    theirs_p = dict(theirs.named_parameters())
    for key, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_p[key].grad.numpy(), rtol=1e-8,
                                   atol=1e-11, err_msg=key)
    for key, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), v.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=key)
    # our checkpoint loads into PyTorch's module
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm"])
def test_remove_hook_form_gives_back_a_plain_weight(kind) -> None:
    torch.manual_seed(0)
    theirs = _apply(tn, kind, "hook", tn.Linear(3, 2).double())
    ours = _apply(nn, kind, "hook", nn.Linear(3, 2).double())
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    getattr(tn.utils, f"remove_{kind}")(theirs)
    getattr(nn.utils, f"remove_{kind}")(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-12)
    with pytest.raises(ValueError):
        getattr(nn.utils, f"remove_{kind}")(ours)


def test_hook_form_refuses_a_second_registration_like_torch() -> None:
    for lib in (tn, nn):
        m = _apply(lib, "weight_norm", "hook", lib.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
            _apply(lib, "weight_norm", "hook", m)


class Symmetric:
    @staticmethod
    def make(lib):
        class _Sym(lib.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(0, 1)
        return _Sym()


def test_custom_parametrization_remove_and_cached() -> None:
    p = nn.utils.parametrize
    lin = nn.Linear(3, 3).double()
    raw = lin.weight.detach().numpy().copy()
    p.register_parametrization(lin, "weight", Symmetric.make(nn))
    assert type(lin).__name__ == "ParametrizedLinear"
    assert p.is_parametrized(lin) and p.is_parametrized(lin, "weight")
    assert p.type_before_parametrizations(lin) is nn.Linear
    w = lin.weight.detach().numpy()
    np.testing.assert_allclose(w, w.T)
    np.testing.assert_allclose(lin.parametrizations.weight.original.detach().numpy(), raw)
    with p.cached():
        assert lin.weight is lin.weight
    p.remove_parametrizations(lin, "weight")
    assert type(lin) is nn.Linear and not p.is_parametrized(lin)
    assert list(lin.state_dict()) == ["bias", "weight"]  # re-registered last, as in PyTorch
    np.testing.assert_allclose(lin.weight.detach().numpy(), w)


def test_total_norm_and_clip_with_norm_match_torch() -> None:
    grads = [R.standard_normal((3, 4)), R.standard_normal(5)]
    pa = [ag.tensor(g.copy(), requires_grad=True) for g in grads]
    pt = [torch.tensor(g.copy(), requires_grad=True) for g in grads]
    for a, t, g in zip(pa, pt, grads):
        a.grad, t.grad = ag.tensor(g * 3), torch.tensor(g * 3)
    for norm_type in (2.0, 1.0, float("inf")):
        na = nn.utils.get_total_norm([p.grad for p in pa], norm_type)
        nt = tn.utils.get_total_norm([p.grad for p in pt], norm_type)
        np.testing.assert_allclose(na.numpy(), nt.numpy(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(pa, 1.0, nn.utils.get_total_norm([p.grad for p in pa]))
    tn.utils.clip_grads_with_norm_(pt, 1.0, tn.utils.get_total_norm([p.grad for p in pt]))
    for a, t in zip(pa, pt):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        nn.utils.clip_grad_norm(pa, 0.5)


ORTHO = [((4, 4), None, True), ((5, 3), None, True), ((3, 5), None, True),
         ((4, 4), "cayley", True), ((5, 3), "cayley", True), ((5, 3), "householder", False),
         ((3, 5), "householder", False), ((4, 4), "householder", False),
         ((5, 3), "matrix_exp", True)]


@pytest.mark.parametrize(("shape", "orth_map", "triv"), ORTHO,
                         ids=[f"{s[0]}x{s[1]}-{m}-{t}" for s, m, t in ORTHO])
def test_orthogonal_matches_torch_over_sgd_steps(shape, orth_map, triv) -> None:
    torch.manual_seed(0)
    lin_t = tn.Linear(shape[1], shape[0]).double()
    lin_a = nn.Linear(shape[1], shape[0]).double()
    lin_a.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                           lin_t.state_dict().items()})
    par_t, par_a = tn.utils.parametrizations, nn.utils.parametrizations
    theirs = par_t.orthogonal(lin_t, orthogonal_map=orth_map, use_trivialization=triv)
    ours = par_a.orthogonal(lin_a, orthogonal_map=orth_map, use_trivialization=triv)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if shape[0] == shape[1] or not triv:  # no random completion: registration agrees too
        np.testing.assert_allclose(ours.weight.detach().numpy(),
                                   theirs.weight.detach().numpy(), atol=1e-12)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.3)
    opt_a = ag.optim.SGD(ours.parameters(), lr=0.3)
    x = R.standard_normal((6, shape[1]))
    for _ in range(3):
        loss_t = (theirs(torch.tensor(x)) ** 2).sum()
        loss_a = (ours(ag.tensor(x)) ** 2).sum()
        assert loss_a.item() == pytest.approx(loss_t.item(), rel=1e-10)
        for opt, loss in ((opt_t, loss_t), (opt_a, loss_a)):
            opt.zero_grad()
            loss.backward()
            opt.step()
    w = ours.weight.detach().numpy()
    np.testing.assert_allclose(w, theirs.weight.detach().numpy(), atol=1e-10)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-12)


def test_orthogonal_errors_match_torch() -> None:
    for make, kw in ((lambda m: m.Linear(3, 3), {"orthogonal_map": "qr"}),
                     (lambda m: m.BatchNorm1d(3), {})):
        with pytest.raises(ValueError) as theirs:
            tn.utils.parametrizations.orthogonal(make(tn), **kw)
        with pytest.raises(ValueError) as ours:
            nn.utils.parametrizations.orthogonal(make(nn), **kw)
        assert str(ours.value) == str(theirs.value)


def test_orthogonal_matrix_exp_refuses_double_backward_clearly() -> None:
    lin = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3).double())
    x = ag.tensor(R.standard_normal((2, 3)), requires_grad=True)
    (g,) = ag.autograd.grad(lin(x).pow(2).sum(), lin.parametrizations.weight.original,
                            create_graph=True)
    with pytest.raises(RuntimeError, match="double backward is not supported for MatrixExp"):
        g.sum().backward()
