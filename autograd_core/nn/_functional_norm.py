"""group_norm, instance_norm, rms_norm, local_response_norm: `nn.functional`'s other norms.

Each standardizes through the fused LayerNorm op (its closed-form backward and graph formula)
over a reshaped view, then scales and shifts with ordinary ops, so gradients of any order
come from existing formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.grad_mode import no_grad
from autograd_core.ops._util import shape_str
from autograd_core.ops.normalization import LayerNorm, _check_norm_dtypes, _normalized_shape
from autograd_core.tensor import Tensor

__all__ = ["group_norm", "instance_norm", "local_response_norm", "rms_norm"]


def _channel_view(t: Tensor, ndim: int) -> Tensor:
    """A per-channel (C,) tensor shaped (1, C, 1, ...) to broadcast against an ndim input."""
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    if weight is not None:
        y = y * _channel_view(weight, y.ndim)
    if bias is not None:
        y = y + _channel_view(bias, y.ndim)
    return y


def _standardize_last(x: Tensor, eps: float) -> Tensor:
    """(x - mean) / sqrt(var + eps) over the last dim, as one LayerNorm node."""
    return LayerNorm.apply(x, None, None, n_dims=1, eps=eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each of `num_groups` channel groups per sample, then scale/shift per channel.

    Example:
        >>> F.group_norm(ag.randn(2, 4, 3), 2).shape
        torch.Size([2, 4, 3])
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[0], input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    _check_norm_dtypes(input, weight, bias, "GroupNormKernelImpl")
    xhat = _standardize_last(input.reshape(n, num_groups, -1), eps).reshape(input.shape)
    return _affine(xhat, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each (sample, channel) plane over its spatial dims.

    With `use_input_stats` the running statistics (when given) move towards the batch's
    average of per-instance means and unbiased variances, as PyTorch's do.
    """
    if input.ndim < 3:
        raise ValueError(f"expected at least 3D input (got {input.ndim}D input)")
    n, c = input.shape[0], input.shape[1]
    _check_norm_dtypes(input, weight, bias, "batch_norm")
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        rstd = (running_var + eps).rsqrt()
        y = (input - _channel_view(running_mean, input.ndim)) * _channel_view(rstd, input.ndim)
        return _affine(y, weight, bias)
    flat = input.reshape(n, c, -1)
    per_plane = flat.shape[-1]
    if per_plane <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    if running_mean is not None and running_var is not None:
        with no_grad():
            mean = flat.mean(-1).mean(0)
            var = flat.var(-1, unbiased=True).mean(0)
            running_mean.mul_(1 - momentum).add_(mean * momentum)
            running_var.mul_(1 - momentum).add_(var * momentum)
    xhat = _standardize_last(flat, eps).reshape(input.shape)
    return _affine(xhat, weight, bias)


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2 over the trailing dims) + eps) * weight; eps defaults to the
    dtype's machine epsilon, as PyTorch's does."""
    ns = _normalized_shape(normalized_shape)
    if len(ns) > input.ndim or tuple(input.shape[input.ndim - len(ns):]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape "
            f"[*{', '.join(str(s) for s in ns)}], but got input of size"
            f"{shape_str(tuple(input.shape))}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - len(ns), input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels) ** beta."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    from autograd_core.ops.padding import pad

    c = input.shape[1]
    sq = input * input
    # Zero-pad the channel dim (size // 2 before, (size - 1) // 2 after), then sum the
    # `size` shifted windows: PyTorch's avg_pool over channels, count_include_pad.
    pads = [0, 0] * (input.ndim - 2) + [size // 2, (size - 1) // 2]
    padded = pad(sq, pads)
    total = padded.narrow(1, 0, c)
    for j in range(1, size):
        total = total + padded.narrow(1, j, c)
    div = (total * (alpha / size) + k).pow(beta)
    return input / div
