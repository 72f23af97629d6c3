"""pad: constant padding (negative pads crop) and reflect/replicate/circular index padding."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _slices(in_shape: tuple, pads: list) -> tuple[tuple, tuple, tuple]:
    """(output shape, source slices into x, destination slices into y) for constant pads."""
    out_shape, src, dst = [], [], []
    for n, (lo, hi) in zip(in_shape, pads):
        out_shape.append(n + lo + hi)
        src.append(slice(max(-lo, 0), n - max(-hi, 0)))
        dst.append(slice(max(lo, 0), max(lo, 0) + n - max(-lo, 0) - max(-hi, 0)))
    return tuple(out_shape), tuple(src), tuple(dst)


class ConstantPad(Function):
    """y = x surrounded by `value` (negative pads crop)"""

    @staticmethod
    def forward(ctx, x, pads=(), value=0.0):
        xp = get_array_module(x)
        out_shape, src, dst = _slices(x.shape, pads)
        y = xp.full(out_shape, value, dtype=x.dtype)
        y[dst] = x[src]
        ctx.geom = (x.shape, src, dst)
        return y

    @staticmethod
    def backward(ctx, g):
        shape, src, dst = ctx.geom
        gx = get_array_module(g).zeros(shape, dtype=g.dtype)
        gx[src] = g[dst]
        return gx


def _source_index(xp: Any, n: int, lo: int, hi: int, mode: str) -> Any:
    """For each output position along one dim, the input position it copies."""
    i = xp.arange(-lo, n + hi)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    i = xp.abs(i)  # reflect about 0, then about n - 1
    return xp.where(i >= n, 2 * (n - 1) - i, i)


class IndexPad(Function):
    """y = x gathered along each padded dim (reflect / replicate / circular)"""

    @staticmethod
    def forward(ctx, x, pads=(), mode="reflect"):
        xp = get_array_module(x)
        index = {d: _source_index(xp, x.shape[d], lo, hi, mode)
                 for d, (lo, hi) in enumerate(pads) if lo or hi}
        y = x
        for d, idx in index.items():
            y = xp.take(y, idx, axis=d)
        ctx.index, ctx.shape = index, x.shape
        return y if y is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        xp = get_array_module(g)
        for d in sorted(ctx.index, reverse=True):
            shape = (*g.shape[:d], ctx.shape[d], *g.shape[d + 1:])
            acc = xp.zeros(shape, dtype=g.dtype)
            xp.add.at(acc, (slice(None),) * d + (ctx.index[d],), g)
            g = acc
        return g


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dims: pad = (left_last, right_last, left_prev, ...).

    Example:
        >>> F.pad(ag.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    pad = tuple(int(p) for p in pad)
    nd = input.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {nd}")
    pads = [(0, 0)] * nd
    for k in range(len(pad) // 2):
        pads[nd - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if mode == "constant":
        for n, (lo, hi) in zip(input.shape, pads):
            if n + lo + hi < 0:
                raise RuntimeError(f"pad: the padded size {n + lo + hi} must be non-negative")
        return ConstantPad.apply(input, pads=pads, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if nd not in (len(pad) // 2 + 1, len(pad) // 2 + 2):
        # PyTorch's kernels pad 1-3 trailing dims of a (batched or unbatched) image only.
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    _check_index_pads(input.shape, pads, mode)
    return IndexPad.apply(input, pads=pads, mode=mode)


def _check_index_pads(shape: tuple, pads: list, mode: str) -> None:
    for d, (n, (lo, hi)) in enumerate(zip(shape, pads)):
        if lo < 0 or hi < 0:
            raise RuntimeError(f"pad: negative padding is only supported in constant mode "
                               f"(dim {d})")
        limit = {"reflect": n - 1, "circular": n}.get(mode, n and max(lo, hi))
        if (lo or hi) and (max(lo, hi) > limit or n == 0):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                f"{list(shape)}")
