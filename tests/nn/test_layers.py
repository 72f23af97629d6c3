"""Layers against PyTorch with copied weights; BatchNorm running statistics; init laws."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")
tn = torch.nn

R = np.random.default_rng(5)
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
TOL = {np.float64: dict(rtol=1e-9, atol=1e-10), np.float32: dict(rtol=2e-4, atol=2e-5)}


def copy_weights(ours: nn.Module, theirs) -> None:
    """Give our module PyTorch's parameter and buffer values (same names)."""
    sd = {k: ag.tensor(v.detach().cpu().numpy().copy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(sd)


def run_both(ours, theirs, x: np.ndarray, dtype, grad_input: bool = True) -> None:
    """Forward, backward of a random projection; compare output, input grad, param grads."""
    tol = TOL[dtype]
    xa = ag.tensor(x, requires_grad=grad_input)
    xt = torch.tensor(x, requires_grad=grad_input)
    ya, yt = ours(xa), theirs(xt)
    np.testing.assert_allclose(ya.detach().cpu().numpy(), yt.detach().cpu().numpy(), **tol)
    assert ya.dtype == yt.detach().cpu().numpy().dtype
    seed = R.standard_normal(tuple(yt.shape)).astype(dtype)
    ya.backward(ag.tensor(seed))
    yt.backward(torch.tensor(seed))
    if grad_input:
        np.testing.assert_allclose(xa.grad.cpu().numpy(), xt.grad.cpu().numpy(), **tol)
    theirs_grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.cpu().numpy(), theirs_grads[name].grad.cpu().numpy(),
                                   err_msg=name, **tol)


LAYERS = [
    ("linear", lambda: nn.Linear(5, 3), lambda: tn.Linear(5, 3), (4, 5)),
    ("linear_nobias", lambda: nn.Linear(5, 3, bias=False), lambda: tn.Linear(5, 3, bias=False),
     (2, 4, 5)),
    ("layernorm", lambda: nn.LayerNorm(6), lambda: tn.LayerNorm(6), (3, 4, 6)),
    ("layernorm_2d_nobias", lambda: nn.LayerNorm((4, 6), bias=False),
     lambda: tn.LayerNorm((4, 6), bias=False), (3, 4, 6)),
    ("layernorm_noaffine", lambda: nn.LayerNorm(6, elementwise_affine=False),
     lambda: tn.LayerNorm(6, elementwise_affine=False), (3, 6)),
    ("batchnorm1d", lambda: nn.BatchNorm1d(4), lambda: tn.BatchNorm1d(4), (8, 4)),
    ("batchnorm1d_3d", lambda: nn.BatchNorm1d(4), lambda: tn.BatchNorm1d(4), (8, 4, 5)),
    ("batchnorm2d", lambda: nn.BatchNorm2d(3), lambda: tn.BatchNorm2d(3), (4, 3, 5, 5)),
    ("batchnorm_noaffine", lambda: nn.BatchNorm2d(3, affine=False),
     lambda: tn.BatchNorm2d(3, affine=False), (4, 3, 2, 2)),
    ("relu", nn.ReLU, tn.ReLU, (4, 5)),
    ("leaky", lambda: nn.LeakyReLU(0.3), lambda: tn.LeakyReLU(0.3), (4, 5)),
    ("gelu", nn.GELU, tn.GELU, (4, 5)),
    ("gelu_tanh", lambda: nn.GELU("tanh"), lambda: tn.GELU("tanh"), (4, 5)),
    ("silu", nn.SiLU, tn.SiLU, (4, 5)),
    ("tanh", nn.Tanh, tn.Tanh, (4, 5)),
    ("sigmoid", nn.Sigmoid, tn.Sigmoid, (4, 5)),
    ("elu", nn.ELU, tn.ELU, (4, 5)),
    ("softplus", nn.Softplus, tn.Softplus, (4, 5)),
    ("logsigmoid", nn.LogSigmoid, tn.LogSigmoid, (4, 5)),
    ("softmax", lambda: nn.Softmax(1), lambda: tn.Softmax(1), (4, 5)),
    ("logsoftmax", lambda: nn.LogSoftmax(-1), lambda: tn.LogSoftmax(-1), (4, 5)),
    ("flatten", nn.Flatten, tn.Flatten, (2, 3, 4)),
    ("unflatten", lambda: nn.Unflatten(1, (2, 6)), lambda: tn.Unflatten(1, (2, 6)), (3, 12)),
    ("identity", nn.Identity, tn.Identity, (3, 2)),
    ("convtranspose2d", lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                   output_padding=1, groups=2),
     lambda: tn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     (2, 4, 5, 4)),
    ("convtranspose2d_dilated_nobias", lambda: nn.ConvTranspose2d(3, 2, (2, 3), dilation=2,
                                                                  bias=False),
     lambda: tn.ConvTranspose2d(3, 2, (2, 3), dilation=2, bias=False), (3, 4, 4)),
    ("convtranspose1d", lambda: nn.ConvTranspose1d(3, 4, 4, stride=3, padding=2),
     lambda: tn.ConvTranspose1d(3, 4, 4, stride=3, padding=2), (2, 3, 6)),
    ("prelu", nn.PReLU, tn.PReLU, (4, 3, 2)),
    ("prelu_channels", lambda: nn.PReLU(3, init=0.1), lambda: tn.PReLU(3, init=0.1),
     (4, 3, 2, 2)),
    ("pixelshuffle", lambda: nn.PixelShuffle(2), lambda: tn.PixelShuffle(2), (2, 8, 3, 2)),
    ("pixelunshuffle", lambda: nn.PixelUnshuffle(2), lambda: tn.PixelUnshuffle(2), (2, 1, 4, 6)),
    ("upsample_bilinear", lambda: nn.Upsample(scale_factor=2, mode="bilinear"),
     lambda: tn.Upsample(scale_factor=2, mode="bilinear"), (2, 3, 3, 4)),
    ("upsample_nearest", lambda: nn.Upsample(size=(5, 7)), lambda: tn.Upsample(size=(5, 7)),
     (2, 3, 3, 4)),
    ("upsampling_bilinear2d", lambda: nn.UpsamplingBilinear2d(scale_factor=2),
     lambda: tn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 3)),
    ("mlp", lambda: nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.LayerNorm(8),
                                  nn.Linear(8, 2)),
     lambda: tn.Sequential(tn.Linear(4, 8), tn.GELU(), tn.LayerNorm(8), tn.Linear(8, 2)),
     (5, 4)),
]


