"""Resampling: F.interpolate (nearest, nearest-exact, (bi/tri)linear, bicubic, area).

Each spatial axis is resampled in turn, the last first (PyTorch's order of the weighted sums):
nearest takes one source index per output position, the linear modes blend two neighbours
and bicubic four (Keys' cubic convolution, A = -0.75, indices clamped at the edges).
Indices and weights follow PyTorch's CPU kernels (source index from the scale factor when one
was given, else from the size ratio; float32 arithmetic for nearest), so results match bit
for bit or to rounding. Backward sums each axis's gradient back into the input positions
(indices never decrease, so each position's share is one contiguous run).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name
from autograd_core.tensor import Tensor

__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]

_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _nearest_index(xp: Any, n_in: int, n_out: int, scale: float | None, exact: bool) -> Any:
    """PyTorch's nearest_idx / nearest_neighbor_exact_compute_source_index (float32 math)."""
    f32 = xp.float32
    s = f32(1.0 / scale) if scale is not None and scale > 0 else f32(n_in) / f32(n_out)
    dst = xp.arange(n_out, dtype=f32)
    src = xp.floor((dst + f32(0.5)) * s if exact else dst * s).astype(xp.int64)
    return xp.minimum(src, n_in - 1)


def _source_scale(n_in: int, n_out: int, scale: float | None, align: bool, t: Any) -> Any:
    """PyTorch's area_pixel_compute_scale, in the input's float type."""
    if align:
        return t((n_in - 1) / (n_out - 1)) if n_out > 1 else t(0)
    return t(1.0 / scale) if scale is not None and scale > 0 else t(n_in) / t(n_out)


def _linear_taps(xp: Any, n_in: int, n_out: int, scale: float | None, align: bool,
                 dtype: Any) -> tuple:
    """((i0, 1 - lambda1), (i1, lambda1)): y[j] = x[i0] (1 - lambda1) + x[i1] lambda1."""
    t = dtype.type
    s = _source_scale(n_in, n_out, scale, align, t)
    dst = xp.arange(n_out, dtype=dtype)
    src = s * dst if align else xp.maximum(s * (dst + t(0.5)) - t(0.5), t(0))
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1)
    lam = xp.clip(src - i0.astype(dtype), t(0), t(1))
    return ((i0, 1 - lam), (xp.minimum(i0 + 1, n_in - 1), lam))


def _cubic_taps(xp: Any, n_in: int, n_out: int, scale: float | None, align: bool,
                dtype: Any) -> tuple:
    """Four (index, weight) taps of Keys' cubic convolution (A = -0.75), edges clamped."""
    t = dtype.type
    s = _source_scale(n_in, n_out, scale, align, t)
    dst = xp.arange(n_out, dtype=dtype)
    src = s * dst if align else s * (dst + t(0.5)) - t(0.5)  # not clamped at 0 for cubic
    base = xp.floor(src)
    frac = src - base
    a = t(-0.75)

    def near(x: Any) -> Any:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Any) -> Any:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = (far(frac + 1), near(frac), near(1 - frac), far(2 - frac))
    first = base.astype(xp.int64) - 1
    return tuple((xp.clip(first + k, 0, n_in - 1), w) for k, w in enumerate(weights))


def _shape(w: Any, axis: int, ndim: int) -> Any:
    return w.reshape((-1,) + (1,) * (ndim - axis - 1))


class Interpolate(Function):
    """y = x resampled along each spatial axis: nearest (one index), or a weighted sum of
    2 (linear) or 4 (cubic) neighbours."""

    @staticmethod
    def forward(ctx, x, plans=()):
        # plans: per spatial axis (axis, n_in, index) or (axis, n_in, ((index, weight), ...)).
        xp = get_array_module(x)
        y = x
        for axis, _, plan in reversed(plans):
            if isinstance(plan, tuple):
                parts = [xp.take(y, i, axis) * _shape(w, axis, y.ndim) for i, w in plan]
                y = parts[0]
                for part in parts[1:]:
                    y = y + part
            else:
                y = xp.take(y, plan, axis)
        ctx.plans = plans
        return y

    @staticmethod
    def backward(ctx, g):
        for axis, n_in, plan in ctx.plans:  # undo the axes in the reverse of forward's order
            if isinstance(plan, tuple):
                gx = None
                for i, w in plan:
                    part = _sum_into(g * _shape(w, axis, g.ndim), i, axis, n_in)
                    gx = part if gx is None else gx + part
                g = gx
            else:
                g = _sum_into(g, plan, axis, n_in)
        return (g,)


