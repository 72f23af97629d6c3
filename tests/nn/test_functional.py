"""nn.functional against PyTorch: forward values and every gradient, float64 and float32."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core.testing.gradcheck import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

R = np.random.default_rng(7)


def randn(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


# name, ours, torch's, inputs (float arrays get gradients; integer arrays are indices)
CASES = [
    ("relu", F.relu, TF.relu, [randn(4, 5)]),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2),
     [randn(4, 5)]),
    ("gelu", F.gelu, TF.gelu, [randn(6, 7) * 3]),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: TF.gelu(x, approximate="tanh"), [randn(6, 7) * 3]),
    ("gelu_far_tails", F.gelu, TF.gelu, [np.linspace(-12, 12, 97)]),
    # dense: float32 takes its own erf (Abramowitz & Stegun), float64 Cephes'
    ("gelu_dense", F.gelu, TF.gelu, [np.linspace(-9, 9, 4001)]),
    ("silu", F.silu, TF.silu, [randn(4, 5) * 3]),
    ("tanh", F.tanh, TF.tanh, [randn(4, 5)]),
    ("sigmoid", F.sigmoid, TF.sigmoid, [randn(4, 5)]),
    ("elu", lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7), [randn(4, 5)]),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid, [randn(4, 5) * 30]),
    ("softplus", lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0),
     [randn(4, 5) * 4]),
    ("hardtanh", F.hardtanh, TF.hardtanh, [randn(4, 5) * 2]),
    ("relu6", F.relu6, TF.relu6, [randn(4, 5) * 5]),
    ("softmax", lambda x: F.softmax(x, dim=1), lambda x: TF.softmax(x, dim=1),
     [randn(3, 4, 5)]),
    ("log_softmax", lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1),
     [randn(3, 6)]),
    ("linear", F.linear, TF.linear, [randn(5, 3), randn(4, 3), randn(4)]),
    ("linear_no_bias", F.linear, TF.linear, [randn(5, 3), randn(4, 3)]),
    ("linear_3d", F.linear, TF.linear, [randn(2, 5, 3), randn(4, 3), randn(4)]),
    ("linear_1d", F.linear, TF.linear, [randn(3), randn(4, 3), randn(4)]),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (5,), w, b),
     lambda x, w, b: TF.layer_norm(x, (5,), w, b), [randn(3, 4, 5), randn(5), randn(5)]),
    ("layer_norm_2dims", lambda x, w, b: F.layer_norm(x, (4, 5), w, b, eps=1e-3),
     lambda x, w, b: TF.layer_norm(x, (4, 5), w, b, eps=1e-3),
     [randn(3, 4, 5), randn(4, 5), randn(4, 5)]),
    ("layer_norm_plain", lambda x: F.layer_norm(x, 6), lambda x: TF.layer_norm(x, (6,)),
     [randn(2, 6)]),
    ("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
     [randn(6, 3, 4), randn(3), randn(3)]),
    ("batch_norm_2d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
     [randn(4, 3, 2, 5), randn(3), randn(3)]),
    ("embedding", lambda i, w: F.embedding(i, w), lambda i, w: TF.embedding(i, w),
     [np.array([[1, 2, 1], [0, 4, 1]]), randn(5, 3)]),
    # over 64 lookups with repeats: the backward's sort-and-rounds path
    ("embedding_repeats", lambda i, w: F.embedding(i, w), lambda i, w: TF.embedding(i, w),
     [R.integers(0, 20, (10, 30)), randn(20, 3)]),
    ("embedding_padding", lambda i, w: F.embedding(i, w, padding_idx=1),
     lambda i, w: TF.embedding(i, w, padding_idx=1),
     [np.array([[1, 2, 1], [0, 4, 1]]), randn(5, 3)]),
    ("embedding_freq", lambda i, w: F.embedding(i, w, scale_grad_by_freq=True),
     lambda i, w: TF.embedding(i, w, scale_grad_by_freq=True),
     [np.array([[1, 2, 1], [0, 4, 1]]), randn(5, 3)]),
    ("pad_constant", lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
     lambda x: TF.pad(x, (1, 2, 0, 1), value=0.5), [randn(2, 3, 4)]),
    ("pad_crop", lambda x: F.pad(x, (-1, 2)), lambda x: TF.pad(x, (-1, 2)), [randn(2, 4)]),
    ("pad_reflect", lambda x: F.pad(x, (2, 1), mode="reflect"),
     lambda x: TF.pad(x, (2, 1), mode="reflect"), [randn(2, 3, 4)]),
    ("pad_reflect_2d", lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"),
     lambda x: TF.pad(x, (2, 1, 1, 2), mode="reflect"), [randn(1, 2, 3, 4)]),
    ("pad_replicate", lambda x: F.pad(x, (3, 1, 2, 0), mode="replicate"),
     lambda x: TF.pad(x, (3, 1, 2, 0), mode="replicate"), [randn(1, 2, 3, 4)]),
    ("pad_circular", lambda x: F.pad(x, (2, 1), mode="circular"),
     lambda x: TF.pad(x, (2, 1), mode="circular"), [randn(2, 3, 4)]),
    ("normalize", F.normalize, TF.normalize, [randn(4, 5)]),
    # rows of 8 or more along the last axis: max by folding halves (odd lengths too), sums
    # as products with ones
    ("softmax_rows", lambda x: F.softmax(x, dim=-1), lambda x: TF.softmax(x, dim=-1),
     [randn(3, 4, 37) * 5]),
    ("log_softmax_rows", lambda x: F.log_softmax(x, dim=2), lambda x: TF.log_softmax(x, dim=2),
     [randn(2, 3, 64) * 5]),
    ("normalize_p1", lambda x: F.normalize(x, p=1.0, dim=0),
     lambda x: TF.normalize(x, p=1.0, dim=0), [randn(4, 5)]),
    ("cosine_similarity", F.cosine_similarity, TF.cosine_similarity,
     [randn(4, 5), randn(4, 5)]),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "ours", "theirs", "arrays"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, ours, theirs, arrays, dtype, check) -> None:
    check(ours, theirs, arrays, dtype)


GRADCHECK = ["gelu", "silu", "elu", "softplus", "logsigmoid", "linear_3d", "layer_norm_2dims",
             "batch_norm_2d", "pad_reflect_2d", "normalize", "embedding"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck_central_differences(name: str) -> None:
    _, ours, _, arrays = next(c for c in CASES if c[0] == name)
    inputs = [ag.tensor(a, requires_grad=np.issubdtype(a.dtype, np.floating)) for a in arrays]
    assert gradcheck(ours, tuple(inputs))


def test_zero_vector_normalize_has_finite_grad() -> None:
    x = ag.zeros(2, 3, dtype=ag.float64, requires_grad=True)
    F.normalize(x).sum().backward()
    assert np.isfinite(x.grad.cpu().numpy()).all()


def test_dropout_statistics_and_grad() -> None:
    ag.manual_seed(0)
    x = ag.ones(200, 100, requires_grad=True)
    y = F.dropout(x, 0.3)
    kept = y.detach().cpu().numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.detach().cpu().numpy()[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy() != 0, kept)
    assert y.dtype == ag.float32


def test_dropout_off_returns_input_and_bad_p_raises() -> None:
    x = ag.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert (F.dropout(x, 1.0).cpu().numpy() == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


def test_dropout2d_drops_whole_channels() -> None:
    ag.manual_seed(3)
    y = F.dropout2d(ag.ones(8, 16, 3, 3), 0.5).cpu().numpy()
    per_channel = y.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel != 0).all(-1)).all()


def test_one_hot() -> None:
    out = F.one_hot(ag.tensor([0, 2, 1]), 4)
    expected = TF.one_hot(torch.tensor([0, 2, 1]), 4).cpu().numpy()
    np.testing.assert_array_equal(out.cpu().numpy(), expected)
    assert out.dtype == ag.int64
    assert F.one_hot(ag.tensor([[1, 3]])).shape == (1, 2, 4)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ag.tensor([5]), 3)


def test_float32_stays_float32() -> None:
    x = ag.randn(4, 3)
    w, b = ag.randn(2, 3, requires_grad=True), ag.randn(2, requires_grad=True)
    for out in (F.linear(x, w, b), F.gelu(x), F.silu(x), F.layer_norm(x, (3,)),
                F.leaky_relu(x), F.softplus(x), F.elu(x)):
        assert out.dtype == ag.float32
    F.linear(x, w, b).sum().backward()
    assert w.grad.dtype == ag.float32 and b.grad.dtype == ag.float32


def test_linear_errors_name_shapes_and_dtypes() -> None:
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(5x3 "
                                           r"and 4x2\)"):
        F.linear(ag.randn(5, 3), ag.randn(2, 4))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(ag.randn(5, 3, dtype=ag.float64), ag.randn(2, 3))


def test_layer_norm_shape_error() -> None:
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(ag.randn(2, 3), (4,))


def test_embedding_errors() -> None:
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ag.tensor([7]), ag.randn(5, 2))
    with pytest.raises(RuntimeError, match="Long, Int"):
        F.embedding(ag.tensor([1.0]), ag.randn(5, 2))


def test_embedding_max_norm_renorms_rows_in_place() -> None:
    w_np = randn(5, 3) * 4
    w, wt = ag.tensor(w_np.copy()), torch.tensor(w_np.copy())
    idx = [[0, 2], [2, 4]]
    out = F.embedding(ag.tensor(idx), w, max_norm=1.0)
    ref = TF.embedding(torch.tensor(idx), wt, max_norm=1.0)
    np.testing.assert_allclose(out.cpu().numpy(), ref.cpu().numpy(), rtol=1e-6)
    np.testing.assert_allclose(w.cpu().numpy(), wt.cpu().numpy(), rtol=1e-6)


def test_pad_errors() -> None:
    with pytest.raises(RuntimeError, match="Padding size should be less"):
        F.pad(ag.randn(1, 2, 3), (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(ag.randn(2, 3), (1,))
