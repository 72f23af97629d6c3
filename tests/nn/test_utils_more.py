"""nn.utils fusion, stateless.functional_call and skip_init against PyTorch: fused layers give
the unfused outputs, functional_call's outputs and gradients (float64) are PyTorch's, and
MAML-style second-order gradients through it match."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")
tn = torch.nn
R = np.random.default_rng(29)


def _copy(ours, theirs):
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})


@pytest.mark.parametrize("kind", ["conv", "conv_transpose", "linear"])
def test_fusion_matches_torch(kind) -> None:
    torch.manual_seed(0)
    if kind == "conv":
        pair, bn, shape = (lambda m: m.Conv2d(3, 4, 3)), (lambda m: m.BatchNorm2d(4)), (2, 3, 5, 5)
    elif kind == "conv_transpose":
        pair, bn, shape = ((lambda m: m.ConvTranspose2d(3, 4, 2)), (lambda m: m.BatchNorm2d(4)),
                           (2, 3, 4, 4))
    else:
        pair, bn, shape = (lambda m: m.Linear(5, 4)), (lambda m: m.BatchNorm1d(4)), (3, 5)
    layer_t, bn_t = pair(tn).double().eval(), bn(tn).double().eval()
    with torch.no_grad():
        bn_t.running_mean.normal_()
        bn_t.running_var.uniform_(0.5, 2)
        bn_t.weight.normal_()
    layer_a, bn_a = pair(nn).double().eval(), bn(nn).double().eval()
    _copy(layer_a, layer_t)
    _copy(bn_a, bn_t)
    utils_t, utils_a = tn.utils.fusion, nn.utils.fusion
    if kind == "linear":
        fused_t, fused_a = utils_t.fuse_linear_bn_eval(layer_t, bn_t), \
            utils_a.fuse_linear_bn_eval(layer_a, bn_a)
    else:
        tr = kind == "conv_transpose"
        fused_t = utils_t.fuse_conv_bn_eval(layer_t, bn_t, transpose=tr)
        fused_a = utils_a.fuse_conv_bn_eval(layer_a, bn_a, transpose=tr)
    x = R.standard_normal(shape)
    np.testing.assert_allclose(fused_a(ag.tensor(x)).detach().numpy(),
                               fused_t(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(fused_a(ag.tensor(x)).detach().numpy(),
                               bn_a(layer_a(ag.tensor(x))).detach().numpy(), rtol=1e-10)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nn.utils.fuse_conv_bn_eval(layer_a.train(), bn_a)


def test_functional_call_maml_step_matches_torch() -> None:
    torch.manual_seed(0)
    theirs = tn.Sequential(tn.Linear(3, 8), tn.Tanh(), tn.Linear(8, 1)).double()
    ours = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    _copy(ours, theirs)
    x, y = R.standard_normal((6, 3)), R.standard_normal((6, 1))

    def outer(lib, fc, model, xs, ys):
        params = dict(model.named_parameters())
        inner = (fc(model, params, (xs,)) - ys).pow(2).mean()
        grads = lib.autograd.grad(inner, list(params.values()), create_graph=True)
        fast = {n: p - 0.1 * g for (n, p), g in zip(params.items(), grads)}
        return (fc(model, fast, (xs,)) - ys).pow(2).mean()

    lt = outer(torch, torch.func.functional_call, theirs, torch.tensor(x), torch.tensor(y))
    la = outer(ag, nn.utils.stateless.functional_call, ours, ag.tensor(x), ag.tensor(y))
    np.testing.assert_allclose(la.item(), lt.item(), rtol=1e-10)
    lt.backward()
    la.backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-8, atol=1e-12,
                                   err_msg=name)
    assert isinstance(ours[0].weight, nn.Parameter)  # the originals are back


def test_functional_call_strict_and_buffers() -> None:
    bn = nn.BatchNorm1d(2).eval()
    out = nn.utils.stateless.functional_call(
        bn, {"running_mean": ag.tensor([1.0, -1.0])}, ag.zeros(3, 2))
    np.testing.assert_allclose(out.detach().numpy()[0], [-1.0, 1.0], rtol=1e-4)
    assert bn.running_mean.numpy().tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="Unexpected key"):
        nn.utils.stateless.functional_call(bn, {"nope": ag.zeros(2)}, ag.zeros(3, 2),
                                           strict=True)


def test_skip_init_and_memory_format_converters() -> None:
    lin = nn.utils.skip_init(nn.Linear, 4, 2)
    assert tuple(lin.weight.shape) == (2, 4)
    with pytest.raises(RuntimeError, match="must support a 'device' arg"):
        nn.utils.skip_init(nn.ReLU)
    conv = nn.Conv2d(1, 1, 1)
    assert nn.utils.convert_conv2d_weight_memory_format(conv, None) is conv
