"""Dropout: zero elements with probability p during training, scale the rest by 1 / (1 - p)."""

from __future__ import annotations

from autograd_core import random
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name
from autograd_core.tensor import Tensor

__all__: list[str] = []


class Dropout(Function):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p)"""

    @staticmethod
    def forward(ctx, x, p=0.5, channel_dims=0):
        # channel_dims > 0 drops whole feature maps (Dropout1d/2d/3d): one draw per (N, C).
        mask_shape = x.shape if not channel_dims else x.shape[:-channel_dims] + (1,) * \
            channel_dims
        like = get_array_module(x).empty(mask_shape, x.dtype)  # only its shape/dtype/device
        keep = random.uniform_array(like, 0.0, 1.0) >= p
        scale = x.dtype.type(1.0 / (1.0 - p)) if p < 1 else x.dtype.type(0)
        ctx.save_for_backward(keep)
        ctx.scale = scale
        y = x * keep
        y *= scale
        return y

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        gx = g * keep
        gx *= ctx.scale
        return gx


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _check_float(input: Tensor) -> None:
    """The 1/(1-p) scaling has no integer result: PyTorch refuses (numpy would zero all)."""
    dt = input._data.dtype
    if dt.kind not in "fc":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(dt)}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Randomly zero elements with probability p (training only); survivors scale by 1/(1-p).

    Example:
        >>> F.dropout(x, 0.5, training=False) is x
        True
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    _check_float(input)
    out = Dropout.apply(input, p=p)
    return input._inplace(out) if inplace else out


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                     spatial: int) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    _check_float(input)
    out = Dropout.apply(input, p=p, channel_dims=spatial)
    return input._inplace(out) if inplace else out


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) input."""
    return _feature_dropout(input, p, training, inplace, 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input."""
    return _feature_dropout(input, p, training, inplace, 2)