def _sum_into(g: Any, index: Any, axis: int, n_in: int, runs: bool | None = None) -> Any:
    """out[..., i, ...] = sum of g[..., j, ...] over j with index[j] == i (index sorted).

    runs: sum contiguous runs with add.reduceat (default on numpy arrays; CuPy has no
    ufunc.reduceat and takes the unbuffered add.at).
    """
    xp = get_array_module(g)
    shape = list(g.shape)
    shape[axis] = n_in
    out = xp.zeros(shape, g.dtype)
    lead = (slice(None),) * axis
    if runs if runs is not None else isinstance(g, np.ndarray):
        # The index never decreases, so each input slot sums one contiguous run of outputs.
        starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
        out[(*lead, index[starts])] = np.add.reduceat(g, starts, axis=axis)
    else:
        xp.add.at(xp.moveaxis(out, axis, 0), index, xp.moveaxis(g, axis, 0))
    return out


def _sizes(input: Tensor, size: Any, scale_factor: Any,
           recompute: bool | None) -> tuple[list[int], list[float | None]]:
    """Output sizes and the scales the kernel sees (PyTorch's F.interpolate rules)."""
    dims = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None:
        if recompute:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        out = [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)] * dims
        if len(out) != dims:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                "(o1, o2, ...,oK) format.")
        return out, [None] * dims
    scales = ([float(s) for s in scale_factor] if isinstance(scale_factor, (list, tuple))
              else [float(scale_factor)] * dims)
    if len(scales) != dims:
        raise ValueError(
            "Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {spatial} and scale_factor of shape "
            f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
            "scale_factor in (s1, s2, ...,sK) format.")
    out = [math.floor(float(n) * s) for n, s in zip(spatial, scales)]
    return out, [None] * dims if recompute else scales


def _kernel_name(mode: str, ndim: int) -> str:
    """The PyTorch CPU kernel that refuses integer input, named in its message."""
    if mode == "area":
        return "adaptive_avg_pool3d_cpu" if ndim == 5 else "adaptive_avg_pool2d"
    if mode == "bicubic":
        return "compute_indices_weights_cubic"
    if ndim == 4:
        return f"upsample_{'bilinear' if mode == 'bilinear' else 'nearest'}2d_channels_last"
    return f"compute_indices_weights_{'nearest' if mode.startswith('nearest') else 'linear'}"


def _check_mode(input: Tensor, mode: str, align_corners: Any, antialias: bool) -> None:
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    wrong_rank = mode == "bicubic" and input.ndim != 4  # PyTorch words this one generically
    if mode not in _MODES or input.ndim not in (3, 4, 5) or wrong_rank:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode]}D input")
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{_kernel_name(mode, input.ndim)}" not implemented for '
                                  f"'{scalar_type_name(input._data.dtype)}'")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by "
                                  "autograd_core")


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resample (N, C, *spatial) to a size or by a scale factor (PyTorch's F.interpolate).

    Args:
        mode: 'nearest', 'nearest-exact', 'linear' (3-D input), 'bilinear' or 'bicubic'
            (4-D), 'trilinear' (5-D) or 'area' (adaptive average pooling). antialias is not
            supported (NotImplementedError).
        align_corners: linear modes only; True maps the corner pixels onto each other.
    Returns:
        (N, C, *out), out = size, or floor(spatial * scale_factor).

    Example:
        >>> F.interpolate(ag.randn(1, 3, 4, 4), scale_factor=2, mode="bilinear").shape
        torch.Size([1, 3, 8, 8])
    """
    _check_mode(input, mode, align_corners, antialias)
    out, scales = _sizes(input, size, scale_factor, recompute_scale_factor)
    spatial = list(input.shape[2:])
    if any(n <= 0 for n in out + spatial):
        names = "DHW"[-len(out):] if len(out) > 1 else "W"
        ins = ", ".join(f"{k}: {n}" for k, n in zip(names, spatial))
        outs = ", ".join(f"{k}: {n}" for k, n in zip(names, out))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({ins}) output ({outs})")
    if mode == "area":
        from autograd_core.ops import adaptive_pool
        pool = {3: adaptive_pool.adaptive_avg_pool1d, 4: adaptive_pool.adaptive_avg_pool2d}
        if input.ndim not in pool:
            raise NotImplementedError("interpolate: mode='area' on 5-D input is not supported "
                                      "by autograd_core")
        return pool[input.ndim](input, out)
    xp = get_array_module(input._data)
    plans = []
    for d, (n_in, n_out, scale) in enumerate(zip(spatial, out, scales)):
        if mode in _LINEAR:
            taps = _cubic_taps if mode == "bicubic" else _linear_taps
            plan: Any = taps(xp, n_in, n_out, scale, bool(align_corners), input._data.dtype)
        else:
            plan = _nearest_index(xp, n_in, n_out, scale, mode == "nearest-exact")
        plans.append((d + 2, n_in, plan))
    return Interpolate.apply(input, plans=tuple(plans))


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """The deprecated alias of interpolate (as F.upsample, with its warning)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """The deprecated alias of interpolate(mode='nearest') (as F.upsample_nearest)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """The deprecated alias of interpolate(mode='bilinear', align_corners=True)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
