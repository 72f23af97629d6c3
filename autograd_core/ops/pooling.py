"""Pooling: max and average pooling (1-D and 2-D), with PyTorch's arguments and semantics.

Windows are walked one kernel tap at a time: each tap is a strided (N, C, Ho, Wo) view of the
padded input, so a k x k pool is k*k whole-array ufunc calls and never a Python loop over
pixels. When windows cannot overlap (stride >= kernel span) backward writes each tap's share
straight into the gradient instead of accumulating it.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import shape_str
from autograd_core.tensor import Tensor


def _pair(v: Any, name: str) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return (v[0], v[0])
    if len(v) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {v}")
    return v


def _out_len(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """PyTorch's pooling_output_shape: a ceil-mode window must start inside input or left pad."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _geometry(op: str, shape: tuple, k: tuple, s: tuple, p: tuple, d: tuple,
              ceil: bool) -> tuple[int, int]:
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError(
            f"{op}: pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}"
        )
    h, w = shape[-2:]
    ho = _out_len(h, k[0], s[0], p[0], d[0], ceil)
    wo = _out_len(w, k[1], s[1], p[1], d[1], ceil)
    if ho <= 0 or wo <= 0:
        raise RuntimeError(
            f"{op}: Given input size: ({shape[-3]}x{h}x{w}). Calculated output size: "
            f"({shape[-3]}x{ho}x{wo}). Output size is too small"
        )
    return ho, wo


def _padded(xp: Any, x: Any, k: tuple, s: tuple, p: tuple, d: tuple, out: tuple,
            fill: float) -> Any:
    """x with `fill` around it: p on the left/top, enough on the right for every window."""
    n, c, h, w = x.shape
    need_h = (out[0] - 1) * s[0] + d[0] * (k[0] - 1) + 1
    need_w = (out[1] - 1) * s[1] + d[1] * (k[1] - 1) + 1
    hp, wp = max(need_h, h + p[0]), max(need_w, w + p[1])
    if (hp, wp) == (h, w) and p == (0, 0):
        return x
    buf = xp.full((n, c, hp, wp), fill, x.dtype)
    buf[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = x
    return buf


def _taps(k: tuple, s: tuple, d: tuple, out: tuple) -> list[tuple[slice, slice]]:
    """One (row slice, col slice) per kernel tap, selecting that tap of every window."""
    return [
        (slice(i * d[0], i * d[0] + s[0] * (out[0] - 1) + 1, s[0]),
         slice(j * d[1], j * d[1] + s[1] * (out[1] - 1) + 1, s[1]))
        for i in range(k[0]) for j in range(k[1])
    ]


def _crop(g: Any, x_shape: tuple, p: tuple) -> Any:
    if g.shape == x_shape:
        return g
    return g[:, :, p[0]:p[0] + x_shape[2], p[1]:p[1] + x_shape[3]]


def _disjoint(k: tuple, s: tuple, d: tuple) -> bool:
    return all(si >= di * (ki - 1) + 1 for ki, si, di in zip(k, s, d))


def _grad_buffer(xp: Any, shape: tuple, x_shape: tuple, k: tuple, s: tuple, d: tuple,
                 dtype: Any) -> Any:
    """Uninitialised when the windows tile the input exactly (every element gets written)."""
    tiles = shape == x_shape and d == (1, 1) and s == k and all(
        o % ki == 0 for o, ki in zip(x_shape[2:], k))
    return (xp.empty if tiles else xp.zeros)(shape, dtype)


class MaxPool2d(Function):
    """y[n,c,i,j] = max over the window of x; the gradient goes to the first max only"""

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1),
                out_size=(1, 1), with_indices=False):
        xp = get_array_module(x)
        buf = _padded(xp, x, kernel, stride, padding, dilation, out_size, -xp.inf)
        taps = _taps(kernel, stride, dilation, out_size)
        out = buf[(..., *taps[0])].copy()
        idx = xp.zeros(out.shape, xp.int64) if with_indices else None
        for t, (rs, cs) in enumerate(taps[1:], 1):
            v = buf[:, :, rs, cs]
            if with_indices:
                idx[v > out] = t
            xp.maximum(out, v, out=out)  # maximum propagates NaN like PyTorch
        ctx.save_for_backward(buf, out)
        ctx.geom = (x.shape, kernel, stride, padding, dilation, out_size)
        if with_indices:
            return out, _flat_indices(xp, idx, ctx.geom)
        return out

    @staticmethod
    def backward(ctx, g, g_idx=None):
        buf, out = ctx.saved_tensors
        x_shape, kernel, stride, padding, dilation, out_size = ctx.geom
        xp = get_array_module(g)
        disjoint = _disjoint(kernel, stride, dilation)
        gbuf = _grad_buffer(xp, buf.shape, x_shape, kernel, stride, dilation, g.dtype)
        found = None
        taps = _taps(kernel, stride, dilation, out_size)
        for t, (rs, cs) in enumerate(taps):
            hit = buf[:, :, rs, cs] == out
            if found is None:
                found = hit
            else:  # route to the first max of each window only, as PyTorch does
                eq = hit
                hit = xp.greater(eq, found)  # eq and not found, in one pass
                if t < len(taps) - 1:
                    found |= eq
            if disjoint:
                xp.multiply(g, hit, out=gbuf[:, :, rs, cs])
            else:
                gbuf[:, :, rs, cs] += g * hit
        return _crop(gbuf, x_shape, padding)