@DTYPES
@pytest.mark.parametrize(("name", "make_ours", "make_theirs", "shape"), LAYERS,
                         ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make_ours, make_theirs, shape, dtype) -> None:
    torch.manual_seed(0)
    theirs = make_theirs().to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():  # non-trivial affine parameters
        for p in theirs.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    ours = make_ours().to(ag.float64 if dtype == np.float64 else ag.float32)
    copy_weights(ours, theirs)
    run_both(ours, theirs, R.standard_normal(shape).astype(dtype), dtype)


@DTYPES
def test_embedding_padding_row_gets_no_grad(dtype) -> None:
    theirs = tn.Embedding(6, 3, padding_idx=2).to(
        torch.float64 if dtype == np.float64 else torch.float32)
    ours = nn.Embedding(6, 3, padding_idx=2).to(dtype)
    assert not ours.weight.detach().cpu().numpy()[2].any()  # padding row starts at zero
    copy_weights(ours, theirs)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    ya, yt = ours(ag.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(ya.detach().cpu().numpy(), yt.detach().cpu().numpy(), **TOL[dtype])
    seed = R.standard_normal((2, 3, 3)).astype(dtype)
    ya.backward(ag.tensor(seed))
    yt.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.weight.grad.cpu().numpy(), theirs.weight.grad.cpu().numpy(),
                               **TOL[dtype])
    assert not ours.weight.grad.cpu().numpy()[2].any()


def test_embedding_from_pretrained() -> None:
    w = ag.randn(4, 2)
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(ag.tensor([3])).cpu().numpy(), w.cpu().numpy()[[3]])


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 2)])
def test_batchnorm_running_stats_over_steps(momentum, shape) -> None:
    cls_ours = nn.BatchNorm1d if len(shape) < 4 else nn.BatchNorm2d
    cls_theirs = tn.BatchNorm1d if len(shape) < 4 else tn.BatchNorm2d
    ours, theirs = cls_ours(3, momentum=momentum).double(), cls_theirs(3, momentum=momentum)
    theirs = theirs.double()
    for step in range(4):
        x = R.standard_normal(shape) * (step + 1) + step
        ya, yt = ours(ag.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(ya.detach().cpu().numpy(), yt.detach().cpu().numpy(), rtol=1e-9,
                                   atol=1e-10)
    for name, buf in theirs.named_buffers():
        np.testing.assert_allclose(ours.get_buffer(name).cpu().numpy(), buf.numpy(), rtol=1e-10,
                                   err_msg=name)
    assert ours.num_batches_tracked.item() == 4
    ours.eval()
    theirs.eval()
    run_both(ours, theirs, R.standard_normal(shape), np.float64)


def test_batchnorm_without_running_stats_and_errors() -> None:
    ours, theirs = nn.BatchNorm1d(3, track_running_stats=False), tn.BatchNorm1d(
        3, track_running_stats=False)
    assert ours.running_mean is None and "running_mean" not in ours.state_dict()
    ours.eval()
    theirs.eval()
    run_both(ours.double(), theirs.double(), R.standard_normal((5, 3)), np.float64)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ag.randn(1, 3))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ag.randn(2, 3))


