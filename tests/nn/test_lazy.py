"""Lazy layers against PyTorch: reprs before and after the first call, the class they
become, state_dict names, the shapes inferred, values after copying PyTorch's weights,
load_state_dict into a lazy layer, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn.parameter import is_lazy

torch = pytest.importorskip("torch")
tn = torch.nn
R = np.random.default_rng(13)

LAZY = [
    ("linear", lambda m: m.LazyLinear(3), (2, 5)),
    ("linear_nobias", lambda m: m.LazyLinear(4, bias=False), (2, 3, 6)),
    ("conv1d_groups", lambda m: m.LazyConv1d(4, 2, groups=2), (2, 4, 5)),
    ("conv2d", lambda m: m.LazyConv2d(4, 3, padding=1), (2, 3, 5, 5)),
    ("conv2d_unbatched", lambda m: m.LazyConv2d(2, 3), (3, 5, 5)),
    ("conv3d", lambda m: m.LazyConv3d(2, 2), (1, 3, 3, 3, 3)),
    ("convtranspose1d", lambda m: m.LazyConvTranspose1d(3, 2, stride=2), (2, 4, 5)),
    ("convtranspose2d_groups", lambda m: m.LazyConvTranspose2d(4, 3, groups=2), (1, 4, 3, 3)),
    ("convtranspose3d", lambda m: m.LazyConvTranspose3d(2, 2), (1, 3, 2, 2, 2)),
    ("batchnorm1d", lambda m: m.LazyBatchNorm1d(), (4, 3)),
    ("batchnorm2d_noaffine", lambda m: m.LazyBatchNorm2d(affine=False), (2, 3, 2, 2)),
    ("batchnorm3d", lambda m: m.LazyBatchNorm3d(momentum=0.3), (2, 2, 2, 2, 2)),
    ("instancenorm1d", lambda m: m.LazyInstanceNorm1d(), (2, 3, 4)),
    ("instancenorm2d_plain", lambda m: m.LazyInstanceNorm2d(affine=False,
                                                            track_running_stats=False),
     (2, 3, 4, 4)),
    ("instancenorm3d", lambda m: m.LazyInstanceNorm3d(), (2, 2, 2, 3, 2)),
]


@pytest.mark.filterwarnings("ignore:input's size at dim=1")  # both warn alike (num_features 0)
@pytest.mark.parametrize(("name", "make", "shape"), LAZY, ids=[c[0] for c in LAZY])
def test_lazy_layer_becomes_torchs_layer(name, make, shape) -> None:
    torch.manual_seed(0)
    ours, theirs = make(nn), make(tn)
    assert repr(ours) == repr(theirs)
    lazy_theirs = [n for n, t in [*theirs.named_parameters(), *theirs.named_buffers()]
                   if tn.parameter.is_lazy(t)]
    assert [n for n, t in [*ours.named_parameters(), *ours.named_buffers()]
            if is_lazy(t)] == lazy_theirs
    x = R.standard_normal(shape).astype(np.float32)
    ours(ag.tensor(x))
    theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__
    assert isinstance(ours, getattr(nn, type(theirs).__name__))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert tuple(ours.state_dict()[key].shape) == tuple(value.shape), key
    assert not any(is_lazy(p) for p in ours.parameters())
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    ours.eval()
    theirs.eval()
    y = R.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(y)).detach().numpy(),
                               theirs(torch.tensor(y)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_materializes_a_lazy_layer() -> None:
    theirs = tn.Sequential(tn.Linear(5, 4), tn.ReLU(), tn.Linear(4, 2))
    ours = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2))
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    x = R.standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert type(ours[0]) is nn.Linear


def test_lazy_parameters_train_after_the_first_call() -> None:
    model = nn.Sequential(nn.LazyConv2d(4, 3), nn.Flatten(), nn.LazyLinear(2))
    model(ag.randn(1, 3, 5, 5))
    opt = ag.optim.SGD(model.parameters(), lr=0.1)
    loss = model(ag.randn(2, 3, 5, 5)).pow(2).sum()
    loss.backward()
    opt.step()
    assert all(p.grad is not None for p in model.parameters())
    assert tuple(model[2].weight.shape) == (2, 36)


def test_lazy_conv_groups_error_matches_torch() -> None:
    with pytest.raises(ValueError) as theirs:
        tn.LazyConv2d(4, 3, groups=2)(torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError) as ours:
        nn.LazyConv2d(4, 3, groups=2)(ag.zeros(1, 3, 4, 4))
    assert str(ours.value) == str(theirs.value)
