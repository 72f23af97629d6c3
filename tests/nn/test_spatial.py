"""Padding layers, Unfold/Fold and grid_sample/affine_grid against PyTorch: values,
gradients (float64), gradcheck and gradgradcheck, reprs, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F
from autograd_core.testing import gradcheck, gradgradcheck

from .conftest import check_against_torch

torch = pytest.importorskip("torch")
tn = torch.nn
TF = torch.nn.functional
R = np.random.default_rng(31)
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])

PADS = [
    ("ZeroPad1d", (1, 2), (2, 3, 4)), ("ZeroPad2d", 2, (2, 3, 4)),
    ("ZeroPad3d", (1, 0, 2, 1, 0, 1), (1, 2, 2, 3, 2)),
    ("ConstantPad1d", (2, 1), (2, 4)), ("ConstantPad2d", 1, (1, 2, 3, 3)),
    ("ConstantPad3d", 1, (1, 1, 2, 2, 2)),
    ("ReflectionPad1d", (2, 1), (2, 3, 4)), ("ReflectionPad2d", (1, 2, 2, 1), (2, 3, 4, 3)),
    ("ReflectionPad3d", 1, (1, 1, 2, 3, 3)),
    ("ReplicationPad1d", (3, 1), (3, 4)), ("ReplicationPad2d", 2, (1, 2, 3, 4)),
    ("ReplicationPad3d", (1, 2, 0, 1, 2, 0), (1, 1, 2, 3, 2)),
    ("CircularPad1d", (2, 3), (2, 3, 4)), ("CircularPad2d", 1, (1, 2, 3, 4)),
    ("CircularPad3d", 1, (1, 1, 2, 3, 2)),
]


@DTYPES
@pytest.mark.parametrize(("name", "padding", "shape"), PADS, ids=[p[0] for p in PADS])
def test_padding_layer_matches_torch(name, padding, shape, dtype) -> None:
    args = (padding, 1.5) if name.startswith("Constant") else (padding,)
    ours, theirs = getattr(nn, name)(*args), getattr(tn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert getattr(nn.modules.padding, name) is getattr(nn, name)
    check_against_torch(ours, theirs, [R.standard_normal(shape)], dtype)


PAD_ERRORS = [
    lambda m, x: m.functional.pad(x(3), (1,)),
    lambda m, x: m.functional.pad(x(3), (1, 1, 1, 1)),
    lambda m, x: m.functional.pad(x(3), (1, 1), mode="reflect"),
    lambda m, x: m.functional.pad(x(2, 3), (1, 1), mode="foo"),
    lambda m, x: m.functional.pad(x(1, 2, 3), (1, 1), mode="reflect", value=2.0),
    lambda m, x: m.ReflectionPad1d(3)(x(1, 2, 3)),
    lambda m, x: m.ReflectionPad2d(1)(x(3, 3)),
]


@pytest.mark.parametrize("case", range(len(PAD_ERRORS)))
def test_pad_errors_match_torch(case) -> None:
    _same_error(lambda m: PAD_ERRORS[case](m, torch.zeros if m is tn else ag.zeros))


def _same_error(make) -> None:
    with pytest.raises(Exception) as theirs:
        make(tn)
    with pytest.raises(type(theirs.value)) as ours:
        make(nn)
    assert str(ours.value) == str(theirs.value)


FOLDS = [
    ("unfold", lambda m: m.Unfold(2), (2, 3, 4, 5)),
    ("unfold_all_args", lambda m: m.Unfold((2, 3), dilation=(2, 1), padding=1, stride=(1, 2)),
     (2, 2, 5, 6)),
    ("unfold_unbatched", lambda m: m.Unfold(3, padding=1), (2, 4, 4)),
    ("fold", lambda m: m.Fold((4, 5), 2), (2, 12, 12)),
    ("fold_all_args", lambda m: m.Fold((5, 6), (2, 3), dilation=(2, 1), padding=1,
                                       stride=(1, 2)), (2, 12, 15)),
    ("fold_unbatched", lambda m: m.Fold(4, 3, padding=1, stride=2), (18, 4)),
]


@DTYPES
@pytest.mark.parametrize(("name", "make", "shape"), FOLDS, ids=[c[0] for c in FOLDS])
def test_fold_layers_match_torch(name, make, shape, dtype) -> None:
    ours, theirs = make(nn), make(tn)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, [R.standard_normal(shape)], dtype)


@pytest.mark.parametrize(("name", "make", "shape"), FOLDS, ids=[c[0] for c in FOLDS])
def test_fold_gradcheck_and_double_backward(name, make, shape) -> None:
    layer = make(nn)
    x = ag.tensor(R.standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda t: layer(t) ** 2, (x,))
    assert gradgradcheck(lambda t: layer(t) ** 2, (x,))


FOLD_ERRORS = [
    lambda m: m.functional.unfold(m_zeros(m, 2, 3, 4, 5, 6), 2),
    lambda m: m.functional.fold(m_zeros(m, 2, 5, 9), (4, 4), 2),
    lambda m: m.functional.fold(m_zeros(m, 2, 8, 8), (4, 4), 2),
    lambda m: m.functional.unfold(m_zeros(m, 1, 2, 3, 3), 5),
]


def m_zeros(m, *shape):
    return (torch.zeros if m is tn else ag.zeros)(*shape)


@pytest.mark.parametrize("case", range(len(FOLD_ERRORS)))
def test_fold_errors_match_torch(case) -> None:
    _same_error(FOLD_ERRORS[case])


def _theta(n=2, rows=2):
    eye = np.eye(rows, rows + 1)[None].repeat(n, 0)
    return eye + R.standard_normal((n, rows, rows + 1)) * 0.4


@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("size", [(2, 3, 4, 7), (2, 1, 3, 2, 4)], ids=["2d", "3d"])
def test_affine_grid_matches_torch(size, align) -> None:
    theta = _theta(2, len(size) - 2)
    check_against_torch(lambda t: F.affine_grid(t, size, align_corners=align),
                        lambda t: TF.affine_grid(t, size, align_corners=align), [theta])


@DTYPES
@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_grid_sample_matches_torch(mode, padding_mode, align, dtype) -> None:
    # a grid reaching outside [-1, 1], so every padding mode is exercised
    grid = TF.affine_grid(torch.tensor(_theta()), (2, 3, 4, 7), align_corners=align) * 1.4
    check_against_torch(
        lambda x, g: F.grid_sample(x, g, mode, padding_mode, align),
        lambda x, g: TF.grid_sample(x, g, mode, padding_mode, align),
        [R.standard_normal((2, 3, 5, 6)), grid.numpy()], dtype)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_gradcheck_and_double_backward(padding_mode) -> None:
    x = ag.tensor(R.standard_normal((1, 2, 3, 4)), requires_grad=True)
    g = ag.tensor(R.uniform(-1.3, 1.3, (1, 2, 3, 2)), requires_grad=True)
    fn = lambda a, b: F.grid_sample(a, b, "bilinear", padding_mode, False)  # noqa: E731
    assert gradcheck(fn, (x, g))
    assert gradgradcheck(fn, (x, g))
    cubic = lambda a, b: F.grid_sample(a, b, "bicubic", padding_mode, True)  # noqa: E731
    assert gradcheck(cubic, (x, g))
    assert gradgradcheck(cubic, (x, g))
    theta = ag.tensor(_theta(1), requires_grad=True)
    assert gradgradcheck(lambda t: F.grid_sample(x, F.affine_grid(t, (1, 2, 3, 4), True) ** 2,
                                                 align_corners=True), (theta,))


def test_align_corners_default_warns_like_torch() -> None:
    theta = ag.tensor(_theta(1))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        grid = F.affine_grid(theta, (1, 1, 2, 3))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(ag.ones(1, 1, 2, 3), grid)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(ag.ones(1, 1, 2, 3), grid, align_corners=False)


GRID_ERRORS = [
    lambda m: m.functional.grid_sample(m_zeros(m, 1, 1, 2, 2), m_zeros(m, 1, 2, 2, 2),
                                       mode="cubic", align_corners=False),
    lambda m: m.functional.grid_sample(m_zeros(m, 1, 1, 2, 2), m_zeros(m, 1, 2, 2, 2),
                                       padding_mode="wrap", align_corners=False),
    lambda m: m.functional.affine_grid(m_zeros(m, 1, 2, 2), (1, 1, 2, 2), align_corners=False),
]


@pytest.mark.parametrize("case", range(len(GRID_ERRORS)))
def test_grid_errors_match_torch(case) -> None:
    _same_error(GRID_ERRORS[case])


@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_volumetric_grid_sample_matches_torch(mode, padding_mode, align) -> None:
    grid = TF.affine_grid(torch.tensor(_theta(2, 3)), (2, 3, 3, 4, 5), align_corners=align) * 1.3
    check_against_torch(
        lambda x, g: F.grid_sample(x, g, mode, padding_mode, align),
        lambda x, g: TF.grid_sample(x, g, mode, padding_mode, align),
        [R.standard_normal((2, 3, 4, 5, 6)), grid.numpy()])


def test_volumetric_grid_sample_gradcheck_and_bicubic_error() -> None:
    x = ag.tensor(R.standard_normal((1, 1, 2, 3, 3)), requires_grad=True)
    g = ag.tensor(R.uniform(-1.2, 1.2, (1, 2, 1, 2, 3)), requires_grad=True)
    fn = lambda a, b: F.grid_sample(a, b, "bilinear", "border", False)  # noqa: E731
    assert gradcheck(fn, (x, g))
    assert gradgradcheck(fn, (x, g))
    _same_error(lambda m: m.functional.grid_sample(m_zeros(m, 1, 1, 2, 2, 2),
                                                   m_zeros(m, 1, 1, 1, 1, 3), "bicubic",
                                                   align_corners=False))