def test_dropout_module_modes_and_p() -> None:
    drop = nn.Dropout(0.25)
    assert drop.p == 0.25 and repr(drop) == "Dropout(p=0.25, inplace=False)"
    drop.p = 0.5
    ag.manual_seed(1)
    y = drop(ag.ones(100, 100)).cpu().numpy()
    assert abs((y == 0).mean() - 0.5) < 0.03 and set(np.unique(y)) <= {0.0, 2.0}
    x = ag.randn(3, 3)
    drop.eval()
    assert drop(x) is x
    nn.Dropout(0.1, inplace=True)  # accepted
    with pytest.raises(ValueError):
        nn.Dropout(-0.1)


def test_inplace_activation_writes_into_input() -> None:
    x = ag.tensor([-1.0, 2.0])
    out = nn.ReLU(inplace=True)(x)
    assert x.tolist() == [0.0, 2.0] and out.tolist() == [0.0, 2.0]


# ------------------------------------------------------------------ initialisation
def test_default_linear_init_bounds_like_torch() -> None:
    ag.manual_seed(0)
    layer = nn.Linear(400, 300)
    w, b = layer.weight.detach().cpu().numpy(), layer.bias.detach().cpu().numpy()
    bound = 1 / math.sqrt(400)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert w.dtype == np.float32


def test_default_embedding_and_norm_init() -> None:
    ag.manual_seed(0)
    w = nn.Embedding(500, 200).weight.detach().cpu().numpy()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    ln = nn.LayerNorm(4)
    assert ln.weight.tolist() == [1.0] * 4 and ln.bias.tolist() == [0.0] * 4
    bn = nn.BatchNorm1d(2)
    assert bn.running_var.tolist() == [1.0, 1.0] and bn.running_mean.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(("fn", "kwargs", "expected_std"), [
    (nn.init.xavier_uniform_, {}, math.sqrt(2 / (300 + 200))),
    (nn.init.xavier_normal_, {"gain": 2.0}, 2 * math.sqrt(2 / (300 + 200))),
    (nn.init.kaiming_uniform_, {"nonlinearity": "relu"}, math.sqrt(2 / 200)),
    (nn.init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300)),
    (nn.init.kaiming_normal_, {"a": 0.1}, math.sqrt(2 / (1 + 0.01)) / math.sqrt(200)),
    (nn.init.normal_, {"std": 0.02}, 0.02),
    (nn.init.uniform_, {"a": -3.0, "b": 3.0}, math.sqrt(3.0)),
])
def test_init_distributions(fn, kwargs, expected_std) -> None:
    ag.manual_seed(0)
    w = nn.Parameter(ag.empty(300, 200))
    out = fn(w, **kwargs)
    assert out is w and w.requires_grad and w.grad_fn is None
    values = w.detach().cpu().numpy()
    assert abs(values.mean()) < 0.02 * expected_std + 1e-3
    assert abs(values.std() / expected_std - 1) < 0.02


def test_init_bounds_and_constants() -> None:
    w = ag.empty(100, 50)
    nn.init.xavier_uniform_(w)
    assert np.abs(w.cpu().numpy()).max() <= math.sqrt(6 / 150)
    nn.init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
    assert np.abs(w.cpu().numpy()).max() <= 0.5 and w.cpu().numpy().std() > 0.2
    nn.init.constant_(w, 0.3)
    assert np.allclose(w.cpu().numpy(), 0.3)
    nn.init.zeros_(w)
    assert not w.cpu().numpy().any()
    nn.init.ones_(w)
    assert (w.cpu().numpy() == 1).all()
    nn.init.eye_(w)
    np.testing.assert_array_equal(w.cpu().numpy(), np.eye(100, 50))


def test_orthogonal_and_gain_and_fans() -> None:
    w = ag.empty(6, 10)
    nn.init.orthogonal_(w, gain=2.0)
    np.testing.assert_allclose(w.cpu().numpy() @ w.cpu().numpy().T, 4 * np.eye(6), atol=1e-5)
    for name, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2), ("linear", None),
                        ("selu", None), ("sigmoid", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(
            tn.init.calculate_gain(name, param))
    conv_w = ag.empty(8, 3, 5, 5)
    assert nn.init._calculate_fan_in_and_fan_out(conv_w) == (75, 200)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(ag.empty(3))
