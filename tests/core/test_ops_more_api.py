"""The API surface added for real programs (issue 13) beyond the op table: torch.trace as a
callable module, finfo/iinfo, torch.special, in-place and keyword forms, splitting helpers,
Tensor.where/unfold/sum_to_size, the random samplers, and bool-returning comparisons.
Compared with PyTorch where it has the same call."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

X = np.random.default_rng(3).standard_normal((3, 4))


def _both(fn: Any) -> tuple[Any, Any]:
    return fn(ag, ag.tensor(X)), fn(torch, torch.tensor(X))


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def test_trace_is_the_matrix_op_and_the_recorder_package() -> None:
    m = ag.tensor(X[:, :3], requires_grad=True)
    t = ag.trace(m)
    t.backward()
    assert float(t) == pytest.approx(np.trace(X[:, :3]))
    np.testing.assert_array_equal(m.grad.numpy(), np.eye(3))
    assert float(m.trace()) == float(t)
    import autograd_core.trace as recorder_pkg
    from autograd_core.trace import Recorder

    assert recorder_pkg.Recorder is Recorder and ag.trace.record is recorder_pkg.record
    with pytest.raises(RuntimeError, match="trace: expected a matrix"):
        ag.trace(ag.zeros(2))


@pytest.mark.parametrize("name", ["float32", "float64", "float16", "bfloat16"])
def test_finfo_matches_torch(name: str) -> None:
    a, t = ag.finfo(getattr(ag, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(a, field) == getattr(t, field), field
    assert repr(a) == repr(t) and a.dtype == t.dtype


@pytest.mark.parametrize("name", ["int8", "uint8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name: str) -> None:
    a, t = ag.iinfo(getattr(ag, name)), torch.iinfo(getattr(torch, name))
    assert (a.bits, a.min, a.max, a.dtype, repr(a)) == (t.bits, t.min, t.max, t.dtype, repr(t))


def test_info_errors_match_torch() -> None:
    for call in (lambda m: m.finfo(m.int32), lambda m: m.iinfo(m.float32),
                 lambda m: m.iinfo(m.bool)):
        with pytest.raises(TypeError) as want:
            call(torch)
        with pytest.raises(TypeError) as got:
            call(ag)
        assert str(got.value) == str(want.value)
    assert ag.finfo() == ag.finfo(ag.float32)


SPECIAL = ["expit", "logit", "erf", "erfc", "erfinv", "gammaln", "digamma", "psi", "ndtr",
           "log_ndtr", "sinc", "entr", "expm1", "exp2", "log1p", "erfcx"]


@pytest.mark.parametrize("name", SPECIAL)
def test_special_matches_torch(name: str) -> None:
    x = np.array([-3.0, -0.7, 0.2, 0.5, 0.9, 2.5])
    if name in ("logit", "erfinv"):
        x = np.array([0.05, 0.2, 0.5, 0.9])
    a = ag.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ya, yt = getattr(ag.special, name)(a), getattr(torch.special, name)(t)
    np.testing.assert_allclose(_np(ya), _np(yt), rtol=1e-10, atol=1e-12, err_msg=name)
    if yt.requires_grad:
        ya.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_special_two_argument_forms() -> None:
    for name in ("xlogy", "xlog1py"):
        a = getattr(ag.special, name)(ag.tensor([0.0, 2.0, 3.0]), ag.tensor([0.0, 0.5, 1.5]))
        t = getattr(torch.special, name)(torch.tensor([0.0, 2.0, 3.0]),
                                         torch.tensor([0.0, 0.5, 1.5]))
        np.testing.assert_allclose(_np(a), _np(t), rtol=1e-6)
    a = ag.special.polygamma(1, ag.tensor([0.5, 2.0]))
    np.testing.assert_allclose(_np(a), _np(torch.special.polygamma(1, torch.tensor([0.5, 2.0]))),
                               rtol=1e-6)


INPLACE = {
    "erf_": lambda m, x: x.erf_(),
    "lerp_": lambda m, x: x.lerp_(m.ones(4, dtype=x.dtype), 0.25),
    "addcmul_": lambda m, x: x.addcmul_(x, x, value=0.5),
    "addcdiv_": lambda m, x: x.addcdiv_(x, x + 10, value=2),
    "index_add_": lambda m, x: x.index_add_(1, m.tensor([0, 0]), x[:, :2]),
    "index_fill_": lambda m, x: x.index_fill_(0, m.tensor([1]), -2.0),
    "masked_scatter_": lambda m, x: x.masked_scatter_(x > 0, m.zeros(12, dtype=x.dtype) + 7),
    "scatter_reduce_": lambda m, x: x.scatter_reduce_(1, m.tensor([[0, 0]] * 3), x[:, 2:],
                                                      "amax"),
    "nan_to_num_": lambda m, x: x.log().nan_to_num_(nan=-1.0),
    "atan2_": lambda m, x: x.atan2_(x + 3),
    "le_": lambda m, x: x.le_(0.1),
    "logical_not_": lambda m, x: x.logical_not_(),
    "cumprod_": lambda m, x: x.cumprod_(1),
    "clamp_min_": lambda m, x: x.clamp_min_(0.0),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_forms_match_torch(name: str) -> None:
    a, t = ag.tensor(X), torch.tensor(X)
    ra, rt = INPLACE[name](ag, a), INPLACE[name](torch, t)
    np.testing.assert_allclose(_np(a), _np(t), rtol=1e-12, err_msg=name)
    assert ra is not None and _np(ra).shape == _np(rt).shape


def test_inplace_keeps_the_graph() -> None:
    for m in (ag, torch):
        x = m.tensor(X, requires_grad=True)
        y = x * 1
        y.erf_()
        y.sum().backward()
        if m is ag:
            got = x.grad.numpy()
        else:
            want = x.grad.numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


KEYWORDS = {
    "split(split_size=)": lambda m, x: x.split(split_size=3, dim=1),
    "tensor_split:int": lambda m, x: m.tensor_split(x, 3, dim=1),
    "tensor_split:indices": lambda m, x: x.tensor_split([1, 3], dim=1),
    "hsplit": lambda m, x: m.hsplit(x, 2),
    "vsplit": lambda m, x: m.vsplit(x[:2], [1]),
    "where(method)": lambda m, x: x.where(x > 0, 0.5),
    "unfold": lambda m, x: x.unfold(1, 2, 1),
    "sum_to_size": lambda m, x: x.sum_to_size(1, 4),
    "mH": lambda m, x: x.mH,
    "ravel/msort": lambda m, x: (x.ravel(), m.msort(x)),
    "take": lambda m, x: m.take(x, m.tensor([[0, 11], [5, -1]])),
    "inner": lambda m, x: m.inner(x, x),
    "rsub": lambda m, x: m.rsub(x, 2.0, alpha=3),
    "diagflat": lambda m, x: m.diagflat(x[0], 1),
    "scatter(reduce=add)": lambda m, x: x.scatter(1, m.tensor([[0, 0]] * 3), x[:, :2],
                                                  reduce="add"),
    "clamp(tensor bounds)": lambda m, x: x.clamp(min=x[0], max=x[1].abs()),
    "signbit": lambda m, x: m.signbit(x),
    "unravel_index": lambda m, x: m.unravel_index(m.tensor([5, 11]), (3, 4)),
}


@pytest.mark.parametrize("name", list(KEYWORDS))
def test_forms_match_torch(name: str) -> None:
    a, t = _both(lambda m, x: KEYWORDS[name](m, x))
    a = a if isinstance(a, tuple) else (a,)
    t = t if isinstance(t, tuple) else (t,)
    assert len(a) == len(t), name
    for p, q in zip(a, t):
        np.testing.assert_allclose(_np(p), _np(q), rtol=1e-12, err_msg=name)


def test_bool_results() -> None:
    a, b = ag.tensor(X), ag.tensor(X + 1e-9)
    assert ag.allclose(a, b) is True and ag.equal(a, a) is True and ag.equal(a, b) is False
    assert ag.is_floating_point(a) and not ag.is_complex(a)
    assert ag.broadcast_shapes((2, 1), (3,)) == torch.broadcast_shapes((2, 1), (3,))
    assert ag.is_nonzero(ag.tensor([1.0])) and not ag.is_nonzero(ag.tensor(0.0))


def test_samplers_are_seeded_and_distributed() -> None:
    n = 200_000
    ag.manual_seed(1)
    e1 = ag.empty(n).exponential_(2.0)
    ag.manual_seed(1)
    e2 = ag.empty(n).exponential_(2.0)
    assert ag.equal(e1, e2)
    assert float(e1.mean()) == pytest.approx(0.5, rel=0.02)
    assert float(ag.empty(n).geometric_(0.25).mean()) == pytest.approx(4.0, rel=0.02)
    assert float(ag.empty(n).log_normal_(0.0, 0.5).median()) == pytest.approx(1.0, rel=0.02)
    assert float(ag.empty(n).cauchy_(1.0).median()) == pytest.approx(1.0, abs=0.02)
    r = ag.empty(n, dtype=ag.int64).random_(3, 7)
    assert set(np.unique(r.numpy())) == {3, 4, 5, 6}
    assert float(ag.bernoulli(ag.full((n,), 0.3)).mean()) == pytest.approx(0.3, rel=0.02)
    assert float(ag.poisson(ag.full((n,), 4.0)).mean()) == pytest.approx(4.0, rel=0.02)


def test_hessian_of_logdet_matches_torch() -> None:
    """create_graph through the linalg formulas: the Hessian-vector product of logdet."""
    a = X[:, :3] @ X[:, :3].T + 3 * np.eye(3)
    v = np.random.default_rng(0).standard_normal((3, 3))
    out = []
    for m in (ag, torch):
        x = m.tensor(a, requires_grad=True)
        (g,) = m.autograd.grad(m.logdet(x), x, create_graph=True)
        (h,) = m.autograd.grad((g * m.tensor(v)).sum(), x)
        out.append(h.detach().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-10)


def test_printoptions_change_the_repr_as_torch() -> None:
    x = np.linspace(0, 1, 2000)
    try:
        for m in (ag, torch):
            m.set_printoptions(precision=2, threshold=5, edgeitems=2)
        assert repr(ag.tensor(x[:7])) == repr(torch.tensor(x[:7]))
        for m in (ag, torch):
            m.set_printoptions(profile="full")
        assert repr(ag.tensor(x[:30].reshape(5, 6))) == repr(torch.tensor(x[:30].reshape(5, 6)))
    finally:
        for m in (ag, torch):
            m.set_printoptions(profile="default")
    assert repr(ag.tensor(x)) == repr(torch.tensor(x))
    with pytest.raises(TypeError, match="sci_mode"):
        ag.set_printoptions(sci_mode=True)


def test_thread_settings_are_kept() -> None:
    before = ag.get_num_threads()
    ag.set_num_threads(3)
    assert ag.get_num_threads() == 3
    ag.set_num_threads(before)


FUNCTIONAL = {
    "jacobian": lambda m, x: m.autograd.functional.jacobian(lambda a: a.exp() * a[0], x),
    "jacobian:tuple": lambda m, x: m.autograd.functional.jacobian(
        lambda a, b: (a * b, a.sum() * b), (x, x * 2)),
    "hessian": lambda m, x: m.autograd.functional.hessian(lambda a: (a ** 3).sum() * a.sin()
                                                          .sum(), x),
    "vjp": lambda m, x: m.autograd.functional.vjp(lambda a: a * a.sum(), x, x.cos()),
    "jvp": lambda m, x: m.autograd.functional.jvp(lambda a: a * a.sum(), x, x.cos()),
    "hvp": lambda m, x: m.autograd.functional.hvp(lambda a: (a.exp() * a).sum(), x, x.cos()),
    "vhp": lambda m, x: m.autograd.functional.vhp(lambda a: (a.exp() * a).sum(), x, x.cos()),
}


def _flat(v: Any) -> list:
    if isinstance(v, (tuple, list)):
        return [y for item in v for y in _flat(item)]
    return [_np(v)]


@pytest.mark.parametrize("name", list(FUNCTIONAL))
def test_autograd_functional_matches_torch(name: str) -> None:
    x = np.array([0.3, -1.2, 0.8])
    a = FUNCTIONAL[name](ag, ag.tensor(x))
    t = FUNCTIONAL[name](torch, torch.tensor(x))
    for p, q in zip(_flat(a), _flat(t), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12, err_msg=name)


def test_assert_close_passes_and_fails_as_torch() -> None:
    ag.testing.assert_close(ag.ones(3), ag.ones(3) + 1e-7)
    ag.testing.assert_close({"a": [ag.ones(2)]}, {"a": [ag.ones(2)]})
    for call in (lambda m: m.testing.assert_close(m.ones(3), m.tensor([1.0, 1.1, 1.0])),
                 lambda m: m.testing.assert_close(m.ones(3), m.ones(3, dtype=m.float64)),
                 lambda m: m.testing.assert_close(m.ones(3), m.ones(2))):
        with pytest.raises(AssertionError) as want:
            call(torch)
        with pytest.raises(AssertionError) as got:
            call(ag)
        assert str(got.value).split("\n")[0] == str(want.value).split("\n")[0]


def test_diagonal_of_a_matrix_is_a_view_as_torch() -> None:
    """Writes into x.diagonal() reach x (A.diagonal().add_(eps) is a common idiom)."""
    out = []
    for m in (ag, torch):
        y = m.tensor(X, requires_grad=True)
        z = y * 2
        z.diagonal(1).add_(1.0)
        z.diagonal().mul_(3.0)
        (z * z).sum().backward()
        out.append((_np(z), y.grad.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)


def test_result_type_and_can_cast_match_torch() -> None:
    pairs = [("int64", 1.0), ("float32", "float64"), ("int32", True), ("bool", 2)]
    for a, b in pairs:
        def make(m: Any, v: Any) -> Any:
            return m.ones(2, dtype=getattr(m, v)) if isinstance(v, str) else v
        assert str(ag.result_type(make(ag, a), make(ag, b))) == \
            str(torch.result_type(make(torch, a), make(torch, b)))
    names = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
    for a in names:
        for b in names:
            assert ag.can_cast(getattr(ag, a), getattr(ag, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)
