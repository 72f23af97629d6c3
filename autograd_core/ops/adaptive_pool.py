"""Adaptive pooling (1-D and 2-D): fixed output sizes over PyTorch's adaptive windows.

Window i of n over a length L spans [floor(i*L/n), ceil((i+1)*L/n)). Average pooling is then
two small matrix products (rows and columns average separately); max pooling takes one
vectorised reduction per output cell.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name, shape_str
from autograd_core.ops.pooling import _as_4d, _first, _pool1d
from autograd_core.tensor import Tensor


class AdaptiveAvgPool2d(Function):
    """y = A_h x A_w^T, rows of A averaging PyTorch's [floor(iH/Ho), ceil((i+1)H/Ho)) windows"""

    @staticmethod
    def forward(ctx, x, out_size=(1, 1)):
        xp = get_array_module(x)
        ah = _adaptive_matrix(xp, x.shape[-2], out_size[0], x.dtype)
        aw = _adaptive_matrix(xp, x.shape[-1], out_size[1], x.dtype)
        ctx.save_for_backward(ah, aw)
        return xp.matmul(xp.matmul(ah, x), aw.T)

    @staticmethod
    def backward(ctx, g):
        ah, aw = ctx.saved_tensors
        xp = get_array_module(g)
        return xp.matmul(xp.matmul(ah.T, g), aw)


def _adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: [floor(i*size/out), ceil((i+1)*size/out))."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


class AdaptiveMaxPool2d(Function):
    """y[n,c,i,j] = max of x over PyTorch's adaptive window (i, j); gradient to the first max"""

    @staticmethod
    def forward(ctx, x, out_size=(1, 1)):
        xp = get_array_module(x)
        n, c, h, w = x.shape
        out = xp.empty((n, c, *out_size), x.dtype)
        idx = xp.empty((n, c, *out_size), xp.int64)
        # One vectorised reduction per output cell: outputs are small (1x1, 7x7, ...).
        for i, (h0, h1) in enumerate(_adaptive_bounds(h, out_size[0])):
            for j, (w0, w1) in enumerate(_adaptive_bounds(w, out_size[1])):
                # Sizes spelled out: a -1 cannot be inferred when the batch is empty.
                win = x[:, :, h0:h1, w0:w1].reshape(n, c, (h1 - h0) * (w1 - w0))
                a = win.argmax(axis=-1)  # first max; a NaN wins, as in PyTorch
                out[:, :, i, j] = xp.take_along_axis(win, a[..., None], -1)[..., 0]
                idx[:, :, i, j] = (h0 + a // (w1 - w0)) * w + w0 + a % (w1 - w0)
        ctx.save_for_backward(idx)
        ctx.x_shape = x.shape
        return out, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        (idx,) = ctx.saved_tensors
        xp = get_array_module(g)
        n, c, h, w = ctx.x_shape
        gx = xp.zeros((n * c, h * w), g.dtype)
        rows = xp.arange(n * c)
        cells = idx.shape[-2] * idx.shape[-1]
        flat_idx = idx.reshape(n * c, cells)
        flat_g = g.reshape(n * c, cells)
        for k in range(flat_idx.shape[1]):  # windows may overlap: accumulate cell by cell
            gx[rows, flat_idx[:, k]] += flat_g[:, k]
        return gx.reshape(ctx.x_shape)


def _adaptive_matrix(xp: Any, size: int, out: int, dtype: Any) -> Any:
    i = xp.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)  # ceil division
    pos = xp.arange(size)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


# ----------------------------------------------------------------------------- public API
def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed (Ho, Wo); None in output_size keeps that input size."""
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    out = tuple(input.shape[-2 + i] if o is None else int(o) for i, o in enumerate(output_size))
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{shape_str(input.shape)}")
    if input._data.dtype.kind not in "fc":  # the averaging matrices are fractional
        raise NotImplementedError("\"adaptive_avg_pool2d\" not implemented for "
                                  f"'{scalar_type_name(input._data.dtype)}'")
    return AdaptiveAvgPool2d.apply(input, out_size=out)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling to a fixed (Ho, Wo); with return_indices also the flat H*W argmax."""
    x, unbatched = _as_4d("adaptive_max_pool2d", input, 2)
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    out = tuple(x.shape[2 + i] if o is None else int(o) for i, o in enumerate(output_size))
    res = AdaptiveMaxPool2d.apply(x, out_size=out)
    if unbatched:
        res = tuple(r.squeeze(0) for r in res)
    return res if return_indices else res[0]


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, L) to a fixed length."""
    return _pool1d(adaptive_max_pool2d, input, "adaptive_max_pool1d", (1, _first(output_size)),
                   return_indices)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, L) to a fixed length."""
    return _pool1d(adaptive_avg_pool2d, input, "adaptive_avg_pool1d", (1, _first(output_size)))


__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
]
