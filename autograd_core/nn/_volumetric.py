"""3-D (volumetric) convolution and pooling: conv3d, max_pool3d, avg_pool3d,
adaptive_avg_pool3d, adaptive_max_pool3d.

Written with existing ops, as the 2-D convolution's graph formula is: the kd*kh*kw strided
taps of the padded volume stacked into columns, then one (grouped) matmul, or a max / sum
over the taps. Gradients of any order follow from those ops; the inspector shows the ops
rather than one fused node. Memory is the column matrix's (C*k^3 by output voxels).
"""

from __future__ import annotations

import math
from itertools import product
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops import conv as _conv
from autograd_core.ops.join import stack
from autograd_core.ops.padding import pad
from autograd_core.ops.pooling import _out_len
from autograd_core.tensor import Tensor

__all__ = ["adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "conv3d",
           "conv_transpose3d", "max_pool3d"]


def _triple(v: Any, name: str) -> tuple[int, int, int]:
    if isinstance(v, int):
        return (v, v, v)
    t = tuple(int(i) for i in v)
    if len(t) == 1:
        return (t[0],) * 3  # type: ignore[return-value]
    if len(t) != 3:
        raise ValueError(f"{name} must be an int or a triple of ints, got {t}")
    return t  # type: ignore[return-value]


def _taps(x: Tensor, k: tuple, s: tuple, d: tuple, out: tuple) -> list[Tensor]:
    """The strided view of x (N, C, D, H, W) under each kernel tap, each (N, C, *out)."""
    return [x[:, :, a * d[0]:a * d[0] + s[0] * (out[0] - 1) + 1:s[0],
              b * d[1]:b * d[1] + s[1] * (out[1] - 1) + 1:s[1],
              c * d[2]:c * d[2] + s[2] * (out[2] - 1) + 1:s[2]]
            for a, b, c in product(range(k[0]), range(k[1]), range(k[2]))]


