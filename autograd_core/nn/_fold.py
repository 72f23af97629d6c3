"""unfold (im2col) and fold (col2im): sliding blocks of a batched 2-D image as columns, and
their sum back into the image.

Each is one op whose backward is the other (they are adjoint linear maps), and each one's
graph formula applies the other op, so gradients of any order work.
"""

from __future__ import annotations

from typing import Any

from autograd_core._graph_walk import formula
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.tensor import Tensor

__all__ = ["fold", "unfold"]


def _pair(v: Any) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _taps(k: tuple, d: tuple, s: tuple, out: tuple) -> list[tuple[int, int, tuple]]:
    """(i, j, slices) for each kernel tap: where its strided window lies in the padded image."""
    return [(i, j, (slice(i * d[0], i * d[0] + s[0] * (out[0] - 1) + 1, s[0]),
                    slice(j * d[1], j * d[1] + s[1] * (out[1] - 1) + 1, s[1])))
            for i in range(k[0]) for j in range(k[1])]


def _im2col(x: Any, geom: tuple) -> Any:
    k, d, p, s, out = geom
    xp = get_array_module(x)
    n, c = x.shape[:2]
    padded = xp.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    col = xp.empty((n, c, k[0], k[1], out[0], out[1]), dtype=x.dtype)
    for i, j, (si, sj) in _taps(k, d, s, out):
        col[:, :, i, j] = padded[:, :, si, sj]
    return col.reshape(n, c * k[0] * k[1], out[0] * out[1])


def _col2im(col: Any, geom: tuple, size: tuple) -> Any:
    k, d, p, s, out = geom
    xp = get_array_module(col)
    n = col.shape[0]
    c = col.shape[1] // (k[0] * k[1])
    blocks = col.reshape(n, c, k[0], k[1], out[0], out[1])
    img = xp.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]), dtype=col.dtype)
    for i, j, (si, sj) in _taps(k, d, s, out):
        img[:, :, si, sj] += blocks[:, :, i, j]
    return img[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]


class Im2Col(Function):
    """columns[n, (c, ki, kj), block] = padded image at the block's (ki, kj) tap"""

    @staticmethod
    def forward(ctx, x, geom=(), size=()):
        ctx.geom, ctx.size = geom, size
        return _im2col(x, geom)

    @staticmethod
    def backward(ctx, g):
        return _col2im(g, ctx.geom, ctx.size)


class Col2Im(Function):
    """image = sum of every block's columns at its taps (overlaps add)"""

    @staticmethod
    def forward(ctx, col, geom=(), size=()):
        ctx.geom, ctx.size = geom, size
        return _col2im(col, geom, size).copy()

    @staticmethod
    def backward(ctx, g):
        return _im2col(g, ctx.geom)


@formula(Im2Col)
def _im2col_formula(ctx: Any, g: Tensor) -> tuple:
    return (Col2Im.apply(g, geom=ctx.geom, size=ctx.size),)


@formula(Col2Im)
def _col2im_formula(ctx: Any, g: Tensor) -> tuple:
    return (Im2Col.apply(g, geom=ctx.geom, size=ctx.size),)


def _blocks(size: tuple, k: tuple, d: tuple, p: tuple, s: tuple) -> tuple[int, int]:
    return tuple((size[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1  # type: ignore
                 for a in range(2))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """(N, C, H, W) -> (N, C * kh * kw, L): each sliding block as a column.

    Example:
        >>> F.unfold(ag.randn(1, 3, 4, 4), 2).shape
        torch.Size([1, 12, 9])
    """
    if input.ndim not in (3, 4) or 0 in tuple(input.shape[1:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           "and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    x = input.unsqueeze(0) if input.ndim == 3 else input
    size = tuple(x.shape[2:])
    out = _blocks(size, k, d, p, s)
    if out[0] < 1 or out[1] < 1:
        raise RuntimeError(
            f"Given input with spatial size {size}, kernel_size={k}, dilation={d}, "
            f"padding={p}, calculated shape of the array of sliding blocks as {out}, but its "
            f"components must be at least one.")
    y = Im2Col.apply(x, geom=(k, d, p, s, out), size=size)
    return y.squeeze(0) if input.ndim == 3 else y


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """(N, C * kh * kw, L) -> (N, C, H, W): the columns summed back into the image."""
    if input.ndim not in (2, 3) or 0 in tuple(input.shape[1:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor with possibly 0 batch size "
                           "and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    size = _pair(output_size)
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    x = input.unsqueeze(0) if input.ndim == 2 else input
    if x.shape[1] % (k[0] * k[1]):
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={k}.")
    out = _blocks(size, k, d, p, s)
    if out[0] * out[1] != x.shape[2]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, "
            f"stride={s}, expected size of input's dimension 2 to match the calculated "
            f"number of sliding blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got "
            f"input.size(2)={x.shape[2]}.")
    y = Col2Im.apply(x, geom=(k, d, p, s, out), size=size)
    return y.squeeze(0) if input.ndim == 2 else y
