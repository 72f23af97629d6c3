"""The smaller layers and functions (LPPool, ChannelShuffle, MaxUnpool, CosineSimilarity,
alpha dropout, pdist, gumbel_softmax, multilabel margin and custom-distance triplet losses,
SyncBatchNorm, in-place activation aliases) against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F
from autograd_core.testing import gradcheck, gradgradcheck

from .conftest import check_against_torch
from .test_layers import DTYPES, R, copy_weights, run_both

torch = pytest.importorskip("torch")
tn = torch.nn
TF = torch.nn.functional

LAYERS = [
    ("lppool1d", lambda m: m.LPPool1d(2, 3, stride=2), (2, 3, 8)),
    ("lppool2d", lambda m: m.LPPool2d(3, (2, 3)), (2, 2, 4, 6)),
    ("lppool2d_inf", lambda m: m.LPPool2d(float("inf"), 2), (2, 2, 4, 4)),
    ("lppool3d", lambda m: m.LPPool3d(2, 2), (1, 2, 4, 4, 4)),
    ("channel_shuffle", lambda m: m.ChannelShuffle(3), (2, 6, 2, 2)),
    ("syncbatchnorm", lambda m: m.SyncBatchNorm(3), (4, 3, 2, 2)),
    ("dropout3d_eval", lambda m: m.Dropout3d().eval(), (2, 3, 2, 2, 2)),
    ("alpha_dropout_eval", lambda m: m.AlphaDropout(0.3).eval(), (4, 5)),
]


@DTYPES
@pytest.mark.parametrize(("name", "make", "shape"), LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make, shape, dtype) -> None:
    theirs = make(tn).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = make(nn).to(ag.float64 if dtype == np.float64 else ag.float32)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs)
    x = R.standard_normal(shape).astype(dtype)
    if name.startswith("lppool") and "inf" not in name:
        x = np.abs(x) + 0.1  # fractional powers of negatives are NaN in both
    run_both(ours, theirs, x, dtype)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_inverts_max_pool_like_torch(nd) -> None:
    shape = (2, 3) + (6,) * nd
    pool_t = getattr(TF, f"max_pool{nd}d")
    x = R.standard_normal(shape)
    _, idx = pool_t(torch.tensor(x), 2, return_indices=True)
    pooled = pool_t(torch.tensor(x), 2)
    ours = getattr(nn, f"MaxUnpool{nd}d")(2)
    theirs = getattr(tn, f"MaxUnpool{nd}d")(2)
    assert repr(ours) == repr(theirs)
    check_against_torch(lambda p: ours(p, ag.tensor(idx.numpy())),
                        lambda p: theirs(p, idx), [pooled.numpy()])


FUNCS = [
    ("cosine_similarity", lambda m, a, b: m.CosineSimilarity(0)(a, b), (4, 3), (4, 3)),
    ("pdist", lambda m, a: m.functional.pdist(a), (5, 3)),
    ("pdist_p1", lambda m, a: m.functional.pdist(a, 1), (4, 3)),
    ("triplet_custom", lambda m, a, p, n: m.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: 1 - m.functional.cosine_similarity(x, y), margin=0.5,
        swap=True)(a, p, n), (4, 3), (4, 3), (4, 3)),
    ("triplet_default", lambda m, a, p, n: m.TripletMarginWithDistanceLoss(
        reduction="none")(a, p, n), (4, 3), (4, 3), (4, 3)),
    ("channel_shuffle_fn", lambda m, a: m.functional.channel_shuffle(a, 2), (2, 4, 3)),
]


@DTYPES
@pytest.mark.parametrize(("name", "fn", "shapes"), [(f[0], f[1], f[2:]) for f in FUNCS],
                         ids=[f[0] for f in FUNCS])
def test_function_matches_torch(name, fn, shapes, dtype) -> None:
    check_against_torch(lambda *xs: fn(nn, *xs), lambda *xs: fn(tn, *xs),
                        [R.standard_normal(s) for s in shapes], dtype)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_matches_torch(reduction) -> None:
    target = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 2, 2]])
    check_against_torch(lambda x: nn.MultiLabelMarginLoss(reduction=reduction)(
                            x, ag.tensor(target)),
                        lambda x: tn.MultiLabelMarginLoss(reduction=reduction)(
                            x, torch.tensor(target)),
                        [R.standard_normal((3, 4))])


def test_gradgradcheck_of_composed_functions() -> None:
    x = ag.tensor(R.standard_normal((4, 3)), requires_grad=True)
    assert gradgradcheck(lambda t: F.pdist(t), (x,))
    pos = ag.tensor(np.abs(R.standard_normal((1, 2, 4, 4))) + 0.1, requires_grad=True)
    assert gradcheck(lambda t: F.lp_pool2d(t, 2, 2), (pos,))
    assert gradgradcheck(lambda t: F.lp_pool2d(t, 2, 2), (pos,))


def test_alpha_dropout_keeps_selu_statistics_and_is_identity_in_eval() -> None:
    x = ag.randn(200000, dtype=ag.float64)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    assert F.alpha_dropout(x, 0.2, training=False) is x
    fy = F.feature_alpha_dropout(ag.randn(1000, 8, 3, dtype=ag.float64), 0.5, True).numpy()
    assert (np.ptp(fy - fy[..., :1], axis=-1) != 0).any()  # inputs differ per position


def test_gumbel_softmax_samples_and_straight_through_gradient() -> None:
    ag.manual_seed(0)
    logits = ag.tensor(np.log([[0.7, 0.2, 0.1]]).repeat(4000, 0), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1.0)
    hard = F.gumbel_softmax(logits, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) == {0.0, 1.0}
    np.testing.assert_allclose(h.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (hard * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0


def test_inplace_activation_aliases_write_into_their_input() -> None:
    for name, args in [("relu_", ()), ("elu_", ()), ("leaky_relu_", (0.2,)),
                       ("hardtanh_", ()), ("celu_", ()), ("selu_", ()),
                       ("threshold_", (0.1, 2.0)), ("rrelu_", ())]:
        x = R.standard_normal(6)
        a, t = ag.tensor(x), torch.tensor(x)
        ra, rt = getattr(F, name)(a, *args), getattr(TF, name)(t, *args)
        assert ra is a
        np.testing.assert_allclose(a.numpy(), t.numpy(), err_msg=name)
        np.testing.assert_allclose(ra.numpy(), rt.numpy(), err_msg=name)


def test_convert_sync_batchnorm_keeps_state() -> None:
    model = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3), nn.ReLU())
    model[1].running_mean.fill_(0.5)
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(converted[1], nn.SyncBatchNorm)
    np.testing.assert_allclose(converted[1].running_mean.numpy(), 0.5)
    assert list(converted.state_dict()) == list(model.state_dict())


def test_channel_shuffle_error_matches_torch() -> None:
    with pytest.raises(RuntimeError) as theirs:
        TF.channel_shuffle(torch.zeros(1, 5, 2), 2)
    with pytest.raises(RuntimeError) as ours:
        F.channel_shuffle(ag.zeros(1, 5, 2), 2)
    assert str(ours.value) == str(theirs.value)


def test_init_dirac_sparse_and_aliases() -> None:
    for shape, groups in [((4, 2, 3), 2), ((3, 3, 3, 3), 1), ((2, 2, 1, 3, 3), 1)]:
        w, wt = ag.empty(*shape), torch.empty(*shape)
        nn.init.dirac_(w, groups)
        tn.init.dirac_(wt, groups)
        np.testing.assert_array_equal(w.numpy(), wt.numpy())
    w = ag.empty(10, 6)
    nn.init.sparse_(w, 0.3, std=0.5)
    assert ((w.numpy() == 0).sum(0) >= 3).all()
    assert nn.init.eye is nn.init.eye_ and nn.init.dirac is nn.init.dirac_
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        nn.init.dirac_(ag.empty(2, 2))


def test_pool_with_indices_aliases_match_torch() -> None:
    x = R.standard_normal((1, 2, 4, 6))
    for name, args in [("max_pool2d_with_indices", (2,)),
                       ("adaptive_max_pool2d_with_indices", ((2, 3),))]:
        va, ia = getattr(F, name)(ag.tensor(x), *args)
        vt, it = getattr(TF, name)(torch.tensor(x), *args)
        np.testing.assert_array_equal(va.numpy(), vt.numpy())
        np.testing.assert_array_equal(ia.numpy(), it.numpy())


@DTYPES
def test_adaptive_log_softmax_matches_torch(dtype) -> None:
    torch.manual_seed(0)
    theirs = tn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], div_value=2.0, head_bias=True).to(
        torch.float64 if dtype == np.float64 else torch.float32)
    ours = nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], div_value=2.0, head_bias=True).to(
        dtype)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs)
    x = R.standard_normal((7, 16)).astype(dtype)
    y = np.array([0, 3, 5, 9, 12, 19, 2])
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oa, ot = ours(xa, ag.tensor(y)), theirs(xt, torch.tensor(y))
    tol = {"rtol": 1e-9, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(oa.output.detach().numpy(), ot.output.detach().numpy(), **tol)
    oa.loss.backward()
    ot.loss.backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), **tol)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), err_msg=name, **tol)
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x)).detach().numpy(),
                               theirs.log_prob(torch.tensor(x)).detach().numpy(), **tol)
    np.testing.assert_array_equal(ours.predict(ag.tensor(x)).numpy(),
                                  theirs.predict(torch.tensor(x)).numpy())
    for bad in ([], [4, 4], [0, 3], [25]):
        with pytest.raises(ValueError):
            nn.AdaptiveLogSoftmaxWithLoss(16, 20, bad)
    with pytest.raises(RuntimeError, match="Target values should be in"):
        ours(ag.tensor(x), ag.tensor([0, 1, 2, 3, 4, 5, 20]))


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_fractional_max_pool_matches_torch_with_fixed_samples(nd, dtype) -> None:
    shape = (2, 3, 11, 9) if nd == 2 else (1, 2, 7, 8, 9)
    x = R.standard_normal(shape).astype(dtype)
    s = R.random((*shape[:2], nd)).astype(dtype)
    kw = {"output_size": (5, 4)} if nd == 2 else {"output_ratio": 0.5}
    ours = getattr(nn, f"FractionalMaxPool{nd}d")(2, return_indices=True,
                                                   _random_samples=ag.tensor(s), **kw)
    theirs = getattr(tn, f"FractionalMaxPool{nd}d")(2, return_indices=True,
                                                     _random_samples=torch.tensor(s), **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ya, ia), (yt, it) = ours(xa), theirs(xt)
    np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    ya.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_fractional_max_pool_draws_and_errors() -> None:
    y = F.fractional_max_pool2d(ag.randn(2, 3, 10, 10), 3, output_ratio=0.5)
    assert tuple(y.shape) == (2, 3, 5, 5)
    for kw in ({}, {"output_size": 4, "output_ratio": 0.5}, {"output_ratio": 1.5}):
        with pytest.raises(ValueError) as theirs:
            tn.FractionalMaxPool2d(2, **kw)
        with pytest.raises(ValueError) as ours:
            nn.FractionalMaxPool2d(2, **kw)
        assert str(ours.value) == str(theirs.value)


def test_deprecated_names_warn_like_torch_and_aliases_work() -> None:
    for name, args in (("NLLLoss2d", ()), ("Container", ())):
        with pytest.warns(FutureWarning) as theirs:
            getattr(tn, name)(*args)
        with pytest.warns(FutureWarning) as ours:
            getattr(nn, name)(*args)
        assert str(ours[0].message) == str(theirs[0].message)
    x = R.standard_normal((1, 2, 4, 4, 4))
    (va, ia), (vt, it) = F.max_pool3d_with_indices(ag.tensor(x), 2), \
        TF.max_pool3d_with_indices(torch.tensor(x), 2)
    np.testing.assert_array_equal(va.numpy(), vt.numpy())
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    np.testing.assert_array_equal(F.native_channel_shuffle(ag.tensor(x[0]), 2).numpy(),
                                  TF.native_channel_shuffle(torch.tensor(x[0]), 2).numpy())
    s = R.random((1, 2, 2))
    _, ia = F.fractional_max_pool2d_with_indices(ag.tensor(x[..., 0]), 2, output_size=2,
                                                 _random_samples=ag.tensor(s))
    _, it = TF.fractional_max_pool2d_with_indices(torch.tensor(x[..., 0]), 2, output_size=2,
                                                  _random_samples=torch.tensor(s))
    np.testing.assert_array_equal(ia.numpy(), it.numpy())


def test_checkpoint_helpers_match_torch() -> None:
    from autograd_core.utils import checkpoint as cp

    t = ag.ones(2, requires_grad=True)
    out = cp.detach_variable((t, 3))
    assert out[1] == 3 and out[0].requires_grad and out[0].grad_fn is None
    with pytest.raises(RuntimeError) as theirs:
        torch.utils.checkpoint.detach_variable([torch.ones(1)])
    with pytest.raises(RuntimeError) as ours:
        cp.detach_variable([ag.ones(1)])
    assert str(ours.value) == str(theirs.value)
    with cp.set_checkpoint_early_stop(False), cp.set_checkpoint_debug_enabled(True):
        assert cp.checkpoint(lambda a: a * 2, t, use_reentrant=False).requires_grad


@pytest.mark.parametrize("separate", [False, True])
def test_multi_head_attention_forward_matches_torch(separate) -> None:
    torch.manual_seed(0)
    kw = {"kdim": 6, "vdim": 5} if separate else {"add_bias_kv": True, "add_zero_attn": True}
    mha = tn.MultiheadAttention(8, 2, **kw).double()
    sd = {k: v.detach().numpy() for k, v in mha.state_dict().items()}
    q, k, v = (R.standard_normal((5, 3, 8)), R.standard_normal((4, 3, kw.get("kdim", 8))),
               R.standard_normal((4, 3, kw.get("vdim", 8))))
    mask = np.triu(np.full((5, 4), -np.inf), 1)

    def call(lib, fn, q, k, v, wq):
        proj = ({"use_separate_proj_weight": True, "q_proj_weight": wq,
                 "k_proj_weight": lib.tensor(sd["k_proj_weight"]),
                 "v_proj_weight": lib.tensor(sd["v_proj_weight"])} if separate else {})
        in_w = None if separate else wq
        out, w = fn(q, k, v, 8, 2, in_w, lib.tensor(sd["in_proj_bias"]),
                    None if separate else lib.tensor(sd["bias_k"]),
                    None if separate else lib.tensor(sd["bias_v"]), not separate, 0.0,
                    lib.tensor(sd["out_proj.weight"]), lib.tensor(sd["out_proj.bias"]),
                    training=False, attn_mask=lib.tensor(mask), **proj)
        return out + w.sum() * 0.1

    wname = "q_proj_weight" if separate else "in_proj_weight"
    check_against_torch(lambda *a: call(ag, F.multi_head_attention_forward, *a),
                        lambda *a: call(torch, TF.multi_head_attention_forward, *a),
                        [q, k, v, sd[wname]])
    with pytest.raises(TypeError, match="static_k"):
        F.multi_head_attention_forward(ag.zeros(2, 1, 8), ag.zeros(2, 1, 8), ag.zeros(2, 1, 8),
                                       8, 2, ag.zeros(24, 8), None, None, None, False, 0.0,
                                       ag.zeros(8, 8), None, static_k=ag.zeros(2, 2, 4))