def _pad_sides(x: Tensor, sides: tuple, value: float = 0.0) -> Tensor:
    flat: list[int] = []
    for left, right in reversed(sides):  # F.pad wants the last dim first
        flat += [left, right]
    return pad(x, flat, value=value) if any(flat) else x


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution of (N, C_in, D, H, W) with (C_out, C_in/groups, kd, kh, kw).

    Example:
        >>> F.conv3d(ag.randn(1, 2, 4, 4, 4), ag.randn(3, 2, 3, 3, 3)).shape
        torch.Size([1, 3, 2, 2, 2])
    """
    unbatched = input.ndim == 4
    # checked batched, so messages show the (1, ...) shape PyTorch's do
    _conv._check("conv3d", input.unsqueeze(0) if unbatched else input, weight, bias, groups, 3)
    s, d = _triple(stride, "stride"), _triple(dilation, "dilation")
    k = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(v != 1 for v in s):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        sides = _conv._same_pads(k, d) if padding == "same" else ((0, 0),) * 3
    else:
        sides = tuple((p, p) for p in _triple(padding, "padding"))
    x = _pad_sides(input.unsqueeze(0) if unbatched else input, sides)
    n, c = x.shape[0], x.shape[1]
    out = tuple((x.shape[2 + i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(3))
    if min(out) <= 0:
        padded = " x ".join(str(v) for v in x.shape[2:])
        kernel = " x ".join(str(v) for v in k)
        raise RuntimeError(
            f"Calculated padded input size per channel: ({padded}). Kernel size: ({kernel}). "
            f"Kernel size can't be greater than actual input size")
    taps = math.prod(k)
    cols = stack(_taps(x, k, s, d, out), 2)  # (N, C, taps, *out)
    cols = cols.reshape(n, groups, (c // groups) * taps, math.prod(out))
    o = weight.shape[0]
    w = weight.reshape(groups, o // groups, (c // groups) * taps)
    y = w.matmul(cols).reshape(n, o, *out)
    if bias is not None:
        y = y + bias.reshape(1, o, 1, 1, 1)
    return y.squeeze(0) if unbatched else y


def _pool_geometry(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any,
                   dilation: Any, ceil_mode: bool) -> tuple:
    if x.ndim not in (4, 5):
        raise RuntimeError(f"{op}: Expected 4D or 5D (batch mode) tensor for input, but got: "
                           f"{list(x.shape)}")
    k = _triple(kernel_size, "kernel_size")
    s = k if stride is None or stride == [] else _triple(stride, "stride")
    p, d = _triple(padding, "padding"), _triple(dilation, "dilation")
    if any(pi > ki // 2 for pi, ki in zip(p, k)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                           f"got padT = {p[0]} padW = {p[2]}, padH = {p[1]}, kT = {k[0]}, "
                           f"kW = {k[2]}, kH = {k[1]}")
    size = tuple(x.shape[-3:])
    out = tuple(_out_len(size[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(3))
    if min(out) <= 0:
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in x.shape[-4:])}). "
                           f"Calculated output size: ({x.shape[-4]}x"
                           f"{'x'.join(str(v) for v in out)}). Output size is too small")
    # left padding p; on the right whatever the last (ceil-mode) window reaches
    sides = tuple((p[i], max(0, (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - size[i] - p[i]))
                  for i in range(3))
    return k, s, p, d, out, sides


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W); stride defaults to the kernel."""
    k, s, p, d, out, sides = _pool_geometry("max_pool3d", input, kernel_size, stride,
                                            padding, dilation, ceil_mode)
    unbatched = input.ndim == 4
    x = input.unsqueeze(0) if unbatched else input
    stacked = stack(_taps(_pad_sides(x, sides, float("-inf")), k, s, d, out), 2)
    # The first maximal tap takes the gradient, as PyTorch's kernel (amax would split ties).
    first = stacked.detach().argmax(2, keepdim=True)
    y = stacked.gather(2, first).squeeze(2)
    if return_indices:
        idx = _flat_indices(first.squeeze(2), x.shape[-3:], k, s, p, d, out)
        return (y.squeeze(0), idx.squeeze(0)) if unbatched else (y, idx)
    return y.squeeze(0) if unbatched else y


def _flat_indices(tap: Tensor, size: tuple, k: tuple, s: tuple, p: tuple, d: tuple,
                  out: tuple) -> Tensor:
    """Each output's argmax tap as a flat D*H*W index into the unpadded input."""
    xp = get_array_module(tap._data)
    t = tap._data.astype(np.int64)
    ta, rest = t // (k[1] * k[2]), t % (k[1] * k[2])
    taps = (ta, rest // k[2], rest % k[2])
    coords = []
    for i in range(3):
        shape = [1, 1, 1]
        shape[i] = out[i]
        base = (xp.arange(out[i]) * s[i] - p[i]).reshape(shape)
        coords.append(base + taps[i] * d[i])
    flat = (coords[0] * size[1] + coords[1]) * size[2] + coords[2]
    return Tensor._make(flat.astype(np.int64))


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """3-D average pooling; arguments as torch.nn.functional.avg_pool3d."""
    k, s, p, _, out, sides = _pool_geometry("avg_pool3d", input, kernel_size, stride,
                                            padding, 1, ceil_mode)
    unbatched = input.ndim == 4
    x = input.unsqueeze(0) if unbatched else input
    taps = _taps(_pad_sides(x, sides), k, s, (1, 1, 1), out)
    total = taps[0]
    for t in taps[1:]:
        total = total + t
    xp = get_array_module(x._data)
    if divisor_override is not None:
        y = total / divisor_override
    else:
        counts = []
        for n, ki, si, pi, oi in zip(x.shape[-3:], k, s, p, out):
            start = np.arange(oi) * si - pi
            end = np.minimum(start + ki, n + pi)
            counts.append(end - start if count_include_pad
                          else np.minimum(end, n) - np.maximum(start, 0))
        div = counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]
        y = total / Tensor._make(xp.asarray(div.astype(x._data.dtype)))
    return y.squeeze(0) if unbatched else y


