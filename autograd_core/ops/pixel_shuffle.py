"""pixel_shuffle / pixel_unshuffle (sub-pixel convolution's rearrangement) and prelu.

The shuffles are one reshape, one permute and one reshape of engine ops, so their gradient
is the inverse rearrangement; prelu is one Function with a learnable slope per channel.
"""

from __future__ import annotations

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import sum_to
from autograd_core.tensor import Tensor

__all__ = ["pixel_shuffle", "pixel_unshuffle", "prelu"]


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): channel blocks become r x r pixel tiles.

    Example:
        >>> F.pixel_shuffle(ag.randn(1, 8, 3, 3), 2).shape
        torch.Size([1, 2, 6, 6])
    """
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    nb = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    order = [*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2]
    return x.permute(*order).reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    for name, size, k in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({k})={size} is not divisible "
                               f"by {r}")
    nb = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    order = [*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3]
    return x.permute(*order).reshape(*batch, c * r * r, h // r, w // r)


class Prelu(Function):
    """y = x if x > 0 else a * x, with a per channel (dim 1) or one a for all."""

    @staticmethod
    def forward(ctx, x, a):
        xp = get_array_module(x)
        # One slope per channel lines up with dim 1; a single slope broadcasts as a scalar.
        ab = a.reshape((-1,) + (1,) * (x.ndim - 2)) if a.size > 1 else a.reshape(())
        pos = x > 0
        ctx.save_for_backward(x, ab, pos)
        ctx.a_shape = a.shape
        return xp.where(pos, x, ab * x)

    @staticmethod
    def backward(ctx, g):
        x, ab, pos = ctx.saved_tensors
        xp = get_array_module(g)
        na_x, na_a = ctx.needs_input_grad
        gx = xp.where(pos, g, ab * g) if na_x else None
        ga = None
        if na_a:
            ga = sum_to(xp.where(pos, 0, g * x), ab.shape).reshape(ctx.a_shape)
        return gx, ga


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Parametric ReLU: y = x if x > 0 else weight * x; weight has 1 or C (= dim 1) values.

    Example:
        >>> F.prelu(ag.randn(4, 3), ag.full((3,), 0.25)).shape
        torch.Size([4, 3])
    """
    n = weight.numel()
    if input.ndim == 0 and n != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    return Prelu.apply(input, weight)
