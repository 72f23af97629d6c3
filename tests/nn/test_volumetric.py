"""Conv3d and the 3-D pools against PyTorch: values and gradients (float32/float64), reprs,
state_dicts, gradcheck and gradgradcheck, return_indices, errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F
from autograd_core.testing import gradcheck, gradgradcheck

from .test_layers import DTYPES, R, copy_weights, run_both

torch = pytest.importorskip("torch")
tn = torch.nn
TF = torch.nn.functional

LAYERS = [
    ("conv3d", lambda m: m.Conv3d(2, 3, 3), (2, 2, 4, 5, 4)),
    ("conv3d_all_args", lambda m: m.Conv3d(4, 6, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1),
                                           dilation=(2, 1, 1), groups=2, bias=False),
     (2, 4, 5, 6, 4)),
    ("conv3d_same_reflect", lambda m: m.Conv3d(2, 2, 3, padding="same",
                                               padding_mode="reflect"), (1, 2, 4, 4, 4)),
    ("conv3d_unbatched_circular", lambda m: m.Conv3d(2, 3, 3, padding=1,
                                                     padding_mode="circular"), (2, 3, 4, 5)),
    ("convtranspose3d", lambda m: m.ConvTranspose3d(4, 6, (2, 3, 2), stride=(2, 1, 2),
                                                    padding=(1, 0, 1), output_padding=(1, 0, 0),
                                                    groups=2, dilation=(1, 2, 1)),
     (2, 4, 3, 4, 3)),
    ("convtranspose3d_unbatched", lambda m: m.ConvTranspose3d(2, 3, 3, stride=2, padding=1),
     (2, 3, 3, 3)),
    ("maxpool3d", lambda m: m.MaxPool3d(2), (2, 3, 4, 4, 6)),
    ("maxpool3d_ceil_pad_dil", lambda m: m.MaxPool3d(3, 2, 1, dilation=(1, 2, 1),
                                                     ceil_mode=True), (1, 2, 5, 7, 6)),
    ("avgpool3d", lambda m: m.AvgPool3d((2, 2, 3), stride=1), (2, 2, 3, 4, 5)),
    ("avgpool3d_ceil_nopad_count", lambda m: m.AvgPool3d(3, 2, 1, ceil_mode=True,
                                                         count_include_pad=False),
     (1, 2, 5, 6, 6)),
    ("avgpool3d_divisor", lambda m: m.AvgPool3d(2, divisor_override=3), (2, 4, 4, 4)),
    ("adaptive_avg3d", lambda m: m.AdaptiveAvgPool3d((2, 3, None)), (2, 2, 5, 7, 3)),
    ("adaptive_avg3d_global", lambda m: m.AdaptiveAvgPool3d(1), (2, 3, 3, 4, 5)),
    ("adaptive_max3d", lambda m: m.AdaptiveMaxPool3d((3, 2, 2)), (1, 2, 5, 4, 7)),
]


@DTYPES
@pytest.mark.parametrize(("name", "make", "shape"), LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make, shape, dtype) -> None:
    torch.manual_seed(0)
    theirs = make(tn).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = make(nn).to(ag.float64 if dtype == np.float64 else ag.float32)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs)
    run_both(ours, theirs, R.standard_normal(shape).astype(dtype), dtype)


def test_max_pool3d_indices_match_torch() -> None:
    x = R.standard_normal((2, 2, 5, 6, 7))
    ya, ia = F.max_pool3d(ag.tensor(x), 3, 2, 1, ceil_mode=True, return_indices=True)
    yt, it = TF.max_pool3d(torch.tensor(x), 3, 2, 1, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    np.testing.assert_array_equal(ya.numpy(), yt.numpy())


def test_conv3d_and_pools_gradcheck_and_double_backward() -> None:
    x = ag.tensor(R.standard_normal((1, 2, 3, 4, 3)), requires_grad=True)
    w = ag.tensor(R.standard_normal((2, 1, 2, 2, 2)), requires_grad=True)
    b = ag.tensor(R.standard_normal(2), requires_grad=True)
    conv = lambda a, c, d: F.conv3d(a, c, d, padding=1, groups=2)  # noqa: E731
    assert gradcheck(conv, (x, w, b))
    assert gradgradcheck(conv, (x, w, b))
    wt = ag.tensor(R.standard_normal((2, 1, 2, 2, 2)), requires_grad=True)
    tconv = lambda a, c: F.conv_transpose3d(a, c, stride=2, groups=2)  # noqa: E731
    assert gradcheck(tconv, (x, wt))
    assert gradgradcheck(tconv, (x, wt))
    for pool in (lambda a: F.max_pool3d(a, 2, 1) ** 2, lambda a: F.avg_pool3d(a, 2, 1) ** 2,
                 lambda a: F.adaptive_avg_pool3d(a, 2) ** 2):
        assert gradcheck(pool, (x,))
        assert gradgradcheck(pool, (x,))


def _z(m, *shape):
    return (torch.zeros if m is tn else ag.zeros)(*shape)


ERRORS = [
    lambda m: m.functional.conv3d(_z(m, 1, 2, 3, 3), _z(m, 3, 2, 2, 2, 2)),
    lambda m: m.functional.conv3d(_z(m, 1, 4, 3, 3, 3), _z(m, 3, 2, 2, 2, 2)),
    lambda m: m.functional.conv3d(_z(m, 1, 2, 3, 3, 3), _z(m, 3, 2, 2, 2, 2), padding="full"),
    lambda m: m.functional.conv3d(_z(m, 1, 2, 3, 3, 3), _z(m, 3, 2, 2, 2, 2), stride=2,
                                  padding="same"),
    lambda m: m.functional.conv3d(_z(m, 1, 2, 2, 2, 2), _z(m, 3, 2, 3, 3, 3)),
    lambda m: m.Conv3d(3, 4, 2, groups=2),
    lambda m: m.functional.conv_transpose3d(_z(m, 1, 2, 3, 3, 3), _z(m, 2, 2, 2, 2, 2),
                                            stride=2, output_padding=2),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[case](tn)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[case](nn)
    assert str(ours.value) == str(theirs.value)