def _adaptive(input: Tensor, output_size: Any, op: str, reduce: Any) -> Tensor:
    if input.ndim not in (4, 5):
        raise RuntimeError(f"{op}(): Expected 4D or 5D tensor, but got {list(input.shape)}")
    sizes = (output_size,) * 3 if isinstance(output_size, int) or output_size is None \
        else tuple(output_size)
    x = input
    for i, o in enumerate(sizes):
        dim = x.ndim - 3 + i
        n = x.shape[dim]
        o = n if o is None else int(o)
        bins = [(j * n // o, -(-(j + 1) * n // o)) for j in range(o)]
        x = stack([reduce(x.narrow(dim, a, b - a), dim) for a, b in bins], dim)
    return x


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average over adaptive bins to `output_size` (an int, a triple, None keeps a dim)."""
    return _adaptive(input, output_size, "adaptive_avg_pool3d", lambda t, d: t.mean(d))


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Maximum over adaptive bins to `output_size` (return_indices is not supported)."""
    if return_indices:
        raise TypeError("adaptive_max_pool3d(): return_indices=True is not supported")
    return _adaptive(input, output_size, "adaptive_max_pool3d", lambda t, d: t.amax(d))


def _zero_stuff(x: Tensor, dim: int, stride: int) -> Tensor:
    """Insert stride - 1 zeros between neighbours along `dim` (with ops: stack, reshape)."""
    if stride == 1:
        return x
    n = x.shape[dim]
    zeros = x.new_zeros(*x.shape)
    woven = stack([x] + [zeros] * (stride - 1), dim + 1)
    merged = woven.reshape(*x.shape[:dim], n * stride, *x.shape[dim + 1:])
    return merged.narrow(dim, 0, (n - 1) * stride + 1)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution: weight (C_in, C_out/groups, kd, kh, kw).

    Computed as PyTorch defines it: the input with stride - 1 zeros woven between voxels,
    padded by d(k - 1) - p (+ output_padding on the far side), convolved with the flipped,
    transposed kernel.
    """
    if input.ndim not in (4, 5):
        raise RuntimeError(f"Expected 4D (unbatched) or 5D (batched) input to "
                           f"conv_transpose3d, but got input of size: {list(input.shape)}")
    s, d = _triple(stride, "stride"), _triple(dilation, "dilation")
    p, op = _triple(padding, "padding"), _triple(output_padding, "output_padding")
    if any(o >= max(si, di) for o, si, di in zip(op, s, d)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, "
                           f"but got output_padding_depth: {op[0]} output_padding_height: "
                           f"{op[1]} output_padding_width: {op[2]} stride_depth: {s[0]} "
                           f"stride_height: {s[1]} stride_width: {s[2]} dilation_depth: "
                           f"{d[0]} dilation_height: {d[1]} dilation_width: {d[2]}")
    unbatched = input.ndim == 4
    x = input.unsqueeze(0) if unbatched else input
    c_in = x.shape[1]
    if weight.shape[0] != c_in:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {weight.shape[0]} channels, but got "
                           f"{c_in} channels instead")
    k = tuple(weight.shape[2:])
    for i in range(3):
        x = _zero_stuff(x, 2 + i, s[i])
    sides = tuple((d[i] * (k[i] - 1) - p[i], d[i] * (k[i] - 1) - p[i] + op[i]) for i in range(3))
    x = _pad_sides(x, sides)
    cout_g = weight.shape[1]
    w = weight.reshape(groups, c_in // groups, cout_g, *k).transpose(1, 2)
    w = w.reshape(groups * cout_g, c_in // groups, *k).flip([2, 3, 4])
    y = conv3d(x, w, bias, 1, 0, d, groups)
    return y.squeeze(0) if unbatched else y
