"""Transposed convolutions, F.interpolate / Upsample, pixel (un)shuffle and PReLU vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional
R = np.random.default_rng(11)


def _raises_like(ours, theirs) -> None:
    """Both raise: the same class and the same message."""
    with pytest.raises(Exception) as want:
        theirs()
    with pytest.raises(type(want.value)) as got:
        ours()
    assert str(got.value) == str(want.value)


CONV_T = [
    ((2, 4, 5, 6), (4, 3, 3, 2), {}),
    ((2, 4, 5, 6), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 6), (4, 2, 3, 3), dict(stride=(2, 3), padding=(1, 2), output_padding=(1, 0),
                                      groups=2, dilation=(1, 2))),
    ((1, 6, 3, 3), (6, 1, 4, 4), dict(stride=2, groups=3, dilation=2, output_padding=1)),
    ((4, 5, 6), (4, 3, 3, 3), dict(stride=2)),  # unbatched
    ((0, 4, 5, 6), (4, 3, 3, 3), dict(stride=2)),  # empty batch
]


@pytest.mark.parametrize(("x_shape", "w_shape", "kw"), CONV_T)
def test_conv_transpose2d_matches_torch(check, x_shape, w_shape, kw) -> None:
    c_out = w_shape[1] * kw.get("groups", 1)
    arrays = [R.standard_normal(x_shape), R.standard_normal(w_shape), R.standard_normal(c_out)]
    check(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
          lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw), arrays)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", [{}, dict(stride=3, padding=1, output_padding=2),
                                dict(groups=2, dilation=3, padding=2)])
def test_conv_transpose1d_matches_torch(check, kw, dtype) -> None:
    arrays = [R.standard_normal((2, 4, 7)), R.standard_normal((4, 3, 3))]
    check(lambda x, w: F.conv_transpose1d(x, w, **kw),
          lambda x, w: TF.conv_transpose1d(x, w, **kw), arrays, dtype)


def test_conv_transpose_undoes_a_strided_conv_shape_with_output_size() -> None:
    down = nn.Conv2d(3, 8, 3, stride=2, padding=1)
    up, theirs = nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(
        8, 3, 3, stride=2, padding=1)
    x = ag.randn(2, 3, 10, 10)
    h = down(x)
    assert tuple(up(h).shape) == (2, 3, 9, 9)
    assert tuple(up(h, output_size=x.shape).shape) == (2, 3, 10, 10)  # output_padding from size
    assert tuple(up(h, output_size=[10, 10]).shape) == (2, 3, 10, 10)
    th = torch.randn(2, 8, 5, 5)
    for bad in [(20, 20), [2, 3, 4, 4], [5, 5, 5]]:
        _raises_like(lambda: up(ag.tensor(th.numpy()), output_size=bad),  # noqa: B023
                     lambda: theirs(th, output_size=bad))  # noqa: B023
    assert repr(nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                   bias=False, dilation=2)) == repr(
        torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                 bias=False, dilation=2))


def test_conv_transpose_default_init_bounds_like_torch() -> None:
    # PyTorch's fan_in for a transposed weight (C_in, C_out/g, k) is C_out/g * k.
    w = nn.ConvTranspose2d(64, 16, 4).weight.detach().numpy()
    bound = 1 / np.sqrt(16 * 16)
    assert w.shape == (64, 16, 4, 4) and np.abs(w).max() <= bound < 1.05 * np.abs(w).max()


@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda m, x, w: m.conv_transpose2d(x, w, stride=2, output_padding=2), None),
    (lambda m, x, w: m.conv_transpose2d(x, w[:3, :]), None),
    (lambda m, x, w: m.conv_transpose2d(x, w, groups=3), None),
    (lambda m, x, w: m.conv_transpose2d(x[0, 0], w), None),
    (lambda m, x, w: m.conv_transpose2d(x, w, bias=x[0, 0, 0]), None),
    (lambda m, x, w: m.conv_transpose2d(x, w, padding="same"), None),
    (lambda m, x, w: m.conv_transpose1d(x[0], w[..., 0], stride=2, output_padding=2), None),
    (lambda m, x, w: m.conv_transpose2d(x, w, stride=0), None),
    (lambda m, x, w: m.conv_transpose2d(x, w, padding=-1), None),
    (lambda m, x, w: m.conv_transpose2d(x, w, output_padding=-1), None),
    (lambda m, x, w: m.conv_transpose2d(x.float(), w.double()), None),
    (lambda m, x, w: m.conv_transpose2d(x.float(), w.float(), w[0, :, 0, 0].double()), None),
], ids=["output_padding", "channels", "groups", "rank", "bias", "padding_str", "1d_outpad",
        "stride0", "negative_padding", "negative_output_padding", "dtype", "bias_dtype"])
def test_conv_transpose_errors_match_torch(ours, theirs) -> None:
    x, w = R.standard_normal((2, 4, 5, 5)), R.standard_normal((4, 3, 3, 3))
    _raises_like(lambda: ours(F, ag.tensor(x), ag.tensor(w)),
                 lambda: ours(TF, torch.tensor(x), torch.tensor(w)))


@pytest.mark.parametrize(("make",), [
    (lambda m: m.ConvTranspose2d(4, 6, 3, groups=4),),
    (lambda m: m.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),),
], ids=["groups", "padding_mode"])
def test_conv_transpose_layer_errors_match_torch(make) -> None:
    _raises_like(lambda: make(nn), lambda: make(torch.nn))


INTERP_4D = [
    dict(scale_factor=2), dict(size=(3, 4)), dict(size=(11, 13)), dict(scale_factor=1.7),
    dict(scale_factor=(0.6, 2.3)), dict(scale_factor=1.7, recompute_scale_factor=True),
    dict(size=(8, 9), mode="bilinear"), dict(size=(8, 9), mode="bilinear", align_corners=True),
    dict(scale_factor=2, mode="bilinear"), dict(scale_factor=0.55, mode="bilinear"),
    dict(scale_factor=1.5, mode="bilinear", align_corners=True),
    dict(size=(1, 1), mode="bilinear", align_corners=True), dict(size=(3, 4), mode="nearest-exact"),
    dict(scale_factor=1.3, mode="nearest-exact"), dict(size=(3, 4), mode="area"),
    dict(size=(8, 9), mode="bicubic"), dict(size=(8, 9), mode="bicubic", align_corners=True),
    dict(scale_factor=0.6, mode="bicubic"), dict(scale_factor=3.3, mode="bicubic"),
]
INTERP_3D = [dict(scale_factor=2), dict(size=7, mode="linear"),
             dict(scale_factor=2.5, mode="linear", align_corners=True), dict(size=3, mode="area")]


@pytest.mark.parametrize("kw", INTERP_4D, ids=str)
def test_interpolate_2d_matches_torch(check, kw) -> None:
    check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
          [R.standard_normal((2, 3, 5, 7))])


@pytest.mark.parametrize("kw", INTERP_3D, ids=str)
def test_interpolate_1d_matches_torch(check, kw) -> None:
    check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
          [R.standard_normal((2, 3, 5))])


@pytest.mark.parametrize("kw", [dict(size=(4, 5, 7), mode="trilinear"), dict(scale_factor=2)])
def test_interpolate_3d_matches_torch(check, kw) -> None:
    check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
          [R.standard_normal((1, 2, 3, 4, 5))])


@pytest.mark.parametrize("name", ["upsample_nearest", "upsample_bilinear", "upsample"])
def test_deprecated_upsample_aliases_match_torch(name) -> None:
    x = R.standard_normal((1, 2, 3, 4))
    with pytest.warns(UserWarning) as theirs:
        yt = getattr(TF, name)(torch.tensor(x), scale_factor=2)
    with pytest.warns(UserWarning) as ours:
        ya = getattr(F, name)(ag.tensor(x), scale_factor=2)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert ours[0].filename == __file__  # the warning points at the caller's line
    np.testing.assert_allclose(ya.numpy(), yt.numpy(), rtol=1e-12)


@pytest.mark.parametrize("kw", [dict(scale_factor=1.7), dict(size=(8, 9), mode="bilinear"),
                                dict(scale_factor=0.3), dict(size=(8, 9), mode="bicubic")],
                         ids=str)
def test_interpolate_float32_matches_torch(check, kw) -> None:
    check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
          [R.standard_normal((2, 3, 5, 7))], np.float32)


@pytest.mark.parametrize("call", [
    lambda m, x: m.interpolate(x),
    lambda m, x: m.interpolate(x, size=3, scale_factor=2),
    lambda m, x: m.interpolate(x, size=3, mode="nearest", align_corners=True),
    lambda m, x: m.interpolate(x, size=3, mode="linear"),
    lambda m, x: m.interpolate(x[0], size=3, mode="bilinear"),
    lambda m, x: m.interpolate(x, size=3, mode="foo"),
    lambda m, x: m.interpolate(x, size=(3, 4, 5)),
    lambda m, x: m.interpolate(x, scale_factor=(2, 3, 4)),
    lambda m, x: m.interpolate(x, size=(3, 4), recompute_scale_factor=True),
    lambda m, x: m.interpolate(x, size=(3, 4), antialias=True),
    lambda m, x: m.interpolate(x[0, 0], size=3),
    lambda m, x: m.interpolate(x, scale_factor=0.1),
    lambda m, x: m.interpolate(x, size=(0, 4)),
    lambda m, x: m.pixel_shuffle(x, 2),
    lambda m, x: m.pixel_shuffle(x[0, 0], 2),
    lambda m, x: m.pixel_unshuffle(x, 2),
    lambda m, x: m.pixel_unshuffle(x[..., :3, :4], 2),
    lambda m, x: m.prelu(x, x[0, :2, 0, 0]),
    lambda m, x: m.prelu(x[0, 0, 0, 0], x[0, :2, 0, 0]),
    lambda m, x: m.interpolate(x.long(), scale_factor=2),
    lambda m, x: m.interpolate(x[0].long(), scale_factor=2, mode="linear"),
    lambda m, x: m.interpolate(x.long(), size=(2, 2), mode="area"),
    lambda m, x: m.interpolate(x.bool(), size=(2, 2), mode="bilinear"),
    lambda m, x: m.interpolate(x.long(), size=(2, 2), mode="bicubic"),
    lambda m, x: m.interpolate(x[0], size=2, mode="bicubic"),
])
def test_upsampling_errors_match_torch(call) -> None:
    x = R.standard_normal((2, 3, 4, 5))
    _raises_like(lambda: call(F, ag.tensor(x)), lambda: call(TF, torch.tensor(x)))


def test_interpolate_antialias_says_it_is_not_supported() -> None:
    x = ag.randn(1, 1, 4, 4)
    with pytest.raises(NotImplementedError, match="antialias"):
        F.interpolate(x, size=(3, 3), mode="bilinear", antialias=True)


def test_upsampling_reprs_match_torch() -> None:
    pairs = [(nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
              torch.nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True)),
             (nn.PixelShuffle(2), torch.nn.PixelShuffle(2)),
             (nn.PixelUnshuffle(3), torch.nn.PixelUnshuffle(3)),
             (nn.PReLU(), torch.nn.PReLU()), (nn.PReLU(3), torch.nn.PReLU(3))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    assert nn.PReLU(3, init=0.1).weight.tolist() == pytest.approx([0.1] * 3)
    assert list(nn.PReLU(3).state_dict()) == ["weight"]


@pytest.mark.parametrize(("x_shape", "w_shape"), [((4, 3, 5, 5), (3,)), ((4, 3), (1,)),
                                                  ((5,), (1,)), ((4, 3, 5), (1,)), ((), (1,))])
def test_prelu_matches_torch(check, x_shape, w_shape) -> None:
    x = R.standard_normal(x_shape)
    x.reshape(-1)[0] = 0.0  # the kink: PyTorch's gradient there is the slope's
    check(F.prelu, TF.prelu, [x, R.standard_normal(w_shape)])


@pytest.mark.parametrize("axis", [0, 2, 3])
def test_both_gradient_scatter_paths_agree(axis) -> None:
    # The CPU sums runs with add.reduceat; CuPy takes add.at: both must give the same sums.
    from autograd_core.ops.interpolate import _sum_into

    g = R.standard_normal((6, 3, 6, 6))
    index = np.array([0, 0, 1, 3, 3, 3])
    runs = _sum_into(g, index, axis, 4, runs=True)
    scattered = _sum_into(g, index, axis, 4, runs=False)
    np.testing.assert_allclose(runs, scattered, rtol=1e-12, atol=1e-12)
    assert not np.take(runs, [2], axis).any()  # a slot no output maps to stays zero