def _flat_indices(xp: Any, idx: Any, geom: tuple) -> Any:
    """Window-local tap numbers as PyTorch's indices: flat positions in each H*W input plane."""
    x_shape, kernel, stride, padding, dilation, out_size = geom
    rows = xp.arange(out_size[0]).reshape(-1, 1) * stride[0] - padding[0]
    cols = xp.arange(out_size[1]) * stride[1] - padding[1]
    r = rows + (idx // kernel[1]) * dilation[0]
    c = cols + (idx % kernel[1]) * dilation[1]
    return r * x_shape[3] + c


class AvgPool2d(Function):
    """y[n,c,i,j] = sum over the window of x / divisor (PyTorch's count_include_pad rules)"""

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), out_size=(1, 1),
                divisor=None):
        xp = get_array_module(x)
        one = (1, 1)
        buf = _padded(xp, x, kernel, stride, padding, one, out_size, 0)
        taps = _taps(kernel, stride, one, out_size)
        out = buf[(..., *taps[0])].copy()
        for rs, cs in taps[1:]:
            out += buf[:, :, rs, cs]
        ctx.geom = (x.shape, buf.shape, kernel, stride, padding, out_size, divisor)
        if out.dtype.kind in "iu":  # an integer average truncates, as PyTorch's C++ division
            return xp.trunc(out / divisor).astype(x.dtype)
        out /= divisor
        return out

    @staticmethod
    def backward(ctx, g):
        x_shape, buf_shape, kernel, stride, padding, out_size, divisor = ctx.geom
        xp = get_array_module(g)
        one = (1, 1)
        share = g / divisor
        disjoint = _disjoint(kernel, stride, one)
        gbuf = _grad_buffer(xp, buf_shape, x_shape, kernel, stride, one, g.dtype)
        for rs, cs in _taps(kernel, stride, one, out_size):
            if disjoint:
                gbuf[:, :, rs, cs] = share
            else:
                gbuf[:, :, rs, cs] += share
        return _crop(gbuf, x_shape, padding)


def _avg_divisor(xp: Any, dtype: Any, size: tuple, k: tuple, s: tuple, p: tuple,
                 out: tuple, include_pad: bool, override: Any) -> Any:
    """The (Ho, Wo) divisor, separable into a row count times a column count."""
    if override is not None:
        return dtype.type(override)
    counts = []
    for n, ki, si, pi, oi in zip(size, k, s, p, out):
        start = xp.arange(oi) * si - pi
        end = xp.minimum(start + ki, n + pi)
        if include_pad:
            counts.append(end - start)
        else:
            counts.append(xp.minimum(end, n) - xp.maximum(start, 0))
    return (counts[0].reshape(-1, 1) * counts[1]).astype(dtype)


# ----------------------------------------------------------------------------- public API
def _as_4d(op: str, x: Tensor, nd: int) -> tuple[Tensor, bool]:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor for input, but got: "
            f"{shape_str(x.shape)}"
        )
    return (x.unsqueeze(0), True) if x.ndim == nd + 1 else (x, False)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling over (N, C, H, W) or (C, H, W); stride defaults to kernel_size.

    Returns:
        The pooled tensor, or (pooled, indices) with flat H*W indices when return_indices.

    Example:
        >>> y = max_pool2d(x, 2)          # (N, C, H // 2, W // 2)
    """
    x, unbatched = _as_4d("max_pool2d", input, 2)
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None or stride == [] else _pair(stride, "stride")
    p, d = _pair(padding, "padding"), _pair(dilation, "dilation")
    out = _geometry("max_pool2d", x.shape, k, s, p, d, ceil_mode)
    res = MaxPool2d.apply(x, kernel=k, stride=s, padding=p, dilation=d, out_size=out,
                          with_indices=return_indices)
    if unbatched:
        res = tuple(r.squeeze(0) for r in res) if return_indices else res.squeeze(0)
    return res


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling; arguments as torch.nn.functional.avg_pool2d."""
    x, unbatched = _as_4d("avg_pool2d", input, 2)
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None or stride == [] else _pair(stride, "stride")
    p = _pair(padding, "padding")
    out = _geometry("avg_pool2d", x.shape, k, s, p, (1, 1), ceil_mode)
    xp = get_array_module(x._data)
    div = _avg_divisor(xp, x.dtype, x.shape[-2:], k, s, p, out, count_include_pad,
                       divisor_override)
    res = AvgPool2d.apply(x, kernel=k, stride=s, padding=p, out_size=out, divisor=div)
    return res.squeeze(0) if unbatched else res


def _pool1d(fn: Any, input: Tensor, op: str, *args: Any, **kwargs: Any) -> Any:
    x, unbatched = _as_4d(op, input, 1)
    res = fn(x.unsqueeze(2), *args, **kwargs)
    if isinstance(res, tuple):
        res = tuple(r.squeeze(2) for r in res)
        return tuple(r.squeeze(0) for r in res) if unbatched else res
    res = res.squeeze(2)
    return res.squeeze(0) if unbatched else res


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling over (N, C, L) or (C, L), as a 2-D pool of height 1."""
    k = _first(kernel_size)
    s = k if stride is None or stride == [] else _first(stride)
    return _pool1d(max_pool2d, input, "max_pool1d", (1, k), (1, s), (0, _first(padding)),
                   (1, _first(dilation)), ceil_mode, return_indices)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L)."""
    k = _first(kernel_size)
    s = k if stride is None or stride == [] else _first(stride)
    return _pool1d(avg_pool2d, input, "avg_pool1d", (1, k), (1, s), (0, _first(padding)),
                   ceil_mode, count_include_pad)


def _first(v: Any) -> int:
    return int(v) if isinstance(v, int) else int(v[0])


__all__ = [
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
]
